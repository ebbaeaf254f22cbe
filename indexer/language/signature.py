"""The signature block: authority mark, the signer's title, the signer's name.

A block reads top to bottom: zero or more authority marks (`TM. ỦY BAN NHÂN DÂN` then
`KT. CHỦ TỊCH`; Party letters write `T/M`, `K/T`), the signer's own title (`PHÓ CHỦ TỊCH`,
possibly over two lines or on the mark's line), a seal and signature, then the name,
possibly after a rank (`Thượng tướng Nguyễn Văn Long`). A block may have no mark at all
(`CỤC TRƯỞNG` / name). Blocks set in .VnTimeH extract in lowercase, and OCR misreads
tones (`THƯ TRƯƠNG`), so marks and titles are matched accentless and case-blind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.language.vietnamese import fold, fold_in_place

# The mark as printed, in the two grammars: State letters write `TM.`, Party letters `T/M`.
_MARK = re.compile(r"^(?P<mark>T/M|K/T|T/L|T/U|TM|KT|TL|TUQ|Q)\s*[.:]?\s+(?P<rest>\S.*)$", re.I)
_MARK_SHOWN = {
    "t/m": "T/M", "k/t": "K/T", "t/l": "T/L", "t/u": "T/U",
    "tm": "TM.", "kt": "KT.", "tl": "TL.", "tuq": "TUQ.", "q": "Q.",
}  # fmt: skip
AUTHORITIES = tuple(_MARK_SHOWN.values())
# The same mark in the other system's spelling: Party letters (Hướng dẫn 36-HD/VPTW) write
# `T/M`, State letters (Nghị định 30/2020) `TM.`; OCR often loses the slash or the dot.
_PARTY_MARK = {"TM.": "T/M", "KT.": "K/T", "TL.": "T/L", "TUQ.": "T/U"}
_STATE_MARK = {party: state for state, party in _PARTY_MARK.items()}


def in_letter_style(mark: str | None, party: bool | None) -> str | None:
    """The mark as the letter's system writes it (as printed when the system is unknown)."""
    if mark is None or party is None:
        return mark
    return _PARTY_MARK.get(mark, mark) if party else _STATE_MARK.get(mark, mark)


# Titles a signer holds, accentless → as written. Longer ones first where one contains
# another ("tong cuc truong" before "cuc truong").
TITLES = {
    "thu tuong": "Thủ tướng",
    "bo truong": "Bộ trưởng",
    "thu truong": "Thứ trưởng",
    "chu nhiem": "Chủ nhiệm",
    "chu tich": "Chủ tịch",
    "hieu truong": "Hiệu trưởng",
    "giam doc": "Giám đốc",
    "tong giam doc": "Tổng Giám đốc",
    "tong cuc truong": "Tổng cục trưởng",
    "cuc truong": "Cục trưởng",
    "vu truong": "Vụ trưởng",
    "vien truong": "Viện trưởng",
    "truong phong": "Trưởng phòng",
    "truong khoa": "Trưởng khoa",
    "truong ban": "Trưởng ban",
    "truong doan": "Trưởng đoàn",
    "chanh van phong": "Chánh Văn phòng",
    "chanh thanh tra": "Chánh Thanh tra",
    "chanh an": "Chánh án",
    "tong bi thu": "Tổng Bí thư",
    "bi thu": "Bí thư",
    "tu lenh": "Tư lệnh",
    "chinh uy": "Chính ủy",
    "uy vien": "Ủy viên",
    "tong thu ky": "Tổng Thư ký",
    "chu tich nuoc": "Chủ tịch nước",
}
_TITLE_WORDS = sorted(TITLES, key=len, reverse=True)
_RANKS = re.compile(
    r"^(?:(?:dai|thuong|trung|thieu) (?:tuong|ta|uy)"  # military and police ranks
    r"|(?:gs|pgs|ts|ths|bs|ks|ls)\.?(?:\s?ts\.?)?)\s+",  # degrees: PGS.TS.
    re.I,
)
_EDGE_NOISE = re.compile(r"^[\W_\d]+|[\W_\d]+$")
# Surnames OCR reads without their tone: only the toned one exists as a family name.
_SURNAMES = {"Nguyên": "Nguyễn", "Trân": "Trần"}


def _words(text: str) -> str:
    """Accentless lowercase words, OCR's doubled letters under a seal read once."""
    return re.sub(r"(\w)\1", r"\1", " ".join(re.findall(r"\w+", fold(text).lower())))


def _title_at(words: str) -> tuple[str, str] | None:
    """The title that `words` start with (after an optional "phó"), and what follows."""
    deputy = words.startswith("pho ")
    rest = words[4:] if deputy else words
    for key in _TITLE_WORDS:
        if rest == key or rest.startswith(key + " "):
            shown = ("Phó " if deputy else "") + TITLES[key]
            tail = rest[len(key) :].strip()
            if tail.startswith("thuong"):  # "trực" is often lost under the seal
                return f"{shown} Thường trực", tail.removeprefix("thuong").removeprefix(
                    " truc"
                ).strip()
            return shown, tail
    near = [key for key in _TITLE_WORDS if len(key) >= 8 and _one_edit(rest, key)]
    if len(near) == 1:  # a whole line one letter off one title: an OCR slip ("ĐHỦ NHIỆM")
        return ("Phó " if deputy else "") + TITLES[near[0]], ""
    return None


def _one_edit(word: str, other: str) -> bool:
    """Whether two strings differ by exactly one letter changed, added or dropped."""
    if abs(len(word) - len(other)) > 1 or word == other:
        return False
    if len(word) == len(other):
        return sum(a != b for a, b in zip(word, other, strict=True)) == 1
    short, long = sorted((word, other), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def deputy_of(title: str) -> str:
    """The title of whoever signs "KT." for the holder of `title`."""
    return {"Bộ trưởng": "Thứ trưởng"}.get(title, f"Phó {title}")


def _is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and (
        all(c.isupper() for c in letters) or all(c.islower() for c in letters)
    )


def opens_block(text: str) -> bool:
    """Whether a line is an authority mark, a title set apart in capitals, or the collective
    body a block is signed for."""
    if len(text) > 4 * MAX_BLOCK_LINE_WORDS:
        return False
    bare = _EDGE_NOISE.sub("", _lines([text])[0])
    if _is_caps(bare) and _COLLECTIVE.match(_words(bare)) and len(bare) < 40:
        return True  # the body signed for, its mark lost (see `read_block`)
    if _MARK.match(bare):
        return bool(_is_caps(_MARK.match(bare)["rest"]))  # type: ignore[index]
    return _is_caps(bare) and _title_at(_words(bare)) is not None and len(bare) < 60


def is_name(line: str) -> bool:
    """Whether a line is a person's name (two to six capitalised words, a rank before allowed)."""
    return _name(line) is not None


MAX_BLOCK_LINE_WORDS = 30  # a Word cell may hold mark, title and name on one line


def _name_words(words: list[str]) -> bool:
    return 2 <= len(words) <= 6 and all(w[:1].isupper() and w[1:].islower() and w.isalpha()
                                        for w in words)  # fmt: skip


def _lines(lines: Sequence[str]) -> list[str]:
    """Lines with a name that ends a capitals line (a Word cell read as one) put apart."""
    out = []
    for line in lines:
        words = line.split()
        if len(words) > MAX_BLOCK_LINE_WORDS:  # a paragraph, not a cell of a signature block
            out.append(line)
            continue
        cut = next((i for i in range(1, len(words) - 1) if _name_words(words[i:])
                    and " ".join(words[:i]).isupper()), None)  # fmt: skip
        out.extend([" ".join(words[:cut]), " ".join(words[cut:])] if cut else [line])
    return out


def _name(line: str) -> str | None:
    bare = _EDGE_NOISE.sub("", line).strip()
    rank = _RANKS.match(fold_in_place(bare))
    bare = bare[rank.end() :] if rank else bare
    if not _name_words(bare.split()):
        return None
    first, _, rest = bare.partition(" ")
    return f"{_SURNAMES.get(first, first)} {rest}"


# Collective bodies a letter is signed on behalf of (the mark T/M, TM. names them).
_COLLECTIVE = re.compile(
    r"^(?:ban thuong vu|ban chap hanh|thuong truc|uy ban nhan dan|ubnd|chinh phu|"
    r"hoi dong nhan dan|hdnd|doan chu tich|ban chi dao|dang uy|tinh uy|huyen uy|thanh uy)\b"
)


def read_block(lines: Sequence[str]) -> dict[str, str | None]:
    """authority, signer_title and signer of one block (None where it does not say)."""
    authority = None
    titles: list[str] = []
    name = None
    collective = None  # a body signed for, standing above the title with its mark lost
    partial = None
    for_whom: tuple[str, str] | None = None  # the title the last mark signs for
    for raw in _lines(lines):
        line = _EDGE_NOISE.sub("", raw.strip("* "))
        mark = _MARK.match(line)
        if not titles and authority is None and _is_caps(line) and _COLLECTIVE.match(_words(line)):
            collective = line
            continue
        if mark and _is_caps(mark["rest"]):
            authority = authority or _MARK_SHOWN[mark["mark"].lower()]
            titles = []
            for_whom = _title_at(_words(mark["rest"].split(",")[-1]))
            # "KT. CHỦ TỊCH PHÓ CHỦ TỊCH": the signer's own title may follow the mark's
            # ("KT. BỘ TRƯỞNG, CHỦ NHIỆM" is one person's two posts: the mark's).
            found = _title_at(_words(mark["rest"]))
            if found and found[1] and "," not in mark["rest"]:
                after = _title_at(found[1])
                if after:
                    titles = [after[0]]
            continue
        found = _title_at(_words(line)) if _is_caps(line) else None
        if found and not name:
            # The first title under the marks is the one signed as; a second line names
            # another post the signer holds ("TRƯỞNG BAN" / "PHÓ CHỦ TỊCH UBND TỈNH").
            titles = titles or [found[0]]
            continue
        name = _name(line)
        if name:  # a block ends with its signer's name
            break
        if re.fullmatch(r"[A-ZĐÀ-Ỹ][a-zđà-ỹ]{2,}", line) and line.istitle():
            partial = line  # one syllable of a name, the rest under the seal
    if authority is None and name is None:
        # A title alone may be the deciding body under a quyết định's heading ("THỦ TƯỚNG
        # CHÍNH PHỦ") or a mark OCR lost; without a mark or a name it is not taken.
        titles = []
    read = {"authority": authority, "signer_title": titles[0] if titles else None, "signer": name}
    signing_for = for_whom[0] if for_whom else None
    if authority in ("KT.", "K/T") and titles and titles[0] == signing_for:
        # "KT." is signed by a deputy: the head's own title read there lost its "PHÓ".
        read.update(signer_title=deputy_of(titles[0]),
                    title_evidence=f"ký thay (KT.) {signing_for}: cấp phó")  # fmt: skip
    if name is None and partial and (authority or titles):
        read["signer_part"] = partial  # for the reader to complete from the letter's text
    if authority is None and collective and titles:
        # Only a letter signed on behalf of a collective names it above the title (T/M).
        read.update(authority="TM.", authority_evidence=f"“{collective}” trên chức danh")
    return read


def read_signatures(blocks: Sequence[Sequence[str]]) -> dict[str, str | None]:
    """The fields of all blocks; a joint letter's titles and names joined by "; " in the
    order the blocks stand (null when one of them cannot be read)."""
    read = [r for r in map(read_block, blocks) if any(r.values())]
    if len(read) <= 1:
        return read[0] if read else {"authority": None, "signer_title": None, "signer": None}

    def joined(field: str) -> str | None:
        values = [r[field] for r in read]
        return "; ".join(v for v in values if v) if all(values) else None

    authority = next((r["authority"] for r in read if r["authority"]), None)
    return {
        "authority": authority,
        "signer_title": joined("signer_title"),
        "signer": joined("signer"),
    }
