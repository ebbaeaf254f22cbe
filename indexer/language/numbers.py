"""Document numbers ("số, ký hiệu") of Party and State letters.

Party (Hướng dẫn 36-HD/VPTW): number, hyphen, type code, slash, issuer code: `600-CV/TU`.
State (Nghị định 30/2020/NĐ-CP): number, slash, [year, slash,] codes joined by hyphens:
`128/NQ-CP`, `23/2021/QĐ-TTg`, `5123/UBND-KGVX`; a National Assembly resolution may carry
no hyphen at all (`202/2025/QH15`). Extracted text adds spaces and line breaks inside
(`600 - CV/TU`, `1879-` / `CV/TU`, `128 / NQ - CP`); the canonical form has none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from indexer.language.doc_types import TYPE_CODES
from indexer.language.vietnamese import fold

_CODE = r"[A-ZĐ][A-Za-zĐđ]*\d*"
_GAP = r"[ \t]*\n?[ \t\n]*"  # spaces and at most a wrap between parts
_PARTY = rf"(?P<p_num>\d{{1,5}}){_GAP}-{_GAP}(?P<p_type>{_CODE}){_GAP}/{_GAP}(?P<p_issuer>{_CODE})"
# A joint letter's code may list its bodies' codes with commas and no space (`SVH,TT,DL`: Sở
# Văn hóa, Thể thao và Du lịch); a comma and a space end the number in running text.
_JOINT_CODE = rf"{_CODE}(?:,{_CODE})*"
_STATE = (
    rf"(?P<s_num>\d{{1,5}}){_GAP}/{_GAP}(?:(?P<s_year>(?:19|20)\d\d){_GAP}/{_GAP})?"
    rf"(?P<s_codes>{_JOINT_CODE}(?:{_GAP}[-/]{_GAP}{_JOINT_CODE})*)"
)  # codes joined by "-", or by "/" in older numbers (`12/2001/QĐ/BXD`, `245/QĐ/UB`)
NUMBER_PATTERN = re.compile(rf"(?<![\w/-])(?:{_PARTY}|{_STATE})(?![\w/])")
# The first code of a State number is a type code when it is one of `TYPE_CODES` (the
# document types' vocabulary), otherwise the letter is a công văn whose codes name the issuer.

# Common issuer codes (domain.md): with TYPE_CODES, the codes OCR repair may rebuild.
ISSUER_CODES = {
    "TW", "TU", "HU", "QU", "ĐU", "VPTW", "VPTU", "BTGTU", "BTCTU", "UBKTTU", "CP", "TTg",
    "UBND", "HĐND", "BCĐ", "BCĐQG", "QH", "UBTVQH", "BYT", "SYT", "VPCP",
}  # fmt: skip


@dataclass(frozen=True)
class DocumentNumber:
    """A parsed number: its canonical text, grammar ("party"/"state") and type code."""

    text: str
    grammar: str  # "party", "state", "typed" (a search box's `NQ68`) or "held" (see below)
    type_code: str | None
    start: int = field(default=0, compare=False)  # where it stood in the text it was found in
    end: int = field(default=0, compare=False)

    @property
    def key(self) -> str:
        """The lookup key of the number (`number_key`)."""
        return number_key(self.text)

    @property
    def match_key(self) -> str:
        """What a search for this number looks for among the letters' `match_keys`."""
        return match_key(self.text)

    @property
    def complete(self) -> bool:
        """A number written in full (not a search box's `NQ68` or `68 NQ`)."""
        return self.grammar != "typed"


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
    first = re.split(r"[-/]", codes)[0]
    type_code = first if first in TYPE_CODES else None
    return DocumentNumber(text, "state", type_code, match.start(), match.end())


def _plausible(number: DocumentNumber) -> bool:
    # A State number needs a hyphenated code or a year ("202/2025/QH15"); this keeps out
    # fractions and counts such as "3/4 số xã" or "Covid-19".
    if number.grammar == "state":
        return "-" in number.text or number.text.count("/") >= 2
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


@lru_cache(maxsize=65536)
def held_number(text: str) -> DocumentNumber:
    """A number as the archive holds it (read earlier, or corrected by staff), parsed again;
    one the grammar no longer takes (a catalog from an older reader) is kept as written."""
    return parse_number(text) or DocumentNumber(text, "held", None, 0, len(text))


def number_key(text: str) -> str:
    """Comparison key of a canonical number: accentless and lowercase (QD matches QĐ)."""
    return fold(_squeeze(text))


# --- matching numbers whatever their separators -----------------------------------------------

_KEY_PART = re.compile(r"[a-z]+|\d+")
_YEAR = re.compile(r"(?:19|20)\d\d")


def _key_parts(text: str) -> list[str]:
    """The letter and digit runs of a number, folded: separators and spaces do not count."""
    return _KEY_PART.findall(fold(text))


def match_key(text: str) -> str:
    """A number's key for matching whatever its separators: `1245-CV/TU`, `1245/CV-TU` and
    `1245 cv tu` all give `1245.cv.tu`. The dots keep the runs apart, so `1/2021/NQ-CP`
    (`1.2021.nq.cp`) is not `12021/NQ-CP` (`12021.nq.cp`)."""
    return ".".join(_key_parts(text))


def match_keys(text: str) -> tuple[str, ...]:
    """The keys a letter's number (or a number it cites) is found by: in full, without its
    year (`23 QĐ TTg` finds 23/2021/QĐ-TTg), and its head, the number and its first code
    (`NQ68`, `68 NQ` find 68/NQ-CP). A full key has three runs or more, a head two, so a
    head never stands for another number in full."""
    parts = _key_parts(text)
    if len(parts) < 2:
        return (".".join(parts),) if parts else ()
    codes = parts[1:]
    if len(codes) > 1 and _YEAR.fullmatch(codes[0]):
        codes = codes[1:]
    keys = [".".join(parts), ".".join([parts[0], *codes]), f"{parts[0]}.{codes[0]}"]
    return tuple(dict.fromkeys(keys))


# Numbers as people type them in a search box: separators swapped or left out. Only the
# query reads these; a letter's own text is read with the grammar above.
_TYPED_CODES = {fold(code).upper() for code in TYPE_CODES if len(code) > 1 and "-" not in code}
_KNOWN_CODES = _TYPED_CODES | {fold(code).upper() for code in ISSUER_CODES}
_TOKEN = re.compile(r"[^\W_]+")
_GLUED = re.compile(
    r"(?P<code>[^\W\d_]{2,4})(?P<num>\d{1,5})|(?P<num2>\d{1,5})(?P<code2>[^\W\d_]{2,4})"
)


def _code(token: str, known: set[str]) -> str | None:
    """`token` as a code of `known` (any case, Đ typed as D), or None. A token with tone
    marks (`đã`) is a word: codes carry none."""
    folded = fold(token)
    if folded != token.lower().replace("đ", "d") or folded.upper() not in known:
        return None
    return token.upper()


def _typed(parts: list[str], start: int, end: int) -> DocumentNumber:
    return DocumentNumber(" ".join(parts), "typed", parts[1], start, end)


def find_typed_numbers(text: str) -> list[DocumentNumber]:
    """Numbers typed loosely in a query: `1245 CV TU` and `68 nq cp` (a number, then a type
    code, then the codes that follow it, known or typed in capitals), and a type code glued
    to its number, `NQ68` or `68NQ`. Plain words stay words: `năm 2020`, `covid19` (covid
    is no type code) and `5 đã` (a word with a tone) are not numbers."""
    tokens = list(_TOKEN.finditer(text))
    found: list[DocumentNumber] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        glued = _GLUED.fullmatch(token.group())
        if glued:
            code = _code(glued.group("code") or glued.group("code2"), _TYPED_CODES)
            if code:
                number = glued.group("num") or glued.group("num2")
                found.append(_typed([number, code], token.start(), token.end()))
                index += 1
                continue
        following = _following_codes(text, tokens, index) if token.group().isdigit() else []
        if following:
            end = tokens[index + len(following)].end()
            found.append(_typed([token.group(), *following], token.start(), end))
            index += len(following)
        index += 1
    return found


def _following_codes(text: str, tokens: list[re.Match[str]], index: int) -> list[str]:
    """The codes after the number `tokens[index]`, each after spaces or separators only;
    the first must be a type code, the others known codes or typed in capitals."""
    codes: list[str] = []
    for previous, token in zip(tokens[index:], tokens[index + 1 :], strict=False):
        if text[previous.end() : token.start()].strip(" /-") or len(token.group()) > 6:
            break
        known = _TYPED_CODES if not codes else _KNOWN_CODES
        code = _code(token.group(), known)
        if code is None and codes and token.group().isupper() and token.group().isalpha():
            code = token.group()
        if code is None:
            break
        codes.append(code)
    return codes
