"""Inference for letters whose header is lost: fill unknown fields from evidence, never guess.

Each inferred value is recorded in `metadata["inferred"][field] = {"evidence": …}` with the
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
from typing import Any

from indexer.language.numbers import parse_number
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


def _infer(metadata: dict[str, Any], field: str, value: str, evidence: str) -> None:
    if metadata.get(field) is None:
        metadata[field] = value
        metadata["inferred"][field] = {"evidence": evidence}


def _body_from_code(metadata: dict[str, Any]) -> tuple[str, str] | None:
    number = parse_number(metadata["number"]) if metadata.get("number") else None
    if number is None or number.grammar != "party":
        return None
    code = number.text.rsplit("/", 1)[1]
    body = _PARTY_CODES.get(code)
    return (body, f"ký hiệu {number.text}") if body else None


def _body_from_text(metadata: dict[str, Any], text: str) -> tuple[str, str] | None:
    for item in metadata.get("distribution") or []:
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


def _is_central(metadata: dict[str, Any]) -> bool:
    """Whether the number's codes name a central body, signing in Hà Nội for the country."""
    number = parse_number(metadata["number"]) if metadata.get("number") else None
    if number is None:
        return False
    codes = re.split(r"[-/]", number.text)[1:]
    if number.grammar == "party":  # Party boards of a province (BTGTU) also start with B
        return any(code in _CENTRAL_CODES for code in codes)
    return any(code in _CENTRAL_CODES or _MINISTRY.fullmatch(code) for code in codes)


def _province(metadata: dict[str, Any], text: str) -> tuple[str, str] | None:
    """From the date line's place, else place names in the text that all agree; only a
    province of the scheme in force on the letter's date (or the latest date it cites)."""
    if _is_central(metadata):
        return None
    found = None
    place = metadata.get("place")
    named = province_of_place(place) if place else None
    if named:
        found = named, f"nơi ban hành: {place}"
    cues = place_cues(text)
    if found is None and len({cue.province for cue in cues}) == 1:
        found = cues[0].province, cues[0].evidence
    if found is None:
        return None
    on = metadata.get("date") or metadata.get("date_not_before")
    province = province_on(found[0], on)
    return (province, found[1]) if province else None


def infer_from_text(metadata: dict[str, Any], text: str) -> dict[str, Any]:
    """Fill the fields the letter does not state, from what it says (see module doc)."""
    inferred = dict(metadata)
    inferred["inferred"] = dict(metadata.get("inferred") or {})
    body = _body_from_code(inferred)
    if inferred.get("issuer_body") is None:
        found = body or _body_from_text(inferred, text)
        if found:
            _infer(inferred, "issuer_body", *found)
    if inferred.get("province") is None and not inferred.get("central"):  # central: no province
        province = _province(inferred, text)
        if province:
            _infer(inferred, "province", *province)
    if body and inferred.get("province") and inferred.get("issuer") is None:
        name, evidence = body
        if name == "Tỉnh ủy" and inferred["province"] in CENTRAL_CITIES:
            name = "Thành ủy"
        if name == "Tỉnh ủy" or name == "Thành ủy":
            _infer(
                inferred,
                "issuer",
                f"{name} {inferred['province']}",
                f"{evidence}; tỉnh {inferred['province']}",
            )
    return inferred
