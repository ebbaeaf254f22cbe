"""Letter metadata read from the text, the way an archivist reads a letter.

Input is the cleaned text with its original line breaks (the header and signature block are
laid out in lines). Every field is None unless the text states it; nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import takewhile
from typing import Any

from indexer.citations import find_citations
from indexer.dates import NUMERIC, WORDED, find_dates
from indexer.numbers import DocumentNumber, find_numbers
from indexer.places import spelled
from indexer.vietnamese import fold

FIELDS = (
    "number",
    "doc_type",
    "issuer",
    "issuer_body",
    "province",
    "place",
    "date",
    "date_not_before",
    "subject",
    "signer",
    "signer_title",
    "authority",
)

HEADER_LINES = 30
_MOTTOS = re.compile(
    r"ĐẢNG CỘNG SẢN VIỆT NAM|CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|"
    r"Độc lập\s*-\s*Tự do\s*-\s*Hạnh phúc",
    re.I,
)
_RULE = re.compile(r"^[\s*_\-=.–]*$")

HEADINGS = {
    "CHỈ THỊ": "CT",
    "THÔNG BÁO": "TB",
    "KẾ HOẠCH": "KH",
    "QUYẾT ĐỊNH": "QĐ",
    "CÔNG ĐIỆN": "CĐ",
    "NGHỊ QUYẾT": "NQ",
    "HƯỚNG DẪN": "HD",
    "BÁO CÁO": "BC",
    "KẾT LUẬN": "KL",
    "TỜ TRÌNH": "TTr",
    "CHƯƠNG TRÌNH": "CTr",
    "THÔNG TRI": "TT",
    "QUY ĐỊNH": "QĐi",
    "CÔNG VĂN": "CV",
    "PHƯƠNG ÁN": "PA",
    "ĐỀ ÁN": "ĐA",
}


@dataclass(frozen=True)
class _Body:
    pattern: str
    name: str
    level: str  # "province" or "district": whether the name that follows is a province


# Issuing bodies as headers print them, most specific first.
_BODIES = (
    _Body(r"ỦY BAN NHÂN DÂN TỈNH|UBND TỈNH", "Ủy ban nhân dân tỉnh", "province"),
    _Body(r"ỦY BAN NHÂN DÂN THÀNH PHỐ|UBND THÀNH PHỐ", "Ủy ban nhân dân thành phố", "province"),
    _Body(r"ỦY BAN NHÂN DÂN HUYỆN|UBND HUYỆN", "Ủy ban nhân dân huyện", "district"),
    _Body(r"HỘI ĐỒNG NHÂN DÂN TỈNH|HĐND TỈNH", "Hội đồng nhân dân tỉnh", "province"),
    _Body(r"TỈNH ỦY", "Tỉnh ủy", "province"),
    _Body(r"THÀNH ỦY", "Thành ủy", "province"),
    _Body(r"HUYỆN ỦY", "Huyện ủy", "district"),
    _Body(r"THỊ ỦY", "Thị ủy", "district"),
    _Body(r"QUẬN ỦY", "Quận ủy", "district"),
)
# Header patterns over the accentless uppercase header (see `_issuer`).
_PARENT_FOLDED = re.compile(
    r"DANG BO (?:TINH|THANH PHO) (?P<name>.+?)(?= HUYEN UY| THI UY| THANH UY| QUAN UY| DANG UY|$)"
)
_STEERING_FOLDED = re.compile(r"BAN CHI DAO (?P<name>[^*]+)")
_LOWER_EXCEPTIONS = {"covid-19": "Covid-19", "covid": "Covid"}


def _capitalize(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


def proper_name(upper: str) -> str:
    """`THỪA THIÊN HUẾ` → `Thừa Thiên Huế`: every syllable capitalized."""
    return " ".join(_capitalize(w) for w in upper.split())


def sentence_case(upper: str) -> str:
    """`PHÒNG, CHỐNG DỊCH COVID-19` → `phòng, chống dịch Covid-19`."""
    words = [_LOWER_EXCEPTIONS.get(w.lower(), w.lower()) for w in upper.split()]
    return " ".join(words)


# --- header --------------------------------------------------------------------------------


def header_lines(lines: list[str]) -> list[str]:
    """Lines of the header block, with mottos and rules removed (columns may interleave)."""
    header: list[str] = []
    for line in lines[:HEADER_LINES]:
        if line.lstrip("-* ").startswith(("Kính gửi", "Căn cứ")) or len(line) > 110:
            break
        stripped = _MOTTOS.sub(" ", line).strip(" *")
        if stripped and not _RULE.match(stripped):
            header.append(" ".join(stripped.split()))
    return header


def _is_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


_NUMBER_LINE = re.compile(r"^Số\s*:?\s*(?P<rest>.*)$")
_BLANK_NUMBER = re.compile(r"^[\s.]*[-/]")


def _issuer(header: list[str]) -> dict[str, str | None]:
    # The issuer stands above the number; later uppercase lines (a heading, "ỦY BAN NHÂN
    # DÂN TỈNH X" as the deciding body of a quyết định, a signature) are not part of it.
    # Only the uppercase lines at the very top count: a header-less letter has none there.
    numbered = [i for i, line in enumerate(header[:8]) if _NUMBER_LINE.match(line)]
    if numbered:  # everything above the number, whatever its case (.VnTimeH reads lowercase)
        top = [
            line
            for line in header[: numbered[0]]
            if line.upper() not in HEADINGS and not _PLACE_DATE.search(line)
        ]
    else:
        top = list(takewhile(lambda line: _is_upper(line) and line not in HEADINGS, header))
    block = " ".join(top).upper()
    # Matched accentless, so a tone misread by OCR ("ỦY BẠN NHÂN DÂN") still names the body;
    # names are then taken from the original letters, spelled as the gazetteer spells them.
    folded = fold(block).upper()
    if len(folded) != len(block):
        folded = block
    parent = _PARENT_FOLDED.search(folded)
    province = _place_name(block, parent, "name") if parent else None
    for body in _BODIES:
        pattern = rf"(?:{fold(body.pattern).upper()}) (?P<name>[^*]+?)(?= DANG BO| BAN CHI DAO|$)"
        match = re.search(pattern, folded)
        if not match:
            continue
        name = _place_name(block, match, "name")
        if body.level == "province":
            province = name
        result: dict[str, str | None] = {
            "issuer": f"{body.name} {name}",
            "issuer_body": body.name,
            "province": province,
        }
        steering = _STEERING_FOLDED.search(folded)
        if steering:
            purpose = block[steering.start("name") : steering.end("name")]
            result["issuer"] = _steering_name(purpose, body, name)
            result["issuer_body"] = "Ban Chỉ đạo"
        return result
    return {"issuer": None, "issuer_body": None, "province": province}


def _place_name(block: str, match: re.Match[str], group: str) -> str:
    return spelled(proper_name(block[match.start(group) : match.end(group)]))


def _steering_name(purpose: str, parent: _Body, place: str) -> str:
    level = parent.name.split()[-1]  # "tỉnh", "thành phố", "huyện"
    return f"Ban Chỉ đạo {sentence_case(purpose)} {level} {place}"


def _own_number(header: list[str]) -> DocumentNumber | None:
    for index, line in enumerate(header):
        match = _NUMBER_LINE.match(line)
        if not match:
            continue
        rest = match["rest"]
        if _BLANK_NUMBER.match(rest):
            return None  # an unsigned copy: "Số    -CV/TU"
        # The number may continue on the next line ("1879-" / "CV/TU").
        joined = rest + "\n" + (header[index + 1] if index + 1 < len(header) else "")
        numbers = find_numbers(joined)
        return numbers[0] if numbers and numbers[0].start == 0 else None
    return None


_PLACE_DATE = re.compile(r"^(?P<place>[A-ZĐ][^,\d]{1,40}?),\s*(?P<rest>(?:ngày|\d).*)$")


def _place_and_date(header: list[str]) -> tuple[str | None, str | None]:
    for line in header:
        match = _PLACE_DATE.search(line)
        if not match:
            continue
        rest = match["rest"]
        when = WORDED.match(rest) or NUMERIC.search(rest)
        if when:
            dates = find_dates(rest)
            place = spelled(match["place"].strip())
            return place, dates[0][0].isoformat() if dates else None
    return None, None


def _subject(header: list[str]) -> str | None:
    for index, line in enumerate(header):
        starts_vv = line.startswith(("V/v", "Về việc", "V/V"))
        after_heading = index > 0 and header[index - 1] in HEADINGS and not _is_upper(line)
        if not (starts_vv or after_heading):
            continue
        parts = [line]
        for following in header[index + 1 :]:
            if not following[:1].islower():  # a wrapped subject goes on in lowercase
                break
            parts.append(following)
        return " ".join(parts).strip()
    return None


def _doc_type(
    number: DocumentNumber | None, header: list[str], subject: str | None, text: str
) -> str | None:
    if number and number.type_code:
        return number.type_code
    for line in header:
        if line in HEADINGS:
            return HEADINGS[line]
    has_vv = subject is not None and subject.startswith(("V/v", "V/V", "Về việc"))
    if has_vv and "Kính gửi" in text:
        return "CV"
    if re.search(r"\bCông văn này\b", text):
        return "CV"
    if number and number.grammar == "state" and number.type_code is None and has_vv:
        return "CV"
    return None


# --- recipients and distribution lists ---------------------------------------------------


def _list_after(lines: list[str], label: str) -> list[str]:
    """Items of a dash list that follows `label` (Kính gửi, Nơi nhận)."""
    items: list[str] = []
    started = False
    for line in lines:
        bare = line.strip("* ")
        if not started:
            if bare.lstrip("- ").startswith(label):
                started = True
                rest = bare.lstrip("- ")[len(label) :].lstrip(":* ")
                if rest:
                    items.append(rest)
            continue
        if not bare:
            continue
        if bare.startswith(("-", "+", "•")):
            items.append(bare.lstrip("-+• "))
        elif items and bare[0].islower():
            items[-1] = f"{items[-1]} {bare}"
        else:
            break
    return [item.rstrip(",;. ").lstrip("- ").strip() for item in items if item.strip("-,;. ")]


# --- signature block -------------------------------------------------------------------------

# Case-insensitive: signature blocks set in .VnTimeH extract in lowercase ("t/m ban …").
_AUTHORITY = re.compile(
    r"^(?P<mark>T/M|TM\.?|K/T|KT\.?|T/L|TL\.?|T/U|TUQ\.?|Q\.)\s+(?P<rest>\S.*)$", re.I
)
_AUTHORITY_CANON = {
    "T/M": "T/M",
    "TM": "T/M",
    "K/T": "K/T",
    "KT": "K/T",
    "T/L": "T/L",
    "TL": "T/L",
    "T/U": "T/U",
    "TUQ": "T/U",
    "Q": "Q.",
}
_TITLES = (
    ("CHÁNH VĂN PHÒNG", "Chánh Văn phòng"),
    ("PHÓ TRƯỞNG BAN", "Phó Trưởng ban"),
    ("TRƯỞNG BAN", "Trưởng ban"),
    ("PHÓ CHỦ TỊCH", "Phó Chủ tịch"),
    ("CHỦ TỊCH", "Chủ tịch"),
    ("PHÓ BÍ THƯ", "Phó Bí thư"),
    ("BÍ THƯ", "Bí thư"),
    ("THƯỜNG TRỰC", "Thường trực"),
    ("GIÁM ĐỐC", "Giám đốc"),
    ("PHÓ GIÁM ĐỐC", "Phó Giám đốc"),
    ("ỦY VIÊN", "Ủy viên"),
    ("CHÁNH", "Chánh"),
    ("PHÓ", "Phó"),
    ("VĂN PHÒNG", "Văn phòng"),
)
_NAME = re.compile(r"^(?:[A-ZĐÀ-Ỹ][a-zđà-ỹ]+ ){1,5}[A-ZĐÀ-Ỹ][a-zđà-ỹ]+$")


_EDGE_NOISE = re.compile(r"^[\W_]+|[\W_]+$")


_DOUBLED_LETTER = re.compile(r"(\w)\1")


def _title_key(words: str) -> str:
    return _DOUBLED_LETTER.sub(r"\1", fold(words))


def title_case(upper: str) -> str:
    """`PHÓ BÍ THƯ THƯỜNG TRỰC` → `Phó Bí thư Thường trực`.

    Known titles are matched accentless and with doubled letters read once, so a tone
    misread by OCR (`PHÓ BÍ THỨ`) or a letter read twice under a seal (`THƯỜNG TRỨỰC`)
    still gives the title as it is written. No title has a doubled letter once folded.
    """
    words, out = upper.split(), []
    while words:
        for title, shown in _TITLES:
            size = len(title.split())
            if _title_key(" ".join(words[:size])) == _title_key(title):
                out.append(shown)
                words = words[size:]
                break
        else:
            out.append(words.pop(0).lower())
    text = " ".join(out)
    return text[:1].upper() + text[1:]


def _signature(lines: list[str]) -> dict[str, str | None]:
    result: dict[str, str | None] = {"authority": None, "signer_title": None, "signer": None}
    tail = [line.strip("* ") for line in lines[-40:]]
    start = None
    for index in range(len(tail) - 1, -1, -1):
        match = _AUTHORITY.match(tail[index])
        if match:
            result["authority"] = _AUTHORITY_CANON[match["mark"].upper().rstrip(".")]
            start = index + 1
            break
    if start is None:
        return result
    title_parts: list[str] = []
    for line in tail[start:]:
        if not line:
            if title_parts:
                break
            continue
        if _is_upper(line) or line == line.lower():
            title_parts.append(_EDGE_NOISE.sub("", line))
            continue
        break
    if title_parts:
        result["signer_title"] = title_case(" ".join(title_parts).upper())
    # A seal's edge read as a mark beside the name ("Phạm Thị Lan.") is not part of it.
    candidates = (_EDGE_NOISE.sub("", line) for line in tail[start:])
    names = [line for line in candidates if _NAME.match(line)]
    if names:
        result["signer"] = names[-1]
    return result


# --- the whole letter ----------------------------------------------------------------------


def parse_metadata(lines_text: str, flowing_text: str) -> dict[str, Any]:
    """Metadata of one letter.

    `lines_text` is the cleaned text with its line breaks; `flowing_text` the reflowed text
    (numbers split at line ends are rejoined there), used for citations and dates.
    """
    lines = [line.strip() for line in lines_text.split("\n")]
    header = header_lines(lines)
    number = _own_number(header)
    place, own_date = _place_and_date(header)
    subject = _subject(header)
    metadata: dict[str, Any] = dict.fromkeys(FIELDS)
    metadata.update(_issuer(header))
    metadata.update(_signature(lines))
    metadata.update(
        number=number.text if number else None,
        doc_type=_doc_type(number, header, subject, lines_text),
        place=place,
        date=own_date,
        subject=subject,
    )
    own_key = number.key if number else None
    citations = [c for c in find_citations(flowing_text) if c.number_key != own_key]
    metadata["references"] = list(dict.fromkeys(c.number for c in citations))
    metadata["citations"] = [
        {"number": c.number, "relation": c.relation, **c.details} for c in citations
    ]
    if own_date is None:
        mentioned = [d for d, _ in find_dates(flowing_text)]
        metadata["date_not_before"] = max(mentioned).isoformat() if mentioned else None
    metadata["recipients"] = _list_after(lines, "Kính gửi")
    metadata["distribution"] = _list_after(lines, "Nơi nhận")
    metadata["inferred"] = {}
    return metadata
