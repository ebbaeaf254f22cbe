"""The query's words marked in a letter's text on its page (accents optional, as in search)."""

from __future__ import annotations

from indexer.engine.query import WORD, parse_query
from indexer.engine.snippets import mark
from indexer.numbers import find_numbers
from indexer.vietnamese import fold


def highlight(text: str, q: str) -> str:
    """`text` escaped as HTML, with the query's words and document numbers in <mark>."""
    parsed = parse_query(q)
    words = {fold(w).lower() for w in parsed.words} | {
        fold(w).lower() for phrase in parsed.phrases for w in phrase
    }
    keys = {number.key for number in parsed.numbers}
    ranges = []
    if words:
        for match in WORD.finditer(text):
            if fold(match.group()).lower() in words:
                ranges.append(
                    (len(text[: match.start()].encode()), len(text[: match.end()].encode()))
                )
    for number in find_numbers(text) if keys else []:
        if number.key in keys:
            ranges.append((len(text[: number.start].encode()), len(text[: number.end].encode())))
    return mark(text, ranges)
