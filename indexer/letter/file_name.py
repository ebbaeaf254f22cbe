"""The original file's name as a second witness for a number or date read by hand.

Offices name scans after the letter: `CV 753 KH-DCT.pdf`, `qd_729_ttg.pdf`, `nq_115_ba_vi.pdf`,
`01_TB-BGH (22.1.2013)_Tang cuong….pdf`. The name is never trusted alone (a reply is often
named after the letter it answers, a draft after the day it was typed: `17.9.2025.Vv…` for a
letter signed on the 18th); it only weighs in on a value the clerk wrote by hand:

- the value was read unsure (left for review with readings) and the name gives one of
  those readings: the two witnesses agree, the value is kept as inferred, with both as
  its evidence;
- the name gives another value than the reading, sure or unsure: the field is left for
  review with both, never one picked silently.

A number in a name counts only beside a code of the letter's own notation (`qd_729_ttg`,
`298 PC04`, `kh-753`): a scanner's counter (`SCAN0097`) or an upload stamp
(`…-20260629110301`) stands beside none. A date counts only written day first with dots
or dashes (`22.1.2013`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from indexer.language.dates import NUMERIC, find_dates
from indexer.language.letter import Inferred, Letter, Source
from indexer.language.numbers import parse_number
from indexer.language.vietnamese import fold
from indexer.letter.blanks import METHOD as HAND

_NUMBER = "number"
_DATE = "date"
_TOKEN = re.compile(r"[a-z]+|\d+")


def weigh_file_name(letter: Letter, filename: str) -> Letter:
    """The letter with its handwritten number and date weighed against its file's name."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    stem = name.rsplit(".", 1)[0].replace("_", " ")  # `_` joins words, as a space would
    for field, found in ((_NUMBER, _named_number(letter, stem)), (_DATE, _named_date(stem))):
        if found is not None:
            letter = _weighed(letter, field, found, name)
    return letter


def _notations(letter: Letter) -> set[str]:
    """The notations the letter's number may have: its own, or its readings'."""
    texts = [letter.number.text] if letter.number else []
    texts += [text for text, _ in letter.provenance.candidates.get(_NUMBER, ())]
    return {text.split("/", 1)[1] for text in texts if "/" in text}


def _named_number(letter: Letter, stem: str) -> str | None:
    """The letter's number as its file name gives it: a run of digits beside a code of
    the letter's notation, with that notation; None when the name gives none (or two)."""
    tokens = _TOKEN.findall(fold(NUMERIC.sub(" ", stem)).lower())
    found = set()
    for notation in _notations(letter):
        codes = {fold(code).lower() for code in re.split(r"[-/]", notation) if code}
        for i, token in enumerate(tokens):
            beside = {tokens[j] for j in (i - 1, i + 1) if 0 <= j < len(tokens)}
            if token.isdigit() and len(token) <= 5 and beside & codes:
                found.add(f"{token}/{notation}")
    return found.pop() if len(found) == 1 else None


def _named_date(stem: str) -> str | None:
    dates = {found.isoformat() for found, _ in find_dates(stem)}
    return dates.pop() if len(dates) == 1 else None


def _held_text(letter: Letter, field: str) -> str | None:
    value = getattr(letter, field)
    return value.text if field == _NUMBER and value is not None else value


def _weighed(letter: Letter, field: str, named: str, name: str) -> Letter:
    """`field` weighed against the value `named` in the file's name `name`."""
    provenance = letter.provenance
    readings = dict(provenance.candidates.get(field, ()))
    by_hand = provenance.sources.get(field)
    held = _held_text(letter, field)
    if by_hand is not None and by_hand.method == HAND and held is not None:
        if _same(field, held, named):
            return letter
        note = f"chữ viết tay đọc {held}, tên tệp “{name}” ghi {named}: cần đối chiếu bản gốc"
        sources = {k: v for k, v in provenance.sources.items() if k != field}
        return _left_for_review(letter, field, note, sources, ())  # the note holds both
    if held is not None or field not in provenance.review or not readings:
        return letter
    match = next((text for text in readings if _same(field, text, named)), None)
    if match is None:
        note = f"{provenance.review[field]}; tên tệp “{name}” ghi {named}"
        readings_shown = provenance.candidates[field]
        return _left_for_review(letter, field, note, provenance.sources, readings_shown)
    evidence = (
        f"chữ viết tay đọc {match} ({readings[match]:.0%}), tên tệp “{name}” cũng ghi {named}"
    )
    value: dict[str, Any] = {field: _parsed(field, match)}
    return replace(
        letter,
        **value,
        provenance=replace(
            provenance,
            review={k: v for k, v in provenance.review.items() if k != field},
            candidates={k: v for k, v in provenance.candidates.items() if k != field},
            inferred={**provenance.inferred, field: Inferred(evidence)},
        ),
    )


def _left_for_review(
    letter: Letter,
    field: str,
    note: str,
    sources: Mapping[str, Source],
    shown: tuple[tuple[str, float], ...],
) -> Letter:
    """The letter with `field` null, for a person to read, with `note` and the readings."""
    provenance = replace(
        letter.provenance,
        sources=sources,
        review={**letter.provenance.review, field: note},
        candidates={k: v for k, v in letter.provenance.candidates.items() if k != field}
        | ({field: shown} if shown else {}),
    )
    emptied: dict[str, Any] = {field: None}
    return replace(letter, **emptied, provenance=provenance)


def _same(field: str, read: str, named: str) -> bool:
    if field == _DATE:
        return read == named
    return fold(read).lower() == fold(named).lower()


def _parsed(field: str, text: str) -> object:
    return text if field == _DATE else parse_number(text)
