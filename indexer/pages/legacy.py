"""Legacy 8-bit Vietnamese encodings (TCVN3/ABC, VNI, VISCII) turned into Unicode.

Older Word files and PDFs set in .VnTime (TCVN3) or VNI fonts extract as Latin-1
look-alikes: `TØnh ñy` is "Tỉnh ủy", `ngöôøi` is "người". Detection and conversion tables
come from `viparse`; this module only decides when to ask it, because its content
detection costs a few milliseconds and most letters are plain Unicode.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import islice

import viparse

from indexer.pages.layout import Line, PageLayout

# Latin-1 characters that Vietnamese Unicode text does not use but legacy encodings do.
_VIETNAMESE_LATIN1 = set("àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ")
_HINTS = frozenset(chr(code) for code in range(0xA1, 0x100)) - _VIETNAMESE_LATIN1 - set("«»°±·×÷")
_HINT = re.compile(f"[{re.escape(''.join(sorted(_HINTS)))}]")
_MIN_HINTS = 3
_SAMPLE_CHARS = 200_000  # a letter is in one encoding: its opening tells (a 50 MB one too)


def detect_legacy(text: str) -> str | None:
    """ "tcvn3", "vni", "viscii"… when the text is in a legacy encoding, else None."""
    sample = text[:_SAMPLE_CHARS]
    if len(list(islice(_HINT.finditer(sample), _MIN_HINTS))) < _MIN_HINTS:
        return None
    encoding: str | None = viparse.detect_text_encoding(sample)
    return encoding


def to_unicode(text: str) -> tuple[str, str | None]:
    """The text in Unicode, and the legacy encoding it was in (None if it was Unicode)."""
    encoding = detect_legacy(text)
    if encoding is None:
        return text, None
    converted: str = viparse.fix(text, encoding=encoding)
    # viparse trims the ends; keep the text's own leading and trailing white space.
    stripped = text.strip()
    head, tail = text[: text.find(stripped)], text[text.find(stripped) + len(stripped) :]
    return head + converted.strip() + tail, encoding


def convert_layout(layout: PageLayout, encoding: str) -> PageLayout:
    """A page's words converted from a legacy encoding found on the whole page (one word
    alone is too short to detect)."""

    def converted(line: Line) -> Line:
        words = (replace(w, text=viparse.fix(w.text, encoding=encoding)) for w in line.words)
        return Line(tuple(words))

    return replace(layout, lines=tuple(converted(line) for line in layout.lines))
