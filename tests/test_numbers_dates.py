"""Document numbers and dates as the letters write them."""

from __future__ import annotations

from datetime import date

import pytest

from indexer.language.dates import find_dates
from indexer.language.numbers import find_numbers, match_key, number_key, parse_number


@pytest.mark.parametrize(
    ("written", "canonical", "grammar", "type_code"),
    [
        ("600-CV/TU", "600-CV/TU", "party", "CV"),
        ("600 - CV/TU", "600-CV/TU", "party", "CV"),
        ("1879-\n\nCV/TU", "1879-CV/TU", "party", "CV"),
        ("36-HD/VPTW", "36-HD/VPTW", "party", "HD"),
        ("128 / NQ - CP", "128/NQ-CP", "state", "NQ"),
        ("5123/UBND-KGVX", "5123/UBND-KGVX", "state", None),
        ("1234 /UBND-KGVX", "1234/UBND-KGVX", "state", None),
        ("15/2021/NQ-HĐND", "15/2021/NQ-HĐND", "state", "NQ"),
        ("23/2021/QĐ-TTg", "23/2021/QĐ-TTg", "state", "QĐ"),
        ("1063/CĐ-TTg", "1063/CĐ-TTg", "state", "CĐ"),
        # Older State numbers join their codes with "/" (issue 21, point 6).
        ("12/2001/QĐ/BXD", "12/2001/QĐ/BXD", "state", "QĐ"),
        ("245 / QĐ / UB", "245/QĐ/UB", "state", "QĐ"),
        ("202/2025/QH15", "202/2025/QH15", "state", None),
        # A joint letter lists its bodies' codes with commas (issue 21, point 6).
        ("154/CTPH-LĐLĐ-SVH,TT,DL", "154/CTPH-LĐLĐ-SVH,TT,DL", "state", None),
    ],
)
def test_numbers_are_canonical(
    written: str, canonical: str, grammar: str, type_code: str | None
) -> None:
    (number,) = find_numbers(f"theo văn bản số {written} ngày 11/10/2021")
    assert (number.text, number.grammar, number.type_code) == (canonical, grammar, type_code)


@pytest.mark.parametrize(
    "text", ["Covid-19", "ngày 18/7/2021", "3/4 số xã", "F0, F1, F2", "tỷ lệ 1/2/3", "km/h"]
)
def test_non_numbers_are_not_numbers(text: str) -> None:
    assert find_numbers(text) == []


def test_a_comma_and_a_space_end_a_number() -> None:
    found = find_numbers("theo Công văn số 12/UBND-VP, TT hướng dẫn và 5/QĐ-UBND,ngày 2/3")
    assert [number.text for number in found] == ["12/UBND-VP", "5/QĐ-UBND"]


def test_query_numbers_any_case() -> None:
    number = parse_number("68/nq-cp")
    assert number is not None and number.key == number_key("68/NQ-CP")
    assert number_key("23/2021/QD-TTg") == number_key("23/2021/QĐ-TTg")
    # An older number is found however it is typed: with its slash, or with a dash.
    assert match_key("12/2001/QĐ-BXD") == match_key("12/2001/QĐ/BXD")


def test_dates_day_first_in_every_form() -> None:
    text = (
        "Thái Nguyên, ngày 06 tháng 11 năm 2021; Nghị quyết 128/NQ-CP ngày 11/10/2021; "
        "Thông báo 368-TB/TU, ngày 13-8-2021; Covid-19; 09/CT-UBND; từ 01/11 đến 15h00'"
    )
    assert [d for d, _ in find_dates(text)] == [
        date(2021, 11, 6),
        date(2021, 10, 11),
        date(2021, 8, 13),
    ]


def test_impossible_dates_are_ignored() -> None:
    assert find_dates("ngày 31/02/2021 và 12/13/2021") == []
