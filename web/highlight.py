"""The query marked in a letter's text on its page (accents optional, as in search)."""

from __future__ import annotations

from functools import lru_cache

from indexer.search.query import parse_query
from indexer.search.snippets import QueryMarks


@lru_cache(maxsize=64)
def _marks(q: str) -> QueryMarks:
    """One query's marks, made once for the many paragraphs of a page."""
    return QueryMarks(parse_query(q))


def highlight(text: str, q: str) -> str:
    """`text` escaped as HTML, with the query's phrases (each as one run where its words
    stand together), words and document numbers in <mark>."""
    return _marks(q).highlight(text)
