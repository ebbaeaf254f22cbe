"""Gazetteer of the 63 provinces and their districts (the scheme in force until 30 June 2025).

Built from the `vietnamadminunits` package's legacy (63-province) data rather than a
hand-typed list. Letters of 2020–2022 name units as they were then, so one later rename is
undone: Thừa Thiên Huế became the centrally-run city Huế on 1 January 2025.

A district name shared by several provinces (Châu Thành, Phú Tân, …) is ambiguous and
never decides a province on its own; the data tells which names those are.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache

from indexer.language.vietnamese import fold

# Names as letters of 2020–2022 wrote them, where the package has a later name.
HISTORICAL_NAMES = {"Huế": "Thừa Thiên Huế"}
CENTRAL_CITIES = {"Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ"}


@dataclass(frozen=True)
class Gazetteer:
    """Provinces and districts by folded name, and the one spelling of names that have one."""

    provinces: dict[str, str]  # folded name → province display name
    districts: dict[str, tuple[str, ...]]  # folded district name → provinces that have one
    spellings: dict[str, str]  # folded name → its one spelling with diacritics

    def province(self, name: str) -> str | None:
        """The province a name stands for (diacritics optional), or None."""
        return self.provinces.get(fold(name))

    def district_provinces(self, name: str) -> tuple[str, ...]:
        """The provinces that have a district of this name (several: it is ambiguous)."""
        return self.districts.get(fold(name), ())


@cache
def gazetteer() -> Gazetteer:
    """Loaded once, on first use (the package reads a few MB of JSON on import)."""
    from vietnamadminunits.parser import parser_legacy

    provinces: dict[str, str] = {}
    districts: defaultdict[str, set[str]] = defaultdict(set)
    spellings: defaultdict[str, set[str]] = defaultdict(set)
    for key, unit in parser_legacy.DICT_PROVINCE.items():
        name = HISTORICAL_NAMES.get(unit["provinceShort"], unit["provinceShort"])
        provinces[fold(name)] = name
        provinces[fold(unit["provinceShort"])] = name
        spellings[fold(name)].add(name)
        for district in parser_legacy.DICT_PROVINCE_DISTRICT.get(key, {}).values():
            districts[fold(district["districtShort"])].add(name)
            spellings[fold(district["districtShort"])].add(district["districtShort"])
    return Gazetteer(
        provinces,
        {k: tuple(sorted(v)) for k, v in districts.items()},
        {k: next(iter(v)) for k, v in spellings.items() if len(v) == 1},
    )


# A unit word, then a proper name of one to four capitalized syllables.
_NAME = r"(?P<name>[A-ZĐÀ-Ỹ][\wÀ-ỹ]*(?:\s(?:-\s)?[A-ZĐÀ-Ỹ][\wÀ-ỹ]*){0,3})"
_PROVINCE_CUE = re.compile(
    rf"\b(?:tỉnh|Tỉnh|Tỉnh ủy|TỈNH ỦY|Đảng bộ tỉnh|UBND tỉnh|Ủy ban nhân dân tỉnh|"
    rf"thành phố|Thành phố|Thành ủy|TP\.?)\s+{_NAME}"
)
_DISTRICT_CUE = re.compile(
    rf"\b(?:huyện|Huyện|Huyện ủy|quận|Quận|Quận ủy|thị xã|Thị xã|Thị ủy|thành phố|Thành phố|"
    rf"Thành ủy)\s+{_NAME}"
)


@dataclass(frozen=True)
class PlaceCue:
    """A province the letter points to, and the words that point to it."""

    province: str
    evidence: str  # the words in the letter that point to the province


def _longest_prefix(name: str, lookup: Mapping[str, object]) -> str | None:
    words = name.split()
    for size in range(len(words), 0, -1):
        candidate = " ".join(words[:size])
        if fold(candidate) in lookup:
            return candidate
    return None


def place_cues(text: str) -> list[PlaceCue]:
    """Every unambiguous pointer to a province in the text, in order."""
    places = gazetteer()
    cues: list[PlaceCue] = []
    for match in _PROVINCE_CUE.finditer(text):
        name = _longest_prefix(match["name"], places.provinces)
        if name:
            province = places.provinces[fold(name)]
            cues.append(PlaceCue(province, text[match.start() : match.start("name") + len(name)]))
    for match in _DISTRICT_CUE.finditer(text):
        name = _longest_prefix(match["name"], places.districts)
        if name and len(places.district_provinces(name)) == 1:
            (province,) = places.district_provinces(name)
            cues.append(PlaceCue(province, text[match.start() : match.start("name") + len(name)]))
    return cues


def spelled(place: str) -> str:
    """A place name with the gazetteer's diacritics when only its tones differ from one
    known unit ("Nghỉ Lộc" read by OCR → "Nghi Lộc"); otherwise as written."""
    return gazetteer().spellings.get(fold(place), place)


def province_of_place(place: str) -> str | None:
    """The province a header place names: itself a province, or a district of one."""
    places = gazetteer()
    province = places.province(place)
    if province:
        return province
    owners = places.district_provinces(place)
    return owners[0] if len(owners) == 1 else None


# The 34 provinces and centrally-run cities from 1 July 2025 (Nghị quyết 202/2025/QH15).
NEW_SCHEME_FROM = date(2025, 7, 1)


@cache
def provinces_from_2025() -> dict[str, str]:
    """Folded name → name, for the 34-province scheme."""
    from vietnamadminunits.parser import parser_from_2025

    units = parser_from_2025.DICT_PROVINCE.values()
    return {fold(unit["provinceShort"]): unit["provinceShort"] for unit in units}


def province_on(name: str, on: str | None) -> str | None:
    """The province `name` is, in the scheme in force on the letter's date (ISO, or None:
    either scheme); None when it is not a province of that scheme."""
    key = fold(name)
    if key in ("thua thien hue", "hue"):  # renamed on 1 January 2025
        key = "hue" if on and on >= "2025-01-01" else "thua thien hue"
    new = provinces_from_2025().get(key)
    old = gazetteer().provinces.get(key)
    if on is None:
        return old or new
    return new if date.fromisoformat(on) >= NEW_SCHEME_FROM else old
