"""Dates as Vietnamese letters write them, always day before month.

`ngày 06 tháng 11 năm 2021` (header), `ngày 11/10/2021` (State), `ngày 13-8-2021` (Party),
`01/7/2021`. General-purpose date parsers read these wrongly, so the patterns are explicit;
numbers such as `09/CT-UBND` or `Covid-19` never match because a year is required.
"""

from __future__ import annotations

import re
from datetime import date

WORDED = re.compile(
    r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+năm\s+(?P<y>(?:19|20)\d\d)", re.I
)
NUMERIC = re.compile(
    r"(?<![\w/.-])(?P<d>\d{1,2})\s?(?P<sep>[/.-])\s?(?P<m>\d{1,2})\s?(?P=sep)\s?"
    r"(?P<y>(?:19|20)\d\d)(?![\w/-])"
)


def _valid(day: str, month: str, year: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[date, int]]:
    """Every full date in the text with its position, in order of appearance."""
    found: list[tuple[date, int]] = []
    for pattern in (WORDED, NUMERIC):
        for match in pattern.finditer(text):
            value = _valid(match["d"], match["m"], match["y"])
            if value:
                found.append((value, match.start()))
    return sorted(found, key=lambda item: item[1])
