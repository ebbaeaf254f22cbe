"""Inference for letters whose header is lost: fill unknown fields from evidence, never guess.

Each inferred value is recorded in the letter's provenance (`Inferred`, its evidence) with the
words of the letter (or the other letter) it rests on. A stated value is never replaced.
Rules, in order of strength:

- issuer body: the Party issuer code of the letter's own number (`600-CV/TU` → Tỉnh ủy),
  the office that files the copy (`Lưu Văn phòng Tỉnh ủy`, `Lưu VPTU`), or the body that
  speaks (`Ban Thường vụ Tỉnh ủy yêu cầu`);
- province: the place in the date line when it is a province or an unambiguous district,
  else place names in the text (`huyện Đình Lập` → Lạng Sơn) when they all agree;
- issuer: the body from the number's code and a province, when both are known.

Across the archive, see `indexer.followup.inference`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from indexer.language.letter import Inferred, Letter
from indexer.language.places import CENTRAL_CITIES, place_cues, province_of_place, province_on

_BODIES = "Tỉnh ủy|Huyện ủy|Thành ủy|Thị ủy|Quận ủy"
_PARTY_CODES = {"TU": "Tỉnh ủy", "HU": "Huyện ủy", "QU": "Quận ủy"}
# Issuer codes of central bodies (Government, Prime Minister, Party Central Committee and its
# offices, National Assembly, national steering committees) and ministries (BYT, BGDĐT…).
_CENTRAL_CODES = {"CP", "TTg", "TW", "VPTW", "BCT", "BBT", "QH", "UBTVQH", "BCĐQG", "VPCP"}
_MINISTRY = re.compile(r"B(?!CĐ)[A-ZĐ]{1,5}")
_FILING = re.compile(rf"^Lưu:?\s*(?:Văn phòng|VP)\s*(?P<body>{_BODIES})", re.I)
_FILING_CODE = re.compile(r"^Lưu:?\s*VP(?P<code>TU|HU|QU)\b")
_VOICE = re.compile(
    rf"\b(?:Ban Thường vụ|Thường trực) (?P<body>{_BODIES}) "
    r"(?:yêu cầu|đề nghị|chỉ đạo|kết luận|thông báo)\b"
)


def _infer(letter: Letter, field: str, value: str, evidence: str) -> Letter:
    """The letter with `field` filled in, if it is still unknown, and its evidence kept."""
    if getattr(letter, field) is not None:
        return letter
    inferred = {**letter.provenance.inferred, field: Inferred(evidence)}
    filled: dict[str, Any] = {field: value}
    return replace(letter, **filled, provenance=replace(letter.provenance, inferred=inferred))


def _body_from_code(letter: Letter) -> tuple[str, str] | None:
    number = letter.number
    if number is None or number.grammar != "party":
        return None
    code = number.text.rsplit("/", 1)[1]
    body = _PARTY_CODES.get(code)
    return (body, f"ký hiệu {number.text}") if body else None


def _body_from_text(letter: Letter, text: str) -> tuple[str, str] | None:
    for item in letter.distribution:
        filing = _FILING.match(item)
        if filing:
            return filing["body"][:1].upper() + filing["body"][1:].lower(), f"Nơi nhận: {item}"
        code = _FILING_CODE.match(item)
        if code:
            return _PARTY_CODES[code["code"]], f"Nơi nhận: {item}"
    voice = _VOICE.search(text)
    if voice:
        return voice["body"], voice.group(0)
    return None


def _is_central(letter: Letter) -> bool:
    """Whether the number's codes name a central body, signing in Hà Nội for the country."""
    number = letter.number
    if number is None:
        return False
    codes = re.split(r"[-/]", number.text)[1:]
    if number.grammar == "party":  # Party boards of a province (BTGTU) also start with B
        return any(code in _CENTRAL_CODES for code in codes)
    return any(code in _CENTRAL_CODES or _MINISTRY.fullmatch(code) for code in codes)


def _province(letter: Letter, text: str) -> tuple[str, str] | None:
    """From the date line's place, else place names in the text that all agree; only a
    province of the scheme in force on the letter's date (or the latest date it cites)."""
    if _is_central(letter):
        return None
    found = None
    place = letter.place
    named = province_of_place(place) if place else None
    if named:
        found = named, f"nơi ban hành: {place}"
    cues = place_cues(text)
    if found is None and len({cue.province for cue in cues}) == 1:
        found = cues[0].province, cues[0].evidence
    if found is None:
        return None
    province = province_on(found[0], letter.date or letter.date_not_before)
    return (province, found[1]) if province else None


def infer_from_text(letter: Letter, text: str) -> Letter:
    """Fill the fields the letter does not state, from what it says (see module doc)."""
    body = _body_from_code(letter)
    if letter.issuer_body is None:
        found = body or _body_from_text(letter, text)
        if found:
            letter = _infer(letter, "issuer_body", *found)
    if letter.province is None and not letter.central:  # central: no province
        province = _province(letter, text)
        if province:
            letter = _infer(letter, "province", *province)
    if body and letter.province and letter.issuer is None:
        name, evidence = body
        if name == "Tỉnh ủy" and letter.province in CENTRAL_CITIES:
            name = "Thành ủy"
        if name == "Tỉnh ủy" or name == "Thành ủy":
            issuer = f"{name} {letter.province}"
            letter = _infer(letter, "issuer", issuer, f"{evidence}; tỉnh {letter.province}")
    return letter
