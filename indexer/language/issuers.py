"""Issuing bodies: the vocabulary of `issuer_body`, and an issuer's name from its header.

A header names the issuer in one to four uppercase lines, the parent body first
(BỘ CÔNG THƯƠNG / CỤC HÓA CHẤT; UBND TỈNH LÀO CAI / SỞ XÂY DỰNG). Each line that starts
with a body's word starts a unit; other lines continue the one above (a long name wraps).
The issuer is the last unit, named the way letters name it in running text:

- a department of a province takes the province: "Sở Xây dựng tỉnh Lào Cai";
- an office takes its parent whole: "Văn phòng Ủy ban nhân dân tỉnh Bình Thuận";
- a unit of a ministry or a school is followed by it: "Cục …, Bộ Công an";
- a member university of a national university carries it in brackets;
- joint issuers (a line ending in "-") are joined with " - ".

Capitals follow the rule for names of bodies (Nghị định 30/2020 Phụ lục II): the first
letter of the body word and of each part of its field ("Sở Văn hóa, Thể thao và Du lịch"),
with the own names a body's field holds ("Công Thương").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.language.vietnamese import fold, fold_in_place


@dataclass(frozen=True)
class Body:
    """A kind of issuing body, as headers begin its name."""
    words: str  # accentless lowercase, as a header begins the unit
    shown: str  # the body word as written in running text
    kind: str  # the `issuer_body` vocabulary value
    central: bool = False  # a central body: no province
    local: bool = False  # a local government or Party committee: a place name follows
    # "province" or "district": the level of the place that follows, for the bodies the
    # header reader of `letter.metadata` names by their place
    level: str | None = None


# Most specific first. `kind` is what the archive browses by (docs/api.md lists them).
BODIES = (
    Body("thu tuong chinh phu", "Thủ tướng Chính phủ", "Thủ tướng Chính phủ", central=True),
    Body("van phong chinh phu", "Văn phòng Chính phủ", "Văn phòng Chính phủ", central=True),
    Body("chinh phu", "Chính phủ", "Chính phủ", central=True),
    Body("quoc hoi", "Quốc hội", "Quốc hội", central=True),
    Body("ban chap hanh trung uong", "Ban Chấp hành Trung ương", "Trung ương Đảng", central=True),
    Body(
        "van phong trung uong",
        "Văn phòng Trung ương Đảng",
        "Văn phòng Trung ương Đảng",
        central=True,
    ),
    Body("tong cuc", "Tổng cục", "Tổng cục"),
    Body("chi cuc", "Chi cục", "Chi cục"),
    Body("cuc", "Cục", "Cục"),
    Body("vu", "Vụ", "Vụ"),
    Body("bo chi huy", "Bộ Chỉ huy", "Bộ Chỉ huy"),
    Body("bo", "Bộ", "Bộ", central=True),
    Body(
        "uy ban nhan dan tinh",
        "Ủy ban nhân dân tỉnh",
        "Ủy ban nhân dân tỉnh",
        local=True,
        level="province",
    ),
    Body("ubnd tinh", "Ủy ban nhân dân tỉnh", "Ủy ban nhân dân tỉnh", local=True, level="province"),
    Body(
        "uy ban nhan dan thanh pho",
        "Ủy ban nhân dân thành phố",
        "Ủy ban nhân dân thành phố",
        local=True,
        level="province",
    ),
    Body(
        "ubnd thanh pho",
        "Ủy ban nhân dân thành phố",
        "Ủy ban nhân dân thành phố",
        local=True,
        level="province",
    ),
    Body(
        "uy ban nhan dan huyen",
        "Ủy ban nhân dân huyện",
        "Ủy ban nhân dân huyện",
        local=True,
        level="district",
    ),
    Body(
        "ubnd huyen", "Ủy ban nhân dân huyện", "Ủy ban nhân dân huyện", local=True, level="district"
    ),
    Body("uy ban nhan dan xa", "Ủy ban nhân dân xã", "Ủy ban nhân dân xã", local=True),
    Body("uy ban nhan dan phuong", "Ủy ban nhân dân phường", "Ủy ban nhân dân phường", local=True),
    Body(
        "hoi dong nhan dan tinh",
        "Hội đồng nhân dân tỉnh",
        "Hội đồng nhân dân tỉnh",
        local=True,
        level="province",
    ),
    Body(
        "hdnd tinh",
        "Hội đồng nhân dân tỉnh",
        "Hội đồng nhân dân tỉnh",
        local=True,
        level="province",
    ),
    Body("dang bo", "Đảng bộ", "Đảng bộ", local=True),
    Body("tinh uy", "Tỉnh ủy", "Tỉnh ủy", local=True, level="province"),
    Body("thanh uy", "Thành ủy", "Thành ủy", local=True, level="province"),
    Body("huyen uy", "Huyện ủy", "Huyện ủy", local=True, level="district"),
    Body("thi uy", "Thị ủy", "Thị ủy", local=True, level="district"),
    Body("quan uy", "Quận ủy", "Quận ủy", local=True, level="district"),
    Body("dang uy", "Đảng ủy", "Đảng ủy"),
    Body("cong an", "Công an", "Công an"),
    Body("so", "Sở", "Sở"),
    Body("van phong", "Văn phòng", "Văn phòng"),
    Body("ban chi dao", "Ban Chỉ đạo", "Ban Chỉ đạo"),
    Body("ban thuong vu", "Ban Thường vụ", "Ban Thường vụ"),
    Body("ban", "Ban", "Ban"),
    Body("dai hoc quoc gia", "Đại học Quốc gia", "Đại học"),
    Body("dai hoc", "Đại học", "Đại học"),
    Body("truong dai hoc", "Trường Đại học", "Trường đại học"),
    Body("truong dh", "Trường Đại học", "Trường đại học"),
    Body("truong", "Trường", "Trường"),
    Body("hoc vien", "Học viện", "Học viện"),
    Body("vien", "Viện", "Viện"),
    Body("khoa", "Khoa", "Khoa"),
    Body("phong", "Phòng", "Phòng"),
    Body("trung tam", "Trung tâm", "Trung tâm"),
    Body("tong lien doan lao dong", "Tổng Liên đoàn Lao động", "Công đoàn", central=True),
    Body("lien doan lao dong", "Liên đoàn Lao động", "Công đoàn"),
    Body("cong doan", "Công đoàn", "Công đoàn"),
    Body("uy ban mat tran to quoc", "Ủy ban Mặt trận Tổ quốc", "Mặt trận Tổ quốc"),
    Body("mat tran to quoc", "Mặt trận Tổ quốc", "Mặt trận Tổ quốc"),
    Body("hoi dong", "Hội đồng", "Hội đồng"),
    Body("doan thanh nien", "Đoàn Thanh niên", "Đoàn Thanh niên"),
    Body("hoi", "Hội", "Hội"),
    Body("toa an nhan dan", "Tòa án nhân dân", "Tòa án"),
    Body("vien kiem sat nhan dan", "Viện kiểm sát nhân dân", "Viện kiểm sát"),
    Body("kho bac", "Kho bạc", "Kho bạc"),
)
KINDS = (*dict.fromkeys(body.kind for body in BODIES), "Liên tịch")  # the last: joint letters
CENTRAL_KINDS = {body.kind for body in BODIES if body.central} | {"Trung ương Đảng"}
_SUBUNITS = {"Tổng cục", "Cục", "Vụ", "Chi cục", "Khoa", "Phòng", "Viện", "Trung tâm", "Ban"}
# Names that keep capitals the rule does not give (a ministry's or a school's own name).
_OWN_CAPITALS = {
    "cong thuong": "Công Thương",
    "dai hoc": "Đại học",
    "cong nghe thong tin": "Công nghệ Thông tin",
    "thanh pho ho chi minh": "Thành phố Hồ Chí Minh",
    "tp.hcm": "TP.HCM",
    "trung uong": "Trung ương",
    "viet nam": "Việt Nam",
}
_ABBREVIATIONS = {"dh": "đại học", "ubnd": "ủy ban nhân dân", "hdnd": "hội đồng nhân dân"}
# Fields of ministries and provincial departments, as written (matched accentless, so an
# OCR slip in a tone, "THẺ THAO VẢ DU LỊCH", still gives the name).
FIELDS = (
    "Văn hóa, Thể thao và Du lịch", "Công Thương", "Nội vụ", "Công an", "Xây dựng",
    "Tài chính", "Y tế", "Giáo dục và Đào tạo", "Tư pháp", "Ngoại giao", "Quốc phòng",
    "Nông nghiệp và Môi trường", "Khoa học và Công nghệ", "Dân tộc và Tôn giáo",
    "Tài nguyên và Môi trường", "Kế hoạch và Đầu tư", "Giao thông vận tải",
    "Thông tin và Truyền thông", "Nông nghiệp và Phát triển nông thôn",
    "Lao động - Thương binh và Xã hội", "Lao động",
)  # fmt: skip
# Words the vocabulary spells (body words, known fields, own names): never respelled.
VOCABULARY_WORDS = {
    word
    for phrase in (*(b.shown for b in BODIES), *FIELDS, *_OWN_CAPITALS.values())
    for word in phrase.replace(",", " ").split()
}
_FIELD_SPELLING = {" ".join(fold(f).replace(",", " ").split()): f for f in FIELDS}


def _words(text: str) -> str:
    return " ".join(fold(text).replace("-", " - ").split())


def body_of(unit: str) -> Body | None:
    """The body a header line begins with, if it is one of the vocabulary."""
    words = _words(unit)
    return next((b for b in BODIES if words == b.words or words.startswith(b.words + " ")), None)


@dataclass(frozen=True)
class Unit:
    """One unit of a header: a body and its name, over one or more lines."""
    body: Body | None
    text: str  # as the header prints it, lines joined
    joint: bool = False  # ends in "-": the next unit is a co-issuer, not a child


def _offices_apart(lines: list[str]) -> list[str]:
    """A parent body and its office read as one line ("BAN CHẤP HÀNH TRUNG ƯƠNG VĂN PHÒNG",
    two cells of a Word header) as two lines."""
    out = []
    for line in lines:
        head, office, tail = line.rstrip(" -").rpartition(" VĂN PHÒNG")
        out.extend([head, "VĂN PHÒNG"] if office and not tail.strip() and body_of(head) else [line])
    return out


def units(lines: list[str]) -> list[Unit]:
    """Header lines grouped into units: a line that begins with a body word starts one."""
    out: list[Unit] = []
    for raw in _offices_apart(lines):
        line = raw.strip(" .—–_*")
        joint = line.endswith("-")
        line = line.rstrip(" -")
        if not any(c.isalpha() for c in line):
            continue
        body = body_of(line)
        last = out[-1] if out else None
        if last and not last.joint and (body is None or last.text.endswith((",", " VÀ", " và"))):
            out[-1] = Unit(last.body, f"{last.text} {line}", joint)
        else:
            out.append(Unit(body, line, joint))
    return out


def _apply_capitals(letters: str, model: str) -> str:
    return "".join(
        c.upper() if m.isupper() else c.lower() for c, m in zip(letters, model, strict=True)
    )


def _by_rule(upper: str) -> str:
    """Capitalized at the start and after each comma or "và"; own names kept."""
    parts = re.split(r"(,\s*|\s+và\s+|\s+-\s+)", upper, flags=re.I)
    shown = []
    for part in parts:
        if not part.strip(", -") or fold(part).strip() == "va":
            shown.append(part.lower())
            continue
        phrase = " ".join(_ABBREVIATIONS.get(fold(w), w.lower()) for w in part.split())
        folded = fold_in_place(phrase)
        for key, value in _OWN_CAPITALS.items():
            for found in re.finditer(rf"(?<!\w){re.escape(key)}(?!\w)", folded):
                start, end = found.span()
                phrase = phrase[:start] + _apply_capitals(phrase[start:end], value) + phrase[end:]
        shown.append(phrase[:1].upper() + phrase[1:])
    return "".join(shown)


def field_name(upper: str) -> str:
    """The field part of a name (what follows the body word) in its capitals: a known
    ministry's or department's field as written, else by the rule for names of bodies."""
    known = _FIELD_SPELLING.get(" ".join(fold(upper).replace(",", " ").split()))
    return known or _by_rule(upper)


_LEVELS = {"tinh": "tỉnh", "thanh pho": "thành phố", "tp": "thành phố", "huyen": "huyện",
           "quan": "quận", "thi xa": "thị xã", "xa": "xã", "phuong": "phường"}  # fmt: skip
_PLACE = re.compile(r"^(?P<field>.*?)\s*(?<!\w)(?P<level>tinh|thanh pho|tp\.?|huyen|quan|thi xa|xa|"
                    r"phuong)(?!\w)\s*(?P<place>[^\s,].*)$")  # fmt: skip
_ABBREVIATED_PLACES = {"hcm": "Hồ Chí Minh", "ho chi minh": "Hồ Chí Minh", "hn": "Hà Nội"}


_SPELLED_OUT = {  # accentless abbreviations of issuers' names, written out
    **{fold(k): fold(v).lower() for k, v in _ABBREVIATIONS.items()},
    **{k: fold(v).lower() for k, v in _ABBREVIATED_PLACES.items() if " " not in k},
    "tp": "thanh pho",
}


def issuer_words(name: str) -> str:
    """An issuer's name as comparable words: accentless, lowercase, abbreviations written
    out ("UBND tỉnh", "TP. HCM" → "uy ban nhan dan tinh", "thanh pho ho chi minh")."""
    words = re.findall(r"[a-z0-9]+", fold(name).lower())
    return " ".join(_SPELLED_OUT.get(word, word) for word in words)


def place_name(upper: str) -> str:
    """`HÒ CHÍ MINH` (read by OCR) → `Hồ Chí Minh`: the gazetteer's spelling when the
    accentless name is one unit's, else each word capitalized."""
    from indexer.language.places import spelled

    key = " ".join(fold(upper).replace(".", " ").split())
    if key in _ABBREVIATED_PLACES:
        return _ABBREVIATED_PLACES[key]
    return spelled(" ".join(w[:1].upper() + w[1:].lower() for w in upper.split()))


def split_place(upper: str) -> tuple[str, str | None, str | None]:
    """`SỞ Y TẾ TỈNH AN GIANG` → (`SỞ Y TẾ`, "tỉnh", `An Giang`); no place: (upper, None, None)."""
    found = _PLACE.match(fold_in_place(upper).lower())
    if not found or not found["place"].strip():
        return upper, None, None
    level = _LEVELS[found["level"].rstrip(".")]
    return upper[: found.end("field")].strip(" ,"), level, place_name(upper[found.start("place") :])


def unit_name(unit: Unit) -> str:
    """`SỞ XÂY DỰNG` → `Sở Xây dựng`: the body word as written, its field in capitals as
    the rule gives them (a place in it is left to the caller)."""
    if unit.body is None:
        return field_name(unit.text)
    head = unit.text.split()
    field = " ".join(head[len(unit.body.words.split()) :])
    return f"{unit.body.shown} {field_name(field) if field else ''}".strip()


@dataclass(frozen=True)
class Issuer:
    """The issuer a header names, with its kind and place."""
    name: str
    kind: str  # the `issuer_body` vocabulary
    central: bool
    place: str | None  # the place its name holds ("Lào Cai"), for the province


def _named(unit: Unit, parent: Unit | None) -> tuple[str, str | None]:
    """A unit's name as running text gives it, and the place it stands in."""
    assert unit.body is not None
    field, level, place = split_place(unit.text)
    parent_place = split_place(parent.text) if parent else (None, None, None)
    name = unit_name(Unit(unit.body, field))
    kind = unit.body.kind
    if unit.body.local and place:  # the body's words hold its level: "Ủy ban nhân dân tỉnh"
        return f"{unit.body.shown} {place}", place
    if parent and parent.body and kind == "Văn phòng" and name == unit.body.shown:
        if parent.body.kind == "Trung ương Đảng":
            return "Văn phòng Trung ương Đảng", None
        parent_name, parent_at = _named(parent, None)
        return f"Văn phòng {parent_name}", parent_at
    if place is None and parent and parent.body and parent.body.local and parent_place[2]:
        _, level, place = parent_place  # a department of the province above it
    if kind in ("Trường đại học", "Trường", "Học viện") and place:
        level_shown = "Thành phố" if level == "thành phố" else level
        name, level = f"{name} {level_shown} {place}", None
    if parent and parent.body and kind == "Trường đại học" and parent.body.kind == "Đại học":
        return f"{name} ({unit_name(parent)})", place or parent_place[2]
    if parent and parent.body and kind in _SUBUNITS and not parent.body.local:
        parent_name, parent_at = _named(parent, None)
        return f"{name}, {parent_name}", place or parent_at
    return (f"{name} {level} {place}" if level else name), place


def read_issuer(lines: list[str]) -> Issuer | None:
    """The issuer a header's left column names, or None when its body is not one of the
    vocabulary (a local government or Party committee is read by `metadata`)."""
    found = units(lines)
    if not found or found[-1].body is None:
        return None
    last = found[-1]
    chain = [last]
    while len(found) > len(chain) and found[-len(chain) - 1].joint:
        chain.insert(0, found[-len(chain) - 1])
    parent = found[-len(chain) - 1] if len(found) > len(chain) else None
    if any(u.body is None for u in chain):
        return None
    named = [_named(unit, parent) for unit in chain]
    body = last.body
    assert body is not None
    under_central = bool(parent and parent.body and parent.body.central)
    central = body.central or (under_central and body.kind in (*_SUBUNITS, "Văn phòng"))
    name = " - ".join(n for n, _ in named)
    # A name that is itself a body of the vocabulary ("Văn phòng Trung ương Đảng") has its kind.
    kind = next((b.kind for b in BODIES if b.shown == name), body.kind)
    kind = "Liên tịch" if len(chain) > 1 else kind
    place = next((p for _, p in reversed(named) if p), None)
    return Issuer(name, kind, central, None if central else place)
