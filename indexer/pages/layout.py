"""Where text sits on a page: words and lines with boxes, and the order a person reads them.

Every extracted page (a PDF's text layer and signature-field appearances, a Tesseract
page, a Word file's paragraphs and table cells) becomes a `PageLayout`: lines of words,
each with a box in fractions of the page (0–1, origin top left), in reading order.

Reading order matters because official letters are laid out in zones (Nghị định
30/2020/NĐ-CP Phụ lục I; Hướng dẫn 36-HD/VPTW for Party letters): the header is two
columns (issuer, number and "V/v" on the left; motto, place and date on the right) and so
is the bottom block ("Nơi nhận" on the left; authority mark, title, seal and signer on the
right). Reading across both columns line by line mixes them. `reading_order` is a
recursive XY cut: a page is cut into bands at wide horizontal gaps, a band into columns at
vertical gaps no line crosses, and lines inside what is left are read top to bottom.
"""

from __future__ import annotations

import json
import re
import statistics
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

# A horizontal gap wider than this many line heights ends a line: the two halves stand in
# different columns (header, signature block), or a form blank was left between them.
LINE_GAP = 2.0
# Bands: a vertical gap taller than this many line heights (a blank line) separates them.
BAND_GAP = 0.8
# Columns: a vertical strip this many line heights wide that no line crosses.
COLUMN_GAP = 0.8
OVERLAP = 1.0  # how far (heights) a word may reach back over the one before it
_BUCKET = 0.02  # page heights: lines are looked up within two of these of a word
ROW_OVERLAP = 0.5  # share of the shorter height two boxes on one row have in common
# Form blanks: the number and the day/month are typed or stamped into gaps left in
# "Số:      /KH-UBND" and "ngày    tháng    năm": across such a gap, however wide, these
# pairs of words (before, after) stay on one line, and a number meets its notation
# without a space.
_BLANK_PAIRS = (
    (re.compile(r"^(?:Số|số|Sô):?$"), re.compile(r"^[\d/]")),
    (re.compile(r"^\d+$"), re.compile(r"^/")),
    (re.compile(r"^(?:ngày|Ngày)$"), re.compile(r"^(?:\d|tháng$)")),
    (re.compile(r"^\d{1,2}$"), re.compile(r"^(?:tháng|năm)$")),
    (re.compile(r"^tháng$"), re.compile(r"^(?:\d|năm$)")),
)


def _across_blank(before: str, after: str) -> bool:
    return any(left.match(before) and right.match(after) for left, right in _BLANK_PAIRS)


@dataclass(frozen=True)
class Word:
    """One word and its box in page fractions, with OCR's confidence when it was recognised."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    # The recogniser's confidence (0–100) for a word read by OCR; None for a text layer.
    # Handwritten digits in a number's blank read with low confidence: see `header`.
    confidence: float | None = None


@dataclass(frozen=True)
class Line:
    """One line of a page: its words, in order."""

    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        """The words joined by spaces; one starting with `/` glued to a word ending in a digit."""
        text = self.words[0].text
        for before, word in zip(self.words, self.words[1:], strict=False):
            glued = word.text.startswith("/") and before.text[-1:].isdigit()
            text += word.text if glued else " " + word.text
        return text

    @property
    def x0(self) -> float:
        """The line's left edge, in page widths."""
        return min(word.x0 for word in self.words)

    @property
    def y0(self) -> float:
        """The line's top edge, in page heights."""
        return min(word.y0 for word in self.words)

    @property
    def x1(self) -> float:
        """The line's right edge, in page widths."""
        return max(word.x1 for word in self.words)

    @property
    def y1(self) -> float:
        """The line's bottom edge, in page heights."""
        return max(word.y1 for word in self.words)

    @property
    def height(self) -> float:
        """The line's height, in page heights."""
        return self.y1 - self.y0


class Reading(NamedTuple):
    """One way to read a handwritten blank, and its probability (0–1)."""

    text: str
    score: float


@dataclass(frozen=True)
class Blank:
    """A form blank of the header ("number", "day" or "month") read by the handwriting
    recogniser (`indexer.pages.handwriting`): its readings, best first, where it is, the
    whole line as the recogniser read it, and the printed year beside a date's blanks."""

    field: str
    box: tuple[float, ...]  # x0, y0, x1, y1 in page fractions
    readings: tuple[Reading, ...]
    line: str
    year: str | None = None


@dataclass(frozen=True)
class PageLayout:
    """One page: its lines in reading order, and where its text came from."""

    number: int  # from 1
    lines: tuple[Line, ...]
    blanks: tuple[Blank, ...] = ()  # handwritten blanks of a scanned header, when read

    @property
    def text(self) -> str:
        """The page's text: its lines in reading order, one a line."""
        return "\n".join(line.text for line in self.lines)

    def side(self, line: Line) -> str:
        """Which column of the page a line stands in (see `column_of`)."""
        return column_of(line.x0, line.x1)


# A line whose middle stands left of this (right of 1 - this) belongs to a header column.
COLUMN_EDGE = 0.42


def column_of(x0: float, x1: float) -> str:
    """ "left", "right" or "centre", by where the middle of a stretch from x0 to x1 stands:
    the issuer's column and the motto's are each centred in their half, a type name or a
    body line across the middle."""
    middle = (x0 + x1) / 2
    if middle < COLUMN_EDGE:
        return "left"
    if middle > 1 - COLUMN_EDGE:
        return "right"
    return "centre"


# --- building lines from words ----------------------------------------------------------------


def _same_row(top: float, bottom: float, other_top: float, other_bottom: float) -> bool:
    """Whether two boxes stand on one row: they share at least half the shorter one's
    height (boxes of neighbouring lines may touch or overlap a little, not that much)."""
    overlap = min(bottom, other_bottom) - max(top, other_top)
    return overlap >= ROW_OVERLAP * min(bottom - top, other_bottom - other_top)


def _gap(line: list[Word], word: Word) -> float:
    """How far `word` starts to the right of the line's right end (the furthest any of its
    words reaches, so a speck read as `}` under a word breaks nothing)."""
    return word.x0 - max(w.x1 for w in line)


def _too_far(gap: float, line: list[Word], word: Word, height: float) -> bool:
    """Whether a gap wider than `LINE_GAP` heights parts `word` from the line, with no form
    blank between them."""
    return gap > LINE_GAP * height and not _across_blank(line[-1].text, word.text)


def _continues(line: list[Word], word: Word) -> float | None:
    """How far `word` stands to the right of the line's end when it continues the line
    (beside its end, on the row of its first word), or None when it does not."""
    first = line[0]
    height = max(first.y1 - first.y0, word.y1 - word.y0)
    gap = _gap(line, word)
    if gap < -OVERLAP * height or _too_far(gap, line, word, height):
        return None
    return gap if _same_row(word.y0, word.y1, first.y0, first.y1) else None


def _chains(words: Iterable[Word]) -> list[Line]:
    """Words chained from left to right into lines: each word continues the line that ends
    nearest before it. Rows are not cut across the page first, because the two columns of a
    header interleave and a number stamped into a blank may sit a little off its line.
    Lines are looked up by the height of their first word (a page holds hundreds)."""
    lines: list[list[Word]] = []
    by_height: dict[int, list[int]] = {}
    for word in sorted(words, key=lambda w: w.x0):
        bucket = int((word.y0 + word.y1) / 2 / _BUCKET)
        nearby = (i for b in range(bucket - 2, bucket + 3) for i in by_height.get(b, ()))
        fits = [(gap, i) for i in nearby if (gap := _continues(lines[i], word)) is not None]
        if fits:
            lines[min(fits)[1]].append(word)
        else:
            by_height.setdefault(bucket, []).append(len(lines))
            lines.append([word])
    return [Line(tuple(line)) for line in lines]


def split_at_gaps(words: Sequence[Word]) -> list[Line]:
    """One row of words (as a recogniser found it) as lines, cut where a gap of more than
    `LINE_GAP` heights opens, unless a form blank lies there (overlapping boxes stay: the
    recogniser put them on this row)."""
    ordered = sorted(words, key=lambda w: w.x0)
    height = statistics.median(w.y1 - w.y0 for w in ordered)
    lines: list[list[Word]] = [[ordered[0]]]
    for word in ordered[1:]:
        if _too_far(_gap(lines[-1], word), lines[-1], word, height):
            lines.append([word])
        else:
            lines[-1].append(word)
    return [Line(tuple(line)) for line in lines]


def lines_from_words(words: Iterable[Word]) -> list[Line]:
    """Words with boxes (a PDF's text layer) as lines, in reading order."""
    return reading_order(_chains(words))


def lines_from_rows(rows: Iterable[Sequence[Word]]) -> list[Line]:
    """Rows already found by a recogniser (Tesseract's lines) as lines, in reading order."""
    return reading_order([line for row in rows if row for line in split_at_gaps(row)])


# --- reading order ------------------------------------------------------------------------------


def _groups(spans: list[tuple[float, float]], min_gap: float) -> list[list[int]]:
    """Indexes of spans grouped where the union of the spans has a gap wider than min_gap."""
    order = sorted(range(len(spans)), key=lambda i: spans[i][0])
    groups = [[order[0]]]
    end = spans[order[0]][1]
    for index in order[1:]:
        start, stop = spans[index]
        if start - end > min_gap:
            groups.append([index])
        else:
            groups[-1].append(index)
        end = max(end, stop)
    return groups


def _rows_of(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped into rows from the top, left to right within a row."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda line: (line.y0 + line.y1) / 2):
        last = rows[-1][-1] if rows else None
        if last and _same_row(line.y0, line.y1, last.y0, last.y1):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda line: line.x0) for row in rows]


def _free(row: list[Line]) -> list[tuple[float, float]]:
    """The stretches of the page's width that no line of a row covers."""
    free, start = [], 0.0
    for line in row:
        if line.x0 > start:
            free.append((start, line.x0))
        start = max(start, line.x1)
    return [*free, (start, 1.0)] if start < 1.0 else free


def _common(free: list[tuple[float, float]], other: list[tuple[float, float]],
            width: float) -> list[tuple[float, float]]:  # fmt: skip
    """The stretches free in both, at least `width` wide."""
    both = [(max(a, c), min(b, d)) for a, b in free for c, d in other]
    return [(a, b) for a, b in both if b - a >= width]


def _two_columns(rows: list[list[Line]], split: tuple[float, float]) -> bool:
    lines = [line for row in rows for line in row]
    return any(line.x1 <= split[0] for line in lines) and any(line.x0 >= split[1] for line in lines)


def _by_column_runs(lines: list[Line], height: float) -> list[Line]:
    """Rows from the top; where consecutive rows stand in two columns with a gap no line
    crosses (the Nơi nhận list beside the signature block, with no blank line above it to
    cut a band at), the left column is read before the right one."""
    rows, ordered, start = _rows_of(lines), [], 0
    frees = [_free(row) for row in rows]
    while start < len(rows):
        free, end = frees[start], start + 1
        while end < len(rows) and (common := _common(free, frees[end], COLUMN_GAP * height)):
            free = common
            end += 1
        splits = [gap for gap in free if _two_columns(rows[start:end], gap)]
        if end - start < 2 or not splits:
            ordered.extend(rows[start])
            start += 1
            continue
        run = [line for row in rows[start:end] for line in row]
        middle = sum(splits[0]) / 2
        for side in ([x for x in run if x.x1 <= middle], [x for x in run if x.x0 >= middle]):
            ordered.extend(_cut(side, height))
        start = end
    return ordered


def _cut(lines: list[Line], height: float) -> list[Line]:
    if len(lines) <= 1:
        return lines
    bands = _groups([(line.y0, line.y1) for line in lines], BAND_GAP * height)
    if len(bands) == 1:
        columns = _groups([(line.x0, line.x1) for line in lines], COLUMN_GAP * height)
        if len(columns) == 1:
            return _by_column_runs(lines, height)
        bands = columns
    return [line for band in bands for line in _cut([lines[i] for i in band], height)]


def reading_order(lines: list[Line]) -> list[Line]:
    """Lines in the order a person reads them (recursive XY cut, see the module docstring)."""
    if not lines:
        return []
    height = statistics.median(line.height for line in lines) or 0.01
    return _cut(lines, height)


# --- storage ------------------------------------------------------------------------------------


def pack(pages: Sequence[PageLayout]) -> bytes:
    """Pages as compact compressed JSON for the catalog (boxes in 1/10,000 of the page,
    then the OCR confidence when there is one)."""

    def packed(word: Word) -> list[str | int]:
        box = [round(value * 10_000) for value in (word.x0, word.y0, word.x1, word.y1)]
        confidence = [] if word.confidence is None else [round(word.confidence)]
        return [word.text, *box, *confidence]

    data = [
        {"page": page.number, "lines": [[packed(w) for w in line.words] for line in page.lines]}
        | ({"blanks": [_packed_blank(b) for b in page.blanks]} if page.blanks else {})
        for page in pages
    ]
    return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


def _packed_blank(blank: Blank) -> dict[str, Any]:
    return {"field": blank.field, "box": [round(v * 10_000) for v in blank.box],
            "readings": [list(r) for r in blank.readings], "line": blank.line,
            "year": blank.year}  # fmt: skip


def _unpacked_blank(data: dict[str, Any]) -> Blank:
    readings = tuple(Reading(text, score) for text, score in data["readings"])
    box = tuple(v / 10_000 for v in data["box"])
    return Blank(data["field"], box, readings, data["line"], data.get("year"))


def _unpacked(text: str, *values: int) -> Word:
    x0, y0, x1, y1 = (v / 10_000 for v in values[:4])
    return Word(text, x0, y0, x1, y1, float(values[4]) if len(values) > 4 else None)


def unpack(blob: bytes) -> list[PageLayout]:
    """The pages `pack` stored."""
    data: list[dict[str, Any]] = json.loads(zlib.decompress(blob))
    return [
        PageLayout(
            page["page"],
            tuple(Line(tuple(_unpacked(*word) for word in line)) for line in page["lines"]),
            tuple(_unpacked_blank(blank) for blank in page.get("blanks", ())),
        )
        for page in data
    ]
