"""Document numbers ("số, ký hiệu") of Party and State letters.

Party (Hướng dẫn 36-HD/VPTW): number, hyphen, type code, slash, issuer code: `600-CV/TU`.
State (Nghị định 30/2020/NĐ-CP): number, slash, [year, slash,] codes joined by hyphens:
`128/NQ-CP`, `23/2021/QĐ-TTg`, `5123/UBND-KGVX`; a National Assembly resolution may carry
no hyphen at all (`202/2025/QH15`). Extracted text adds spaces and line breaks inside
(`600 - CV/TU`, `1879-` / `CV/TU`, `128 / NQ - CP`); the canonical form has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.vietnamese import fold

_CODE = r"[A-ZĐ][A-Za-zĐđ]*\d*"
_GAP = r"[ \t]*\n?[ \t\n]*"  # spaces and at most a wrap between parts
_PARTY = rf"(?P<p_num>\d{{1,5}}){_GAP}-{_GAP}(?P<p_type>{_CODE}){_GAP}/{_GAP}(?P<p_issuer>{_CODE})"
_STATE = (
    rf"(?P<s_num>\d{{1,5}}){_GAP}/{_GAP}(?:(?P<s_year>(?:19|20)\d\d){_GAP}/{_GAP})?"
    rf"(?P<s_codes>{_CODE}(?:{_GAP}-{_GAP}{_CODE})*)"
)
NUMBER_PATTERN = re.compile(rf"(?<![\w/-])(?:{_PARTY}|{_STATE})(?![\w/])")

# Type codes of both grammars (domain.md); the first code of a State number is a type code
# when it is one of these, otherwise the letter is a công văn whose codes name the issuer.
TYPE_CODES = {
    "NQ",
    "CT",
    "KL",
    "QĐ",
    "QĐi",
    "QC",
    "BC",
    "TTr",
    "TB",
    "HD",
    "CTr",
    "KH",
    "TT",
    "CV",
    "BB",
    "ĐA",
    "QyĐ",
    "TC",
    "PA",
    "DA",
    "HĐ",
    "CĐ",
    "BGN",
    "GUQ",
    "GM",
    "GGT",
    "PG",
    "NĐ",
    "L",
    "PL",
    "QĐ-TTg",
}


# Common issuer codes (domain.md): with TYPE_CODES, the codes OCR repair may rebuild.
ISSUER_CODES = {
    "TW", "TU", "HU", "QU", "ĐU", "VPTW", "VPTU", "BTGTU", "BTCTU", "UBKTTU", "CP", "TTg",
    "UBND", "HĐND", "BCĐ", "BCĐQG", "QH", "UBTVQH", "BYT", "SYT", "VPCP",
}  # fmt: skip


@dataclass(frozen=True)
class DocumentNumber:
    """A parsed number: its canonical text, grammar ("party"/"state") and type code."""

    text: str
    grammar: str
    type_code: str | None
    start: int
    end: int

    @property
    def key(self) -> str:
        return number_key(self.text)


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _from_match(match: re.Match[str]) -> DocumentNumber:
    if match.group("p_num"):
        type_code = match.group("p_type")
        text = f"{match.group('p_num')}-{type_code}/{match.group('p_issuer')}"
        return DocumentNumber(text, "party", type_code, match.start(), match.end())
    codes = _squeeze(match.group("s_codes"))
    year = match.group("s_year")
    text = f"{match.group('s_num')}/{year + '/' if year else ''}{codes}"
    first = codes.split("-")[0]
    type_code = first if first in TYPE_CODES else None
    return DocumentNumber(text, "state", type_code, match.start(), match.end())


def _plausible(number: DocumentNumber) -> bool:
    # A State number needs a hyphenated code or a year ("202/2025/QH15"); this keeps out
    # fractions and counts such as "3/4 số xã" or "Covid-19".
    if number.grammar == "state":
        return "-" in number.text or number.text.count("/") == 2
    return True


def find_numbers(text: str) -> list[DocumentNumber]:
    """Every document number in the text, in order of appearance."""
    found = (_from_match(m) for m in NUMBER_PATTERN.finditer(text))
    return [number for number in found if _plausible(number)]


def parse_number(text: str) -> DocumentNumber | None:
    """The number if `text` is exactly one document number (any case, spaces allowed)."""
    match = NUMBER_PATTERN.fullmatch(text.strip()) or NUMBER_PATTERN.fullmatch(text.strip().upper())
    if not match:
        return None
    number = _from_match(match)
    return number if _plausible(number) else None


def number_key(text: str) -> str:
    """Comparison key of a canonical number: accentless and lowercase (QD matches QĐ)."""
    return fold(_squeeze(text))
