"""The issuer's register (sổ đăng ký văn bản đi): one issuer numbers its letters of one
notation in the order it issues them through a year, so their serials rise with their
dates. The other letters of the register therefore say something of a letter whose number
or date is unknown:

- an unsure handwritten number: a candidate whose serial would break that order (a lower
  serial dated later, or a higher one dated earlier, than this letter) is flagged in the
  number's review note;
- a number without a date: the date lies between its neighbours' (the latest date of a
  lower serial, the earliest of a higher one); the bounds are written in the date's review
  note, the lower one becomes `date_not_before` when the letter gives none, and when both
  fall in one month the letter stands in that month (`date_month`).

Only letters whose own number and date are known (read or corrected) make the register;
a register out of order itself (a lower bound after the upper) gives nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from archive.catalog import Catalog
from indexer.followup.cited_as import own_value, same_issuer
from indexer.language.letter import Letter
from indexer.language.numbers import held_number

_SERIAL = re.compile(r"^(?P<serial>\d+)(?P<notation>[/-].+)$")


@dataclass(frozen=True, order=True)
class _Entry:
    serial: int
    date: str
    number: str


def _parts(number_key: str) -> tuple[int, str] | None:
    """A number key's serial and notation (`729/qd-ttg` → 729, `/qd-ttg`)."""
    found = _SERIAL.match(number_key)
    return (int(found["serial"]), found["notation"]) if found else None


def notation_of(number_key: str) -> str | None:
    """The notation key a register is kept under (`/qd-ttg`)."""
    parts = _parts(number_key)
    return parts[1] if parts else None


def _register(
    catalog: Catalog, notation: str, letter_id: int, letter: Letter, year: str
) -> list[_Entry]:
    """The issuer's other letters of this notation and year, by serial."""
    ids = [i for i in catalog.documents_notated(notation) if i != letter_id]
    entries = []
    for other in catalog.letters(ids).values():
        number, dated = own_value(other, "number"), own_value(other, "date")
        parts = _parts(number.key) if number else None
        if not parts or parts[1] != notation or not dated or dated[:4] != year:
            continue
        if same_issuer(other.issuer, letter.issuer):
            entries.append(_Entry(parts[0], dated, number.text))
    return sorted(entries)


def _bounds(entries: list[_Entry], serial: int) -> tuple[_Entry | None, _Entry | None]:
    """The lower serial dated latest and the higher serial dated earliest."""
    lower = max((e for e in entries if e.serial < serial), key=lambda e: e.date, default=None)
    upper = min((e for e in entries if e.serial > serial), key=lambda e: e.date, default=None)
    if lower and upper and lower.date > upper.date:
        return None, None  # the register is out of order itself
    return lower, upper


def _shown(entry: _Entry) -> str:
    year, month, day = entry.date.split("-")
    return f"số {entry.number} ngày {day}/{month}/{year}"


def _year(letter: Letter) -> str | None:
    """The year the letter was issued in, as far as it says."""
    dated = own_value(letter, "date") or letter.date_month
    if dated:
        return str(dated[:4])
    years = {value[:4] for value, _ in letter.provenance.candidates.get("date", ())}
    return years.pop() if len(years) == 1 else None


def _breaking(entries: list[_Entry], letter: Letter, candidates: list[str]) -> list[str]:
    """The candidates whose serial breaks the register's order, each with the letter that
    shows it."""
    own = own_value(letter, "date")
    first = own or (f"{letter.date_month}-01" if letter.date_month else None)
    last = own or (f"{letter.date_month}-31" if letter.date_month else None)
    if not first or not last:
        return []
    flagged = []
    for text in candidates:
        parts = _parts(held_number(text).key)
        if parts is None:
            continue
        lower, upper = _bounds(entries, parts[0])
        if lower and lower.date > last:
            flagged.append(f"{text} trái thứ tự sổ ({_shown(lower)} đã sau ngày này)")
        elif upper and upper.date < first:
            flagged.append(f"{text} trái thứ tự sổ ({_shown(upper)} đã trước ngày này)")
    return flagged


def _number_flags(catalog: Catalog, letter_id: int, letter: Letter) -> dict[str, Any]:
    candidates = [value for value, _ in letter.provenance.candidates.get("number", ())]
    year = _year(letter)
    notations = {notation_of(held_number(text).key) for text in candidates}
    if not candidates or year is None or len(notations) != 1 or None in notations:
        return {}
    (notation,) = notations
    assert notation is not None
    flagged = _breaking(_register(catalog, notation, letter_id, letter, year), letter, candidates)
    return {"review": {"number": "; ".join(flagged)}} if flagged else {}


def _date_bounds(catalog: Catalog, letter_id: int, letter: Letter) -> dict[str, Any]:
    number, year = own_value(letter, "number"), _year(letter)
    parts = _parts(number.key) if number else None
    if parts is None or year is None:
        return {}
    lower, upper = _bounds(_register(catalog, parts[1], letter_id, letter, year), parts[0])
    if lower is None and upper is None:
        return {}
    said = [f"sau {_shown(lower)}" if lower else "", f"trước {_shown(upper)}" if upper else ""]
    note = "theo sổ của cơ quan ban hành: " + ", ".join(s for s in said if s)
    found: dict[str, Any] = {"review": {"date": note}}
    evidence = {"evidence": note}
    if lower and own_value(letter, "date_not_before") is None:
        found["date_not_before"] = {"value": lower.date, **evidence}
    same_month = lower and upper and lower.date[:7] == upper.date[:7]
    if same_month and lower and own_value(letter, "date_month") is None:
        found["date_month"] = {"value": lower.date[:7], **evidence}
    return found


def from_register(catalog: Catalog, letter_id: int, letter: Letter) -> dict[str, Any]:
    """What the issuer's register says of the letter's unknown number or date."""
    if own_value(letter, "date") is not None and own_value(letter, "number") is not None:
        return {}
    if own_value(letter, "number") is None:
        return _number_flags(catalog, letter_id, letter)
    return _date_bounds(catalog, letter_id, letter)


def register_neighbours(catalog: Catalog, letters: dict[int, Letter]) -> set[int]:
    """The letters awaiting the register that share a notation with these letters."""
    keys = [letter.number.key for letter in letters.values() if letter.number]
    notations = {notation for key in keys if (notation := notation_of(key))}
    if not notations:
        return set()
    awaiting = catalog.documents_awaiting_register()
    return {i for i, key in awaiting if notation_of(key) in notations} - set(letters)
