"""Letter metadata read from the text, the way an archivist reads a letter.

Input is the cleaned text with its original line breaks (the header and signature block are
laid out in lines). Every field is None unless the text states it; nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from itertools import takewhile
from typing import Any

from indexer.language.dates import NUMERIC, WORDED, find_dates
from indexer.language.doc_types import HEADINGS, PARTY_ONLY_TYPES
from indexer.language.issuers import BODIES, VOCABULARY_WORDS, place_name, read_issuer
from indexer.language.letter import SCALARS, Citation, Inferred, Letter, Provenance, Source
from indexer.language.numbers import DocumentNumber, find_numbers
from indexer.language.places import province_on, spelled
from indexer.language.signature import in_letter_style, read_signatures
from indexer.language.vietnamese import fold, spelled_as_in
from indexer.letter.blanks import METHOD as HAND_METHOD
from indexer.letter.blanks import HandReading, hand_date, hand_month, hand_number
from indexer.letter.citations import find_citations
from indexer.letter.zones import ZoneLine, Zones

FIELDS = SCALARS  # the fields a letter states (see `indexer.language.letter`)

_MOTTOS = re.compile(
    r"ĐẢNG CỘNG SẢN VIỆT NAM|CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|"
    r"Độc lập\s*-\s*Tự do\s*-\s*Hạnh phúc",
    re.I,
)
_RULE = re.compile(r"^[\s*_\-=.–]*$")

# Accentless, so OCR's "QUYÉT ĐỊNH" is still the type name (`doc_types.HEADINGS`).
_HEADINGS_FOLDED = {fold(name).upper(): code for name, code in HEADINGS.items()}


@dataclass(frozen=True)
class _Body:
    pattern: str  # accentless uppercase header words, alternatives joined by "|"
    name: str
    level: str  # "province" or "district": whether the name that follows is a province


# The bodies `_issuer` names by the place that follows (`issuers.BODIES` with a level),
# most specific first; a body's header forms ("ỦY BAN NHÂN DÂN TỈNH", "UBND TỈNH") are one.
_BODIES = tuple(
    _Body("|".join(b.words.upper() for b in BODIES if b.kind == kind), kind, level)
    for kind, level in dict.fromkeys((b.kind, b.level) for b in BODIES if b.level)
)
# Bodies whose names `_issuer` reads (a place, a parent Party committee, a steering board).
_LEGACY_KINDS = {body.name for body in _BODIES} | {"Đảng bộ", "Ban Chỉ đạo", "Ban Thường vụ"}
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


def _is_upper(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


_BLANK_NUMBER = re.compile(r"^[\s.]*[-/]")


def _issuer(header: list[str]) -> dict[str, str | None]:
    # `header`: the lines above the number, whatever their case (.VnTimeH reads lowercase).
    block = " ".join(header).upper()
    # Matched accentless, so a tone misread by OCR ("ỦY BẠN NHÂN DÂN") still names the body;
    # names are then taken from the original letters, spelled as the gazetteer spells them.
    folded = fold(block).upper()
    if len(folded) != len(block):
        folded = block
    parent = _PARENT_FOLDED.search(folded)
    province = _place_name(block, parent, "name") if parent else None
    for body in _BODIES:
        pattern = rf"(?:{body.pattern}) (?P<name>[^*]+?)(?= DANG BO| BAN CHI DAO|$)"
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


# "Hà Nội, ngày …", also after the number on one line ("Số: 12/UBND    Hà Nội, ngày …").
_PLACE_DATE = re.compile(
    r"(?:^|(?<=\s))(?P<place>[A-ZĐ][^,\d]{1,40}?),\s*(?P<rest>(?:ngày|\d{1,2}[/.-]).*)$"
)
_DATE_ALONE = re.compile(r"^(?P<rest>ngày\b.*\btháng\b.*)$", re.IGNORECASE)
_PLACE_ABOVE = re.compile(r"^(?P<place>[A-ZĐ][^,\d]{1,40}?),$")


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


# --- the whole letter ----------------------------------------------------------------------

# Digits written by hand into a number's blank stand apart from the printed notation (OCR
# reads "445" and "/NQ-CP" as two words) and read with less confidence than printed ones;
# in the shared scans printed numbers read at 61–97 as one word, handwritten ones at 25–85
# apart from their notation. A handwritten day reads below 70, a printed one above 75.
NUMBER_CONFIDENCE = 92
NUMBER_FLOOR = 50
DAY_CONFIDENCE = 70
_DIGITS = re.compile(r"\d")
_MONTH_ONLY = re.compile(r"tháng\s*(?P<month>\d{1,2})\s*năm\s*(?P<year>\d{4})", re.IGNORECASE)
_NUMBER_MARK = re.compile(r"^S[ốoóôồòõ6]\s*[:.;]?\s*(?P<rest>.*)$")
_STAMPS = re.compile(r"^(?:ĐẾN|HỎA TỐC|HOẢ TỐC|THƯỢNG KHẨN|KHẨN|MẬT|TỐI MẬT|TUYỆT MẬT)\b")


def _source(line: ZoneLine) -> Source:
    return Source(line.page, line.method)


@dataclass
class _Reading:
    """Fields as they are read, with where each came from and what needs a person."""

    zones: Zones
    text: str
    fields: dict[str, Any]
    sources: dict[str, Source]
    review: dict[str, str]
    inferred: dict[str, Inferred]
    candidates: dict[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)

    @cached_property
    def cited(self) -> list[Citation]:
        """Every citation of the text, read once: the handwritten date's lower bound and the
        letter's references both use them."""
        return find_citations(self.text)

    def take(self, name: str, value: Any, line: ZoneLine | None) -> None:
        """A field read (None: not read), with the line it was read from."""
        if value is None:
            return
        self.fields[name] = value
        if line is not None:
            self.sources[name] = _source(line)


def _header_order(zones: Zones, *sides: str) -> list[ZoneLine]:
    return [line for line in zones.header if line.side in sides] or list(zones.header)


def _number_line(zones: Zones) -> tuple[int, ZoneLine] | None:
    """The "Số:" line; one with a notation first, since an incoming stamp has its own
    "Số: 1234" of the register."""
    lines = _header_order(zones, "left", "centre")
    found = [(i, line) for i, line in enumerate(lines)
             if _NUMBER_MARK.match(line.text) and not _is_upper_word(line.text)]  # fmt: skip
    noted = [(i, line) for i, line in found if re.search(r"[/-]", line.text)]
    return (noted or found)[0] if found else None


def _is_upper_word(text: str) -> bool:
    """`SỐ LIỆU …` is a heading, not the number line."""
    return len(text) > 3 and text[:3].isupper() and text[2:3].isalpha()


def _handwritten_number(line: ZoneLine) -> bool:
    """Whether OCR's digits of the number look written into the blank (see above)."""
    words = list(line.words)
    for index, word in enumerate(words):
        if word.confidence is None or not _DIGITS.search(word.text):
            continue
        apart = index + 1 < len(words) and words[index + 1].text.startswith("/")
        if word.confidence < NUMBER_FLOOR or (apart and word.confidence < NUMBER_CONFIDENCE):
            return True
    return False


def _read_number(reading: _Reading) -> ZoneLine | None:
    found = _number_line(reading.zones)
    if found is None:
        # A scan's number line that Tesseract lost, but the recogniser found `Số` and a blank.
        unread = "không đọc được số viết tay" if reading.zones.blank("number") else ""
        _by_hand(reading, "number", hand_number(reading.zones, None, 1), unread)
        return None
    index, line = found
    lines = _header_order(reading.zones, "left", "centre")
    rest = _NUMBER_MARK.match(line.text)["rest"]  # type: ignore[index]
    if _handwritten_number(line):
        hand = hand_number(reading.zones, line.text, line.page)
        unread = f"chữ số viết tay hoặc mờ, cần đối chiếu bản gốc: “{line.text}”"
        _by_hand(reading, "number", hand, unread)
        return line
    if _BLANK_NUMBER.match(rest) or not rest.strip():
        if line.method.startswith("ocr"):
            hand = hand_number(reading.zones, line.text, line.page)
            _by_hand(reading, "number", hand, f"số để trống hoặc viết tay: “{line.text}”")
        return line
    following = lines[index + 1].text if index + 1 < len(lines) else ""
    numbers = find_numbers(rest + "\n" + following)
    if numbers and numbers[0].start == 0:
        reading.take("number", numbers[0], line)
    elif line.method.startswith("ocr"):
        hand = hand_number(reading.zones, line.text, line.page)
        _by_hand(reading, "number", hand, f"không đọc được số: “{line.text}”")
    return line


def _by_hand(reading: _Reading, name: str, hand: HandReading | None, unread: str) -> None:
    """A field from its handwritten blank: kept when sure, else left for review with the
    readings; `unread`: the review note when the blank was not read at all."""
    if hand is not None and hand.value is not None:
        reading.fields[name] = hand.value
        reading.sources[name] = Source(hand.page, HAND_METHOD)
    elif hand is not None and hand.candidates:
        reading.review[name] = hand.review("số" if name == "number" else "ngày")
        reading.candidates[name] = hand.candidates
    elif unread:
        reading.review[name] = unread


def _place_and_date(lines: list[ZoneLine], index: int) -> tuple[str | None, str] | None:
    """The place and the date part of a header line (`Hà Nội, ngày …`); a date standing
    alone on its line (`ngày 12 tháng 3 năm 2021`) takes its place from the line above
    when that line is a place and a comma (`Bắc Kạn,`)."""
    text = lines[index].text.strip()
    match = _PLACE_DATE.search(text)
    if match:
        return match["place"], match["rest"]
    alone = _DATE_ALONE.match(text)
    if not alone:
        return None
    above = _PLACE_ABOVE.match(lines[index - 1].text.strip()) if index else None
    return (above["place"] if above else None), alone["rest"]


def _read_date(reading: _Reading) -> None:
    lines = _header_order(reading.zones, "right", "centre") + reading.zones.column("left")
    for index, line in enumerate(lines):
        found = _place_and_date(lines, index)
        if found is None:
            continue
        place, rest = found
        if place:
            reading.take("place", _place(place), line)
        dates = find_dates(rest) if (WORDED.match(rest) or NUMERIC.search(rest)) else []
        if line.doubtful(_DIGITS, DAY_CONFIDENCE):
            _by_hand(reading, "date", _hand_date(reading, line.page),
                     f"ngày viết tay hoặc mờ, cần đối chiếu bản gốc: “{line.text}”")  # fmt: skip
        elif dates:
            reading.take("date", dates[0][0].isoformat(), line)
        elif line.method.startswith("ocr"):
            _by_hand(reading, "date", _hand_date(reading, line.page),
                     f"không đọc được ngày: “{line.text}”")  # fmt: skip
        _read_month(reading, line, rest)
        return
    if reading.zones.blanks:  # a scan's header with no date line read: its blanks may hold it
        _by_hand(reading, "date", _hand_date(reading, 1), "không đọc được dòng ngày tháng")
        _read_month(reading, None, "")


def _read_month(reading: _Reading, line: ZoneLine | None, rest: str) -> None:
    """Where the day stays unknown, the month and year: from the month blank when the
    recogniser is sure of it, else printed on a date line whose day is left blank
    (`ngày    tháng 4 năm 2026`, a draft or a letter dated by its signature)."""
    if reading.fields["date"] is not None:
        return
    month = hand_month(reading.zones, _latest_cited(reading))
    if month is not None:
        reading.fields["date_month"] = month
        reading.sources["date_month"] = Source(line.page if line else 1, HAND_METHOD)
        return
    printed = _MONTH_ONLY.search(rest)
    if printed and line is not None and not line.doubtful(_DIGITS, DAY_CONFIDENCE):
        month_number, year = int(printed["month"]), int(printed["year"])
        if 1 <= month_number <= 12 and date(year, month_number, 1) <= date.today():
            reading.take("date_month", f"{year}-{month_number:02d}", line)


def _latest_cited(reading: _Reading) -> date | None:
    """The latest date of a document the letter cites: the letter is not older."""
    cited = [c.details.get("date") for c in reading.cited]
    return max((date.fromisoformat(d) for d in cited if d), default=None)


def _hand_date(reading: _Reading, page: int) -> HandReading | None:
    """The date from the blanks, not before the latest date of a document the letter cites."""
    return hand_date(reading.zones, _latest_cited(reading), page)


def _place(raw: str) -> str:
    bare = re.sub(r"^(?:TP|Tp|tp)\.?\s*|^Thành phố\s+", "", raw.strip())
    return place_name(bare) if bare else raw.strip()


def _issuer_lines(reading: _Reading, number_line: ZoneLine | None) -> list[str]:
    """The header's left column above the number (the issuer and its parent)."""
    column = _header_order(reading.zones, "left", "centre")
    if number_line is not None and number_line in column:
        above = column[: column.index(number_line)]
    else:
        worded = [line for line in column if sum(c.isalpha() for c in line.text) > 1]
        above = list(takewhile(lambda line: _is_upper(line.text), worded))
    return [
        text
        for line in above
        if (text := _RULE.sub("", _MOTTOS.sub(" ", line.text)).strip(" *—_.").lstrip("-"))
        and sum(c.isalpha() for c in text) > 1
        and not _STAMPS.match(text)
        and not re.match(r"^(?:S[ốoó]|Ngày)\b", text)  # an incoming stamp's register lines
        and fold(text).upper() not in _HEADINGS_FOLDED
        and not _PLACE_DATE.search(text)
    ]


def _read_issuer(reading: _Reading, lines: list[str]) -> None:
    found = read_issuer(lines)
    if found is not None and found.kind not in _LEGACY_KINDS:
        name = found.name
        if reading.zones.header and reading.zones.header[0].method.startswith("ocr"):
            name = _respelled(name, reading.text)
        reading.fields.update(issuer=name, issuer_body=found.kind)
        reading.fields["central"] = found.central
        if found.place:
            reading.fields["province_named"] = found.place
        return
    reading.fields.update(_issuer(lines))


def _respelled(name: str, text: str) -> str:
    """An OCR'd issuer's field words as the letter mostly spells them ("ĐIÊU TRA" outvoted
    by "điều tra"); the vocabulary's own words are spelled right already and stay."""
    respelled = spelled_as_in(name, text).split(" ")
    return " ".join(
        old if old.strip(",()") in VOCABULARY_WORDS else new
        for old, new in zip(name.split(" "), respelled, strict=True)
    )


def _heading(line: ZoneLine) -> str | None:
    return _HEADINGS_FOLDED.get(fold(line.text.strip(" :.")).upper())


def _partial_headings(line: ZoneLine) -> set[str]:
    """The types whose name a centred capitals line begins ("THÔNG": TB or TT): OCR kept
    only the first word of the type name."""
    key = fold(line.text.strip(" :.")).upper()
    if line.side != "centre" or not _is_upper(line.text) or not key:
        return set()
    return {code for name, code in _HEADINGS_FOLDED.items() if name.startswith(key + " ")}


def _is_heading_line(line: ZoneLine) -> bool:
    """The type name, also when OCR kept only its first word ("THÔNG" of "THÔNG BÁO")."""
    return bool(_heading(line) or _partial_headings(line))


def _read_subject(reading: _Reading) -> None:
    """The V/v summary under the number, or the lines under the type name."""
    header = list(reading.zones.header)
    for index, line in enumerate(header):
        text = re.sub(r"^\(?V/[vV]?\s", "V/v ", line.text).strip("()")
        starts_vv = text.startswith(("V/v ", "Về việc"))
        after_heading = index > 0 and _is_heading_line(header[index - 1]) and not _is_upper(text)
        if not (starts_vv or after_heading) or sum(c.isalpha() for c in text) < 3:
            continue
        parts, previous = [text], line
        for following in header[index + 1 :]:
            if following.words and not _overlaps(following, line):
                continue  # the other column, read in between
            if _is_upper(following.text) or _PLACE_DATE.search(following.text):
                break
            if not _continues(previous, following):
                break
            parts.append(following.text.strip("()"))
            previous = following
        subject = " ".join(parts).strip()
        if line.method.startswith("ocr"):  # tones OCR slipped on, outvoted by the letter
            subject = spelled_as_in(subject, reading.text)
        reading.take("subject", subject, line)
        return
    # A subject printed in capitals under the type name (Party guidance): sentence case.
    for index, line in enumerate(header[1:], 1):
        if _heading(header[index - 1]) and _is_upper(line.text) and not _heading(line):
            if not _issuer_kind_line(line.text):
                reading.take("subject", _capitalized_subject(line.text), line)
            return


def _span(line: ZoneLine) -> tuple[float, float, float]:
    """Left, right and height of a line with positions."""
    tops, bottoms = [w.y0 for w in line.words], [w.y1 for w in line.words]
    return line.words[0].x0, max(w.x1 for w in line.words), max(bottoms) - min(tops)


def _overlaps(line: ZoneLine, other: ZoneLine) -> bool:
    left, right, _ = _span(line)
    other_left, other_right, _ = _span(other)
    return min(right, other_right) > max(left, other_left)


def _continues(previous: ZoneLine, following: ZoneLine) -> bool:
    """A wrapped subject goes on: in plain text on a lowercase line; with positions on the
    line right under the previous one (a blank line's gap ends it)."""
    if not (previous.words and following.words):
        return following.text[:1].islower()
    return 0 < following.y - previous.y <= 2.0 * _span(previous)[2]


def _issuer_kind_line(text: str) -> bool:
    from indexer.language.issuers import body_of

    return body_of(text) is not None


def _capitalized_subject(upper: str) -> str:
    """A subject printed in capitals, in sentence case with its proper names."""
    text = sentence_case(upper)
    for proper in ("Đảng", "Việt Nam", "Nhà nước", "Chính phủ", "Quốc hội"):
        text = re.sub(rf"(?<!\w){proper.lower()}(?!\w)", proper, text)
    return text[:1].upper() + text[1:]


def _read_doc_type(reading: _Reading, number_line: ZoneLine | None) -> None:
    number = reading.fields.get("number")
    if number is not None and number.type_code:
        reading.fields["doc_type"] = number.type_code
        return
    for line in reading.zones.header:
        heading = _heading(line)
        if heading:
            reading.take("doc_type", heading, line)
            return
    party = _is_party(reading)
    for line in reading.zones.header:
        # A State letter has no thông tri (a Party type, HD 36-HD/VPTW): "THÔNG" is TB.
        codes = _partial_headings(line) - (set() if party in (True, None) else PARTY_ONLY_TYPES)
        if len(codes) == 1:
            reading.take("doc_type", codes.pop(), line)
            reading.inferred["doc_type"] = Inferred(f"tên loại đọc được một phần: {line.text}")
            return
    subject = reading.fields.get("subject") or ""
    has_vv = subject.startswith(("V/v", "Về việc"))
    salutation = any(re.match(r"^(?:Kính\s*)?gửi\s*:", line) for line in reading.zones.lines)
    headed = bool(reading.fields.get("issuer") or number_line)
    if (
        ((has_vv or headed) and salutation)
        or re.search(r"\bCông văn này\b", reading.text)
        or (number is not None and number.grammar == "state" and has_vv)
    ):  # addressed, with no type name: a công văn
        reading.fields["doc_type"] = "CV"


def _read_province(reading: _Reading) -> None:
    """From the issuer's name, else the place of the date line; central bodies have none.
    The name must be a province of the scheme in force on the letter's date."""
    if reading.fields.get("central"):
        reading.fields["province"] = None
        return
    named = reading.fields.pop("province_named", None) or reading.fields.get("province")
    if named:
        reading.fields["province"] = province_on(named, reading.fields.get("date"))


def _syllables(name: str) -> int:
    return len(name.split())


# A person's full name in running text: three to five capitalized syllables.
_FULL_NAME = re.compile(r"(?<!\w)(?:[A-ZĐÀ-Ỹ][a-zđà-ỹ]+ ){2,4}[A-ZĐÀ-Ỹ][a-zđà-ỹ]+(?!\w)")


def _check_signer(reading: _Reading, signed: dict[str, Any], part: str | None) -> None:
    """Where the signer's name was read; an OCR'd name shorter than three syllables, or
    one syllable left beside a mark or title, is completed or left for review."""
    blocks = reading.zones.signatures
    name = signed["signer"] or part
    if not blocks or not name:
        return
    line = blocks[-1][0]
    reading.sources["signer"] = _source(line)
    if line.method.startswith("ocr") and min(map(_syllables, name.split(";"))) < 3:
        _partial_name(reading, {**signed, "signer": name})


def _partial_name(reading: _Reading, signed: dict[str, Any]) -> None:
    """A name OCR read only the end of (office holders' names have three syllables or
    more): completed when the letter writes exactly one full name ending so (the signer
    is often in "Nơi nhận"), with that as evidence; else left for review."""
    partial = signed["signer"]
    ending = fold(partial)
    full = {
        name
        for name in _FULL_NAME.findall(reading.text)
        if fold(name).endswith(" " + ending) and all(w[1:].islower() for w in name.split())
    }
    if len(full) == 1:
        (name,) = full
        reading.fields["signer"] = name
        reading.inferred["signer"] = Inferred(f"“{partial}” dưới dấu; tên đầy đủ: “{name}”")
        return
    reading.review["signer"] = f"tên người ký đọc không trọn: “{partial}”"
    reading.fields["signer"] = None
    if signed["authority"] is None:  # the name alone vouched for the title
        reading.fields["signer_title"] = None


def _is_party(reading: _Reading) -> bool | None:
    """Whether the letter is a Party letter (HD 36-HD/VPTW), a State one (NĐ 30/2020), or
    unknown: by its number's grammar, else by its motto."""
    number = reading.fields.get("number")
    if number is not None:
        return bool(number.grammar == "party")
    text = fold(" ".join(reading.zones.lines[:40])).upper()
    if "DANG CONG SAN VIET NAM" in text:
        return True
    if "CONG HOA XA HOI CHU NGHIA VIET NAM" in text:
        return False
    return None


@dataclass(frozen=True)
class Reading:
    """A letter as its pages give it, and the documents it cites (the catalog keeps them
    in a table of their own, where "cited by" can be asked)."""

    letter: Letter
    citations: tuple[Citation, ...]


def parse_metadata(zones: Zones, flowing_text: str) -> Reading:
    """Metadata of one letter from its zones (see `indexer.letter.zones`).

    `flowing_text` is the reflowed text (numbers split at line ends are rejoined there),
    used for citations, dates mentioned and capitals of names.
    """
    reading = _Reading(zones, flowing_text, dict.fromkeys(FIELDS), {}, {}, {})
    number_line = _read_number(reading)
    _read_date(reading)
    _read_issuer(reading, _issuer_lines(reading, number_line))
    _read_subject(reading)
    _read_doc_type(reading, number_line)
    _read_province(reading)
    signed = read_signatures([[line.text for line in block] for block in zones.signatures])
    signed["authority"] = in_letter_style(signed["authority"], _is_party(reading))
    evidence = signed.pop("authority_evidence", None)
    if signed.get("title_evidence"):
        reading.inferred["signer_title"] = Inferred(str(signed.pop("title_evidence")))
    part = signed.pop("signer_part", None)
    reading.fields.update(signed)
    _check_signer(reading, signed, part)
    fields = reading.fields
    number: DocumentNumber | None = fields["number"]
    # The number line read wrong ("Số: #2/QĐ-TTg" for a handwritten 729) is not a citation.
    own_line = "".join(number_line.text.split()) if number_line else ""
    citations = tuple(
        c
        for c in reading.cited
        if c.number_key != (number.key if number else None)
        and "".join(c.number.text.split()) not in own_line
    )
    if fields["date"] is None:
        mentioned = [d for d, _ in find_dates(flowing_text)]
        fields["date_not_before"] = max(mentioned).isoformat() if mentioned else None
    lines = list(zones.lines)
    if evidence:
        reading.inferred["authority"] = Inferred(evidence)
    letter = Letter(
        **{name: fields[name] for name in FIELDS},
        references=tuple(dict.fromkeys(c.number for c in citations)),
        recipients=tuple(_list_after(lines, "Kính gửi")),
        distribution=tuple(_list_after(lines, "Nơi nhận")),
        provenance=Provenance(
            reading.sources, reading.review, reading.inferred, reading.candidates
        ),
        central=bool(fields.get("central", False)),
    )
    return Reading(letter, citations)
