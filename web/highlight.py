"""The query marked in a letter's text on its page (accents optional, as in search)."""

from __future__ import annotations

from functools import lru_cache

from indexer.search import SearchRequest
from indexer.search.snippets import QueryMarks


@lru_cache(maxsize=64)
def _marks(q: str) -> QueryMarks:
    """One query's marks, made once for the many paragraphs of a page, from the query as a
    search request parses it (the one parse)."""
    return QueryMarks(SearchRequest(q=q).parsed)


def highlight(text: str, q: str) -> str:
    """`text` escaped as HTML, with the query's phrases (each as one run where its words
    stand together), words and document numbers in <mark>."""
    return _marks(q).highlight(text)
