"""The signature block a scanned page's segmentation skipped, read again on its own.

Under a red seal and a signature, Tesseract's automatic page segmentation often finds no
text block at all where the authority mark, the title and the name stand (beside "Nơi
nhận", on the right half of the page). When a page has a "Nơi nhận" list and no name
read on the right beside it, that area is cropped and read again as one block; its lines
replace whatever the first pass read there. On the shared real scans this recovers names
and marks the first pass lost (docs/benchmarks.md).
"""

from __future__ import annotations

import re

from indexer.language.signature import is_name
from indexer.language.vietnamese import fold
from indexer.pages.layout import Line, PageLayout, Word, reading_order

ABOVE = 0.12  # page heights above "Nơi nhận" where a signature block may start
BELOW = 0.32  # and below it
MIDDLE = 0.5  # the right half holds the signature block

Area = tuple[float, float, float, float]  # x0, y0, x1, y1 in page fractions


def unread_signature_area(layout: PageLayout) -> Area | None:
    """The right half beside the page's "Nơi nhận" list when no name was read there."""
    notes = [
        line
        for line in layout.lines
        if line.x1 < 0.6 and re.match(r"noi nha", fold(line.text.lstrip("-*_ ")).lower())
    ]
    if not notes:
        return None
    top, bottom = max(0.0, notes[0].y0 - ABOVE), min(1.0, notes[0].y0 + BELOW)
    beside = [line for line in layout.lines if line.x0 >= MIDDLE - 0.1 and top <= line.y0 <= bottom]
    if any(is_name(line.text) for line in beside):
        return None
    return (MIDDLE, top, 1.0, bottom)


def _placed(word: Word, area: Area) -> Word:
    x0, y0, x1, y1 = area
    width, height = x1 - x0, y1 - y0
    return Word(word.text, x0 + word.x0 * width, y0 + word.y0 * height,
                x0 + word.x1 * width, y0 + word.y1 * height, word.confidence)  # fmt: skip


def merged(layout: PageLayout, area: Area, found: PageLayout) -> PageLayout:
    """The page with the area's lines read again in place of the first pass's.

    Lines crossing the middle of the page (body text the crop cut in two) stay as the
    first pass read them, and the crop's pieces of them are dropped.
    """
    x0, top, _, bottom = area

    def inside(line: Line) -> bool:
        return line.x0 >= x0 - 0.1 and top <= line.y0 <= bottom

    crossing = [line for line in layout.lines if line.x0 < x0 - 0.05 < x0 + 0.05 < line.x1]
    placed = [Line(tuple(_placed(w, area) for w in line.words)) for line in found.lines]
    new = [
        line
        for line in placed
        if not any(min(line.y1, c.y1) - max(line.y0, c.y0) > 0 for c in crossing)
    ]
    kept = [line for line in layout.lines if not inside(line)]
    return PageLayout(layout.number, tuple(reading_order(kept + new)))
