"""argparse speaking Vietnamese: the `congvan` command's usage, section titles, -h and
every error a person can meet (a missing argument, an unknown choice, a number that is not
one) — argparse writes them in English otherwise.

argparse builds those messages deep inside its parsing with `gettext`, which reads a
process-wide catalog chosen by the locale; there is no per-parser hook. So while one of
our parsers parses or formats, the module's `_` and `ngettext` are pointed at the table
below, and put back after (the command line parses once, on one thread).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

# argparse's own strings (Python 3.11) that can reach a person; the others are raised only
# for mistakes in building a parser.
MESSAGES = {
    "usage: ": "cách dùng: ",
    "positional arguments": "tham số",
    "options": "tùy chọn",
    "show this help message and exit": "in hướng dẫn này rồi thoát",
    "%(prog)s: error: %(message)s\n": "%(prog)s: lỗi: %(message)s\n",
    "argument %(argument_name)s: %(message)s": "tham số %(argument_name)s: %(message)s",
    "the following arguments are required: %s": "thiếu tham số bắt buộc: %s",
    "one of the arguments %s is required": "cần một trong các tham số %s",
    "unrecognized arguments: %s": "tham số không nhận ra: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "lựa chọn không hợp lệ: %(value)r (chọn một trong %(choices)s)"
    ),
    "invalid %(type)s value: %(value)r": "giá trị không hợp lệ (cần %(type)s): %(value)r",
    "expected one argument": "cần đúng một giá trị",
    "expected at most one argument": "cần nhiều nhất một giá trị",
    "expected at least one argument": "cần ít nhất một giá trị",
    "expected %s argument": "cần %s giá trị",
    "expected %s arguments": "cần %s giá trị",
    "not allowed with argument %s": "không dùng được cùng tham số %s",
    "ignored explicit argument %r": "bỏ qua giá trị %r (tùy chọn này không nhận giá trị)",
    "ambiguous option: %(option)s could match %(matches)s": (
        "tùy chọn mơ hồ: %(option)s có thể là %(matches)s"
    ),
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "không có lệnh %(parser_name)r (các lệnh: %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "không mở được '%(filename)s': %(error)s",
    "unexpected option string: %s": "tùy chọn không mong đợi: %s",
}


def _translate(text: str) -> str:
    return MESSAGES.get(text, text)


def _translate_plural(one: str, many: str, count: int) -> str:
    return _translate(one if count == 1 else many)


@contextmanager
def _vietnamese() -> Iterator[None]:
    """argparse's messages in Vietnamese for the time of one parse or help text."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = _translate  # type: ignore[attr-defined]
    argparse.ngettext = _translate_plural  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


def whole_number(text: str) -> int:
    """An option's whole-number value (`type=whole_number`): argparse names the type by
    the function's name when the value is not one."""
    return int(text)


whole_number.__name__ = "số nguyên"


class VietnameseParser(argparse.ArgumentParser):
    """An ArgumentParser whose every message is Vietnamese; its subcommands are too (the
    subparsers action makes them of the parent's class)."""

    def __init__(self, *args: Any, add_help: bool = True, **kwargs: Any) -> None:
        kwargs["add_help"] = False  # our own -h, with its help in Vietnamese
        with _vietnamese():
            super().__init__(*args, **kwargs)
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS,
                help=MESSAGES["show this help message and exit"],
            )  # fmt: skip

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        with _vietnamese():
            return super().parse_known_args(args, namespace)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        with _vietnamese():
            return super().parse_args(args, namespace)

    def format_usage(self) -> str:
        with _vietnamese():
            return super().format_usage()

    def format_help(self) -> str:
        with _vietnamese():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        with _vietnamese():
            self.print_usage(sys.stderr)
            self.exit(2, _translate("%(prog)s: error: %(message)s\n") % {
                "prog": self.prog, "message": message,
            })  # fmt: skip
