"""The `congvan` command's arguments (`build_parser`), and argparse speaking Vietnamese:
the usage, section titles, -h and every error a person can meet (a missing argument, an
unknown choice, a number that is not one) — argparse writes them in English otherwise.

argparse builds those messages deep inside its parsing with `gettext`, which reads a
process-wide catalog chosen by the locale; there is no per-parser hook. So while one of
our parsers parses or formats, the module's `_` and `ngettext` are pointed at the table
below, and put back after (the command line parses once, on one thread).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

from indexer.language.letter import EDITABLE

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
        """argparse's `parse_known_args`, its messages in Vietnamese."""
        with _vietnamese():
            return super().parse_known_args(args, namespace)

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        """argparse's `parse_args`, its messages in Vietnamese."""
        with _vietnamese():
            return super().parse_args(args, namespace)

    def format_usage(self) -> str:
        """The usage line, in Vietnamese."""
        with _vietnamese():
            return super().format_usage()

    def format_help(self) -> str:
        """The help text, in Vietnamese."""
        with _vietnamese():
            return super().format_help()

    def error(self, message: str) -> NoReturn:
        """The usage and the error on stderr, in Vietnamese; exit 2."""
        with _vietnamese():
            self.print_usage(sys.stderr)
            self.exit(2, _translate("%(prog)s: error: %(message)s\n") % {
                "prog": self.prog, "message": message,
            })  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The `congvan` command's parser: `command` names the subcommand given."""
    parser = VietnameseParser(prog="congvan", description="Kho và tra cứu công văn.")
    parser.add_argument("--data", metavar="THƯ_MỤC",
                        help="thư mục dữ liệu (mặc định $CONGVAN_DATA, nếu không có thì ./data); "
                             "kho mẫu của `./dev run` ở sample-data")  # fmt: skip
    commands = parser.add_subparsers(
        dest="command", required=True, title="lệnh", metavar="LỆNH",
        help="gõ `congvan LỆNH -h` để xem hướng dẫn của từng lệnh",
    )  # fmt: skip

    ingest = commands.add_parser("ingest", help="lưu trữ và đánh chỉ mục tệp hoặc thư mục")
    ingest.add_argument("paths", nargs="+", metavar="ĐƯỜNG_DẪN", help="tệp hoặc thư mục (đệ quy)")

    serve = commands.add_parser("serve", help="chạy giao diện web và API")
    serve.add_argument("--host", default="127.0.0.1", metavar="ĐỊA_CHỈ",
                       help="địa chỉ lắng nghe (mặc định %(default)s: chỉ máy này)")  # fmt: skip
    serve.add_argument("--port", type=whole_number, default=8000, metavar="CỔNG",
                       help="cổng (mặc định %(default)s)")  # fmt: skip
    serve.add_argument("--threads", type=whole_number, default=8, metavar="SỐ",
                       help="số luồng phục vụ cùng lúc (mặc định %(default)s)")  # fmt: skip
    serve.add_argument("--processes", type=whole_number, default=os.cpu_count() or 1,
                       metavar="SỐ",
                       help="số tiến trình phục vụ (mặc định: số lõi, %(default)s)")  # fmt: skip
    # A helper process of a server: serves on the socket its first process opened.
    serve.add_argument("--listening-fd", type=int, help=argparse.SUPPRESS)
    serve.add_argument("--helper-of", type=int, help=argparse.SUPPRESS)
    serve.add_argument("--wake-fd", type=int, help=argparse.SUPPRESS)

    rebuild = commands.add_parser("reindex", help="dựng lại chỉ mục tìm kiếm từ danh mục")
    rebuild.add_argument("--pending", action="store_true", help="chỉ áp dụng cập nhật đang chờ")

    search = commands.add_parser("search", help="tìm kiếm từ dòng lệnh")
    search.add_argument("query", metavar="TỪ_KHÓA",
                        help="từ khóa (có dấu hoặc không), \"cụm từ\" hoặc số ký hiệu")  # fmt: skip
    search.add_argument("--json", action="store_true", help="in kết quả dạng JSON như API")
    search.add_argument("--limit", type=whole_number, default=20, metavar="SỐ",
                        help="số văn bản in ra nhiều nhất (mặc định %(default)s)")  # fmt: skip

    ocr = commands.add_parser("ocr", help="nhận dạng chữ các bản quét đang chờ (tiếp tục được)")
    ocr.add_argument("--pending", action="store_true", required=True,
                     help="mọi văn bản đang chờ OCR; trang đã xong không làm lại")  # fmt: skip

    user = commands.add_parser("user", help="tài khoản cán bộ (tải lên, sửa siêu dữ liệu)")
    user.add_argument("action", choices=("add", "passwd", "list"), metavar="VIỆC",
                      help="add: tạo tài khoản; passwd: đổi mật khẩu; list: liệt kê")  # fmt: skip
    user.add_argument("name", nargs="?", metavar="TÊN", help="tên đăng nhập (add, passwd)")
    user.add_argument("--admin", action="store_true", help="quản trị viên (add)")
    user.add_argument("--password-stdin", action="store_true",
                      help="đọc mật khẩu từ stdin (cho script) thay vì hỏi")  # fmt: skip

    check = commands.add_parser(
        "check", help="kiểm tra tính nguyên vẹn của bản gốc và sự khớp của danh mục, kho, chỉ mục"
    )
    check.add_argument("--repair", action="store_true",
                       help="làm lại những gì dựng lại được (chỉ mục, tệp tạm); không bao giờ "
                            "đụng tới bản gốc")  # fmt: skip
    check.add_argument("--json", action="store_true", help="báo cáo dạng JSON")

    save = commands.add_parser("backup", help="sao lưu danh mục và bản gốc (kèm mã băm) vào DIR")
    save.add_argument("folder", metavar="DIR", help="thư mục sao lưu (nên ở ổ hoặc máy khác)")
    back = commands.add_parser("restore", help="khôi phục bản sao lưu vào thư mục dữ liệu trống")
    back.add_argument("folder", metavar="DIR", help="thư mục sao lưu")
    back.add_argument("--snapshot", metavar="TÊN",
                      help="tên bản sao lưu (mặc định: bản mới nhất)")  # fmt: skip

    fix = commands.add_parser("correct", help="sửa siêu dữ liệu của một loạt văn bản cùng lúc")
    fix.add_argument("ids", nargs="+", type=whole_number, metavar="SỐ_VĂN_BẢN",
                     help="số văn bản (#) cần sửa")  # fmt: skip
    fix.add_argument("--set", action="append", required=True, metavar="TRƯỜNG=GIÁ_TRỊ",
                     help=f"giá trị mới (để trống để xóa; danh sách ngăn bằng ;); "
                          f"trường: {', '.join(EDITABLE)}")  # fmt: skip
    fix.add_argument("--author", required=True, metavar="TÊN",
                     help="tên người sửa (ghi vào lịch sử)")  # fmt: skip

    review = commands.add_parser(
        "review", help="các văn bản có trường cần xem lại, mới nhất trước (sửa: `congvan correct`)"
    )
    review.add_argument("--after", type=whole_number, metavar="SỐ_VĂN_BẢN",
                        help="chỉ những văn bản cũ hơn văn bản này")  # fmt: skip
    review.add_argument("--limit", type=whole_number, default=20, metavar="SỐ",
                        help="số văn bản in ra nhiều nhất (mặc định %(default)s)")  # fmt: skip
    review.add_argument("--json", action="store_true", help="in dạng JSON như /api/review")

    evaluation = commands.add_parser(
        "eval-metadata", help="đo độ chính xác siêu dữ liệu theo từng trường"
    )
    evaluation.add_argument("folder", metavar="THƯ_MỤC", help="thư mục văn bản")
    evaluation.add_argument("expected", metavar="TỆP_JSON",
                            help="tệp JSON giá trị mong đợi (theo tên tệp)")  # fmt: skip
    evaluation.set_defaults(uses_data=False)
    back.set_defaults(uses_data=False)  # it wants an empty data folder
    return parser
