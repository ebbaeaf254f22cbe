"""Search snippets as safe HTML, shared by the engines: text escaped, matches in <mark>."""

from __future__ import annotations

import html

SNIPPET_CHARS = 240


def lead(text: str) -> str:
    """The opening of a letter, for hits without a matched word (browsing)."""
    if len(text) <= SNIPPET_CHARS:
        return text
    cut = text.rfind(" ", 0, SNIPPET_CHARS)
    return text[: cut if cut > 0 else SNIPPET_CHARS] + " …"


def mark(fragment: str, byte_ranges: list[tuple[int, int]]) -> str:
    """Escape `fragment` and wrap the given UTF-8 byte ranges in <mark>."""
    raw = fragment.encode()
    merged: list[tuple[int, int]] = []
    for start, end in sorted(byte_ranges):
        # "68", "NQ", "CP" matched apart are one number: mark 68/NQ-CP as a whole.
        if merged and raw[merged[-1][1] : start].strip(b"/-") == b"" and start - merged[-1][1] <= 3:
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    out, position = [], 0
    for start, end in merged:
        if start < position:
            continue
        out.append(html.escape(raw[position:start].decode(errors="replace")))
        out.append("<mark>" + html.escape(raw[start:end].decode(errors="replace")) + "</mark>")
        position = end
    out.append(html.escape(raw[position:].decode(errors="replace")))
    return "".join(out)
