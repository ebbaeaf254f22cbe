"""The number and date a clerk wrote by hand into the header's blanks, from the readings of
the handwriting recogniser (`indexer.pages.handwriting`).

A reading becomes the letter's value only when its probability reaches `SURE`: on the
shared real scans the highest-scoring wrong best reading scored 0.244 (docs/handwriting.md),
so a value needs twice that, rounded up. Below it the field stays null, marked for review with
its best three readings. Constraints decide between readings before they are weighed: a
day is 1–31 and a month 1–12, the date exists, is not after today (the letter is being
archived) and not before the latest date of a document it cites; the printed year is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from itertools import product

from indexer.language.numbers import ISSUER_CODES, TYPE_CODES, find_numbers
from indexer.language.vietnamese import fold
from indexer.letter.zones import Zones
from indexer.pages.handwriting import notation_after_blank
from indexer.pages.layout import Blank

SURE = 0.5
TOP = 3
METHOD = "ocr:handwriting"  # a field's source when the recogniser read it
# The codes a notation read without accents is respelled to (the recogniser knows no "Đ").
_KNOWN = TYPE_CODES | ISSUER_CODES
_RESPELLED = {fold(code).upper(): code for code in _KNOWN}


@dataclass(frozen=True)
class HandReading:
    """What the blanks say of one field: its value when sure, else the readings to review."""

    value: object | None  # a DocumentNumber, or a date's ISO text
    candidates: tuple[tuple[str, float], ...]
    page: int

    def review(self, what: str) -> str:
        """The review note: the field unsure, with its readings."""
        readings = ", ".join(f"{value} ({score:.0%})" for value, score in self.candidates)
        return f"{what} viết tay đọc chưa chắc chắn: {readings or 'không đọc được'}"


def _notation(printed: str | None, blank: Blank) -> list[tuple[str, bool]]:
    """The notation after the number's blank, and whether a value may rest on it: as
    Tesseract read the printed line (it knows Vietnamese letters), then as the recogniser
    read it. The recogniser knows no "Đ": a code it read with a "D" that is no known code
    (`DCT`, or `ĐCT`?) is offered for review, never stored."""
    found = []
    if printed and "/" in printed:
        notation = printed.split("/", 1)[1].lstrip("/ ").replace("- ", "-").rstrip(" .,;")
        found.append((notation, True))
    read = notation_after_blank(blank.line)
    parts = [_respelled(part) for part in read.split("-")] if read else []
    if parts:
        sure = all(part in _KNOWN or "D" not in part.upper() for part in parts)
        found.append(("-".join(parts), sure))
    return found


# Letters of print the recogniser takes for one another, whatever the code's length.
_CONFUSED = {"O": "Q", "Q": "O", "0": "O"}


def _respelled(code: str) -> str:
    """A code of a notation the recogniser read, toward the notation grammar: spelled as
    the known code it folds to (`QD` → `QĐ`); else the one known code it becomes by a
    letter print is misread as (`OD` → `QĐ`); else, for codes of four letters or more, the
    one known code of its length it misses by one letter (`UBNI` → `UBND`; a shorter code
    such as `BCA` is too near others to respell); otherwise as read."""
    upper = code.upper()
    known = _RESPELLED.get(upper)
    if known:
        return known
    confused = {
        _RESPELLED[respelled]
        for i, letter in enumerate(upper)
        for other in _CONFUSED.get(letter, "")
        if (respelled := upper[:i] + other + upper[i + 1 :]) in _RESPELLED
    }
    if len(confused) == 1:
        return confused.pop()
    near = {
        spelled
        for folded, spelled in _RESPELLED.items()
        if len(folded) == len(code) > 3
        and sum(a != b for a, b in zip(folded, upper, strict=True)) == 1
    }
    return near.pop() if len(near) == 1 else code


def hand_number(zones: Zones, printed: str | None, page: int) -> HandReading | None:
    """The letter's number from its blank; `printed`: the number line as first read."""
    blank = zones.blank("number")
    if blank is None:
        return None
    for notation, trusted in _notation(printed, blank):
        candidates = []
        for reading in blank.readings:
            text = f"{reading.text}/{notation}"
            numbers = find_numbers(text)  # the whole notation, or it is not this number
            if numbers and numbers[0].start == 0 and numbers[0].end == len(text):
                candidates.append((numbers[0], reading.score))
        if candidates:
            best, score = candidates[0]
            shown = tuple((number.text, score) for number, score in candidates[:TOP])
            return HandReading(best if trusted and score >= SURE else None, shown, page)
    return None


def hand_date(zones: Zones, not_before: date | None, page: int) -> HandReading | None:
    """The letter's date from its day and month blanks beside the printed year."""
    day, month = zones.blank("day"), zones.blank("month")
    if day is None or month is None or not (day.year or month.year):
        return None
    year = int(day.year or month.year or 0)
    dated = []
    for d, m in product(day.readings, month.readings):
        found = _valid(year, m.text, d.text)
        if found and found <= date.today() and (not_before is None or found >= not_before):
            dated.append((found.isoformat(), round(d.score * m.score, 4)))
    if not dated:
        return HandReading(None, (), page)
    dated.sort(key=lambda item: -item[1])
    best, score = dated[0]
    return HandReading(best if score >= SURE else None, tuple(dated[:TOP]), page)


def hand_month(zones: Zones, not_before: date | None) -> str | None:
    """The month and year ("2026-04") when the day could not be read for sure but the month
    blank's best reading is a month (1–12) of probability ≥ `SURE`, not after this month
    and not before the month of the latest date the letter cites."""
    month = zones.blank("month")
    day = zones.blank("day")
    year = (month and month.year) or (day and day.year)
    if month is None or not year:
        return None
    valid = [r for r in month.readings if _valid(2000, r.text, "1")]  # a month 1–12
    if not valid or valid[0].score < SURE:
        return None
    first = date(int(year), int(valid[0].text), 1)
    latest = not_before.replace(day=1) if not_before else None
    if first > date.today() or (latest is not None and first < latest):
        return None
    return first.isoformat()[:7]


def _valid(year: int, month: str, day: str) -> date | None:
    if not (re.fullmatch(r"\d{1,2}", month) and re.fullmatch(r"\d{1,2}", day)):
        return None
    try:
        return date(year, int(month), int(day))
    except ValueError:
        return None
