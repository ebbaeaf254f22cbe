"""The zones of a letter an archivist reads metadata from: the header and the signature block.

Nghị định 30/2020/NĐ-CP Phụ lục I (and Hướng dẫn 36-HD/VPTW for Party letters) place them:
the header's left column holds the issuing body (its parent above it), the number and a
công văn's "V/v" summary; its right column the motto and the place and date; the type name
and subject are centred under both. At the bottom, "Nơi nhận" stands on the left and the
signature block (authority mark, title, seal, name) on the right; a joint letter has one
block per issuer side by side.

With positions (PDF text layers, OCR pages, Word tables) each line is put in its column by
where its middle stands. Plain text has no positions: every line is "centre" and the parsers
read it in order, as it was typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from indexer.language.signature import is_name, opens_block
from indexer.language.vietnamese import clean, fold
from indexer.pages.layout import Blank, Line, PageLayout, Word, column_of

HEADER_MAX_LINES = 40
HEADER_MAX_DEPTH = 0.45  # page heights: a header ends above this however it is laid out
SIGNATURE_REACH = 0.4  # page heights a signature block may span below its first mark
# The body begins with the salutation or one of these openings (compared accentless, so
# an OCR slip in a tone does not hide it).
_OPENERS = re.compile(
    r"^(?:kinh gui|gui\s*:|can cu|thuc hien|xet |theo de nghi|hien nay|nhan dip|"
    r"trong (?:thoi gian|nhung nam)|sau khi|thoi gian qua|vua qua|tiep theo|"
    r"(?:i|1)\.\s|dieu 1)"
)
_MOTTO_START = re.compile(r"^(?:CỘNG|ĐẢNG)$", re.I)
_MOTTOS = re.compile(
    r"ĐẢNG\s+CỘNG\s+SẢN\s+VIỆT\s+NAM|C[ỘO]NG\s+H[ÒOÓ]A\s+X[ÃA]\s+H[ỘO]I\s+CH[ỦU]\s+NGH[ĨI]A\s+"
    r"VI[ỆE]T\s+NAM|Độc\s+lập\s*[-—–]+\s*Tự\s+do\s*[-—–]+\s*Hạnh\s+phúc",
    re.I,
)


@dataclass(frozen=True)
class ZoneLine:
    """One line of a zone, with where it was read (for provenance and doubt)."""

    text: str
    page: int
    method: str  # how the page was read: "pdf:text-layer", "ocr:tesseract-vie", "txt"…
    side: str  # "left", "right" or "centre"
    y: float  # top, in page heights (the line's order for plain text)
    words: tuple[Word, ...] = ()

    def doubtful(self, pattern: re.Pattern[str], threshold: float) -> bool:
        """Whether a word of the line matching `pattern` was recognised with less than
        `threshold` confidence (handwriting in a blank, a seal over digits)."""
        return any(
            w.confidence is not None and w.confidence < threshold and pattern.search(w.text)
            for w in self.words
        )


@dataclass(frozen=True)
class Zones:
    """A letter's zones: its first page's header, its signature blocks, and all its lines."""

    header: tuple[ZoneLine, ...]  # the first page's header, in reading order
    signatures: tuple[tuple[ZoneLine, ...], ...]  # signature blocks, left to right
    lines: tuple[str, ...]  # every line of the letter, in reading order
    # The header's handwritten blanks as the handwriting recogniser read them (scans).
    blanks: tuple[Blank, ...] = ()

    def blank(self, field: str) -> Blank | None:
        """The header's blank for `field` ("number", "day", "month"), when it was read."""
        return next((blank for blank in self.blanks if blank.field == field), None)

    def column(self, *sides: str) -> list[ZoneLine]:
        """The header lines standing in these columns (`left`, `right`, `centre`), in order."""
        return [line for line in self.header if line.side in sides]


def _zone_lines(page: PageLayout, method: str, line: Line) -> list[ZoneLine]:
    """A line as zone lines; a header line that runs from the issuer into the motto (one
    row read across both columns) is cut where the motto starts."""
    words = line.words
    cut = next(
        (i for i, w in enumerate(words) if i and _MOTTO_START.match(w.text)
         and _MOTTOS.match(" ".join(x.text for x in words[i:]))),
        None,
    )  # fmt: skip
    parts = [words[:cut], words[cut:]] if cut else [words]
    out = []
    for part in parts:
        side = column_of(part[0].x0, max(w.x1 for w in part))
        top = min(w.y0 for w in part)
        out.append(ZoneLine(clean(Line(part).text), page.number, method, side, top, part))
    return out


def _opens_body(line: ZoneLine) -> bool:
    words = line.words
    wide = not words or max(w.x1 for w in words) - words[0].x0 >= 0.3
    folded = fold(line.text.lstrip("-–—*_ ")).lower()
    salutation = folded.startswith(("kinh gui", "gui"))
    return bool(_OPENERS.match(folded)) and (wide or salutation)


def _is_motto(line: ZoneLine) -> bool:
    return not _MOTTOS.sub("", line.text).strip(" -—–.*_")


def _is_speck(line: ZoneLine) -> bool:
    """A seal's edge or a speck OCR read as a sign ("¬", ":"), not a line of the letter."""
    return sum(c.isalnum() for c in line.text) < 2


def _header(lines: list[ZoneLine]) -> tuple[ZoneLine, ...]:
    """The lines above the body's first line (by height on the page), mottos left out."""
    ends = [line.y for line in lines if _opens_body(line)]
    end = min(ends, default=HEADER_MAX_DEPTH)
    kept = [line for line in lines if line.y < min(end, HEADER_MAX_DEPTH)
            and not _is_motto(line) and not _is_speck(line)]  # fmt: skip
    return tuple(kept[:HEADER_MAX_LINES])


def _is_distribution(line: ZoneLine) -> bool:
    # "Nơi nhận:"; OCR may misread its last letter ("Nơi nhậm") when the colon is lost.
    folded = fold(line.text.lstrip("-*_ ")).lower()
    return bool(re.match(r"noi nhan\s*:|noi nha\w?\s*:?\s*$", folded))


def _is_mark_or_title(line: ZoneLine) -> bool:
    return opens_block(line.text)


def _signature_page(pages: list[list[ZoneLine]]) -> tuple[list[ZoneLine], float] | None:
    """The page holding the signature block and the height its first line starts at: on the
    first page with a "Nơi nhận" list, a mark or title on the right above or beside it;
    failing that, the last mark or title on the right half of any page."""
    for lines in pages:
        notes = [line.y for line in lines if _is_distribution(line)]
        if not notes:
            continue
        marks = [line.y for line in lines if line.side == "right" and _is_mark_or_title(line)
                 and line.y > notes[0] - SIGNATURE_REACH]  # fmt: skip
        names = [line.y for line in lines if line.side == "right" and is_name(line.text)
                 and abs(line.y - notes[0]) < SIGNATURE_REACH]  # fmt: skip
        if marks or names:  # no mark or title read (under a seal): the names beside the list
            return lines, min(marks or names)
    for lines in reversed(pages):
        marks = [line.y for line in lines if line.side == "right" and _is_mark_or_title(line)]
        if marks:
            return lines, min(marks)
    return None


def _blocks(lines: list[ZoneLine], top: float) -> tuple[tuple[ZoneLine, ...], ...]:
    """The signature blocks from `top` down: the right one, and a left one beside it when
    the letter is signed jointly (a mark or title on the left at the same height, above the
    "Nơi nhận" list)."""
    below = [line for line in lines if top - 0.01 <= line.y <= top + SIGNATURE_REACH]
    right = [line for line in below if line.side == "right"]
    notes = [line.y for line in lines if _is_distribution(line)]
    beside = any(y < top + 0.05 for y in notes)  # "Nơi nhận" beside the block: no left block
    left_end = min((y for y in notes if y > top), default=top + SIGNATURE_REACH)
    left = [line for line in below if line.side == "left" and line.y < left_end]
    signed = not beside and any(_is_mark_or_title(line) or is_name(line.text) for line in left)
    blocks = [left] if signed else []
    blocks.append(right)
    return tuple(tuple(sorted(block, key=lambda line: line.y)) for block in blocks)


def zones_from_pages(pages: Sequence[tuple[PageLayout, str]]) -> Zones:
    """Zones of a letter read with positions: (page layout, how the page was read)."""
    laid = [[z for line in page.lines for z in _zone_lines(page, method, line)]
            for page, method in pages]  # fmt: skip
    first = next((lines for lines in laid if lines), [])
    found = _signature_page([lines for lines in laid if lines])
    every = tuple(line.text for lines in laid for line in lines)
    # A letter laid out in one column (no block on the right) is read as plain text is.
    signatures = _blocks(*found) if found else _text_signature(list(every))
    blanks = next((page.blanks for page, _ in pages if page.lines), ())
    return Zones(_header(first), signatures, every, blanks)


def zones_from_text(text: str, method: str = "txt") -> Zones:
    """Zones of plain text: no columns; the header is what comes before the body starts,
    the signature block what follows the last authority mark or title."""
    lines = [line.strip() for line in text.split("\n")]
    rows = _text_rows(lines, method)
    end = next((line.y for line in rows if _opens_body(line)), len(lines))
    header = tuple(line for line in rows if line.y < end and not _is_motto(line))
    return Zones(header[:HEADER_MAX_LINES], _text_signature(lines, method), tuple(lines))


def _text_rows(lines: list[str], method: str) -> list[ZoneLine]:
    return [ZoneLine(line, 1, method, "centre", index) for index, line in enumerate(lines) if line]


def _text_signature(lines: list[str], method: str = "txt") -> tuple[tuple[ZoneLine, ...], ...]:
    """The block that starts at the last mark or title (walking back over stacked ones)."""
    rows = _text_rows(lines, method)
    marks = [i for i, line in enumerate(rows) if _is_mark_or_title(line)]
    start = marks[-1] if marks else None
    while start and _is_mark_or_title(rows[start - 1]):  # stacked marks: TM. … then KT. …
        start -= 1
    return (tuple(rows[start : start + 12]),) if start is not None else ()
