"""Citations: the documents a letter refers to, with the wording around each.

`Thực hiện Nghị quyết số 128/NQ-CP ngày 11/10/2021 của Chính phủ về …` gives the number
128/NQ-CP, the type word "Nghị quyết", the date 2021-10-11, the issuer "Chính phủ" and the
relation "implements". The relation comes from the clause that introduces the citation.
"""

from __future__ import annotations

import re

from archive.catalog import Citation
from indexer.dates import find_dates
from indexer.numbers import find_numbers

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


def find_citations(text: str) -> list[Citation]:
    """Every cited document number in reflowed text, in order, with what the text says."""
    citations: list[Citation] = []
    for number in find_numbers(text):
        clause = _clause_before(text, number.start)
        details: dict[str, str] = {}
        type_word = TYPE_WORDS.search(text[max(0, number.start - 40) : number.start])
        if type_word:
            details["type_word"] = type_word["word"][:1].upper() + type_word["word"][1:].lower()
        after = text[number.end : number.end + 160]
        dates = [d for d, pos in find_dates(after) if pos < 30]
        if dates:
            details["date"] = dates[0].isoformat()
        issuer = _ISSUER.match(after)
        if issuer:
            details["issuer"] = issuer["issuer"].strip()
        citations.append(Citation(number.text, number.key, _relation(clause), details))
    return citations
