"""Citations: the documents a letter refers to, with the wording around each.

`Thực hiện Nghị quyết số 128/NQ-CP ngày 11/10/2021 của Chính phủ về …` gives the number
128/NQ-CP, the type word "Nghị quyết", the date 2021-10-11, the issuer "Chính phủ" and the
relation "implements". The relation comes from the clause that introduces the citation.
"""

from __future__ import annotations

import re

from indexer.language.dates import find_dates
from indexer.language.doc_types import NAME_OF
from indexer.language.letter import Citation
from indexer.language.numbers import find_numbers, held_number

RELATIONS = (
    ("basis", re.compile(r"\bCăn cứ\b", re.I)),
    ("follows_up", re.compile(r"\bTiếp theo\b", re.I)),
    ("implements", re.compile(r"\b(?:Thực hiện|Triển khai|Thi hành)\b", re.I)),
)
TYPE_WORDS = re.compile(
    r"(?P<word>Nghị quyết|Chỉ thị|Thông báo|Kết luận|Công văn|Quyết định|Kế hoạch|Công điện|"
    r"Hướng dẫn|Thông tư|Nghị định|Luật|Quy định|Chương trình|Báo cáo|Thông tri|Tờ trình)"
    r"(?:\s+liên tịch)?\s*(?:số\s*)?:?\s*$",
    re.I,
)
_CLAUSE_START = re.compile(r"[.;:\n]|(?:^|\s)[-+]\s")
_ISSUER = re.compile(
    r"^[\s,]*(?:ngày[^,;]*?\d{4}\s*)?,?\s*của\s+(?P<issuer>[^,;()]+?)"
    r"(?=\s+(?:về|V/v|quy định|ban hành|hướng dẫn|tại|đã|và)\b|[,;.()]|$)"
)


def _clause_before(text: str, start: int) -> str:
    window = text[max(0, start - 200) : start]
    parts = _CLAUSE_START.split(window)
    return parts[-1] if parts else window


def _relation(clause: str) -> str:
    for name, pattern in RELATIONS:
        if pattern.search(clause):
            return name
    return "mentions"


# Colloquial citations ("NQ 68 của Chính phủ", "Chỉ thị 16 ngày 31/3/2020 của Thủ tướng
# Chính phủ") name the type and the issuer: only then is the full number certain.
_INFORMAL_CODES = ("NQ", "CT", "QĐ", "CĐ", "KL")  # the types cited so, by code or name
_TYPE_CODES = {NAME_OF[code].lower(): code for code in _INFORMAL_CODES}  # name → code
_INFORMAL = re.compile(
    rf"\b(?P<type>{'|'.join((*_INFORMAL_CODES, *(NAME_OF[c] for c in _INFORMAL_CODES)))})"
    r"\s+(?:số\s+)?(?P<number>\d{1,4})(?![\d/-])(?P<between>[^.;:()]{0,40}?)\bcủa\s+"
    r"(?P<issuer>Thủ tướng Chính phủ|Chính phủ|Bộ Chính trị|Ban Bí thư|Ban Chấp hành Trung ương)"
)
_STATE_ISSUERS = {"Chính phủ": "CP", "Thủ tướng Chính phủ": "TTg"}


def _informal_number(match: re.Match[str]) -> str:
    code = _TYPE_CODES.get(match["type"].lower(), match["type"])
    issuer = match["issuer"]
    if issuer in _STATE_ISSUERS:
        return f"{match['number']}/{code}-{_STATE_ISSUERS[issuer]}"
    return f"{match['number']}-{code}/TW"


def _details(text: str, start: int, end: int) -> dict[str, str]:
    """The type word before a citation, and the date and issuer after it."""
    details: dict[str, str] = {}
    type_word = TYPE_WORDS.search(text[max(0, start - 40) : start])
    if type_word:
        details["type_word"] = type_word["word"][:1].upper() + type_word["word"][1:].lower()
    after = text[end : end + 160]
    dates = [d for d, pos in find_dates(after) if pos < 30]
    if dates:
        details["date"] = dates[0].isoformat()
    issuer = _ISSUER.match(after)
    if issuer:
        details["issuer"] = issuer["issuer"].strip()
    return details


def find_citations(text: str) -> list[Citation]:
    """Every cited document number in reflowed text, in order, with what the text says."""
    found: list[tuple[int, Citation]] = []
    for number in find_numbers(text):
        details = _details(text, number.start, number.end)
        relation = _relation(_clause_before(text, number.start))
        found.append((number.start, Citation(number, relation, details)))
    for match in _INFORMAL.finditer(text):
        canonical = _informal_number(match)
        word = match["type"]
        details = {
            "written": match.group(0),
            "issuer": match["issuer"],
            "type_word": word if len(word) > 3 else _type_word(word),
        }
        dates = [d for d, pos in find_dates(match["between"]) if pos < 30]
        if dates:
            details["date"] = dates[0].isoformat()
        relation = _relation(_clause_before(text, match.start()))
        found.append((match.start(), Citation(held_number(canonical), relation, details)))
    return [citation for _, citation in sorted(found, key=lambda item: item[0])]


def _type_word(code: str) -> str:
    words = {code: word for word, code in _TYPE_CODES.items()}
    word = words.get(code, code)
    return word[:1].upper() + word[1:]
