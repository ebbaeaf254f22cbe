"""The search steps both engines take, whatever their index: the page a request asks for
across ranked lists shown one after another, whether the top results are re-ranked and
how bonuses reorder them, hits with their snippets, facet order, the suggestion and the
result. Each engine keeps only what talks to its own library or server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from indexer.search import FACETS, SearchRequest, SearchResult
from indexer.search.snippets import QueryMarks
from indexer.search.typos import suggestion

RERANK_WINDOW = 200  # bonuses reorder the top results only; deeper pages keep the engine's
T = TypeVar("T")
Facets = dict[str, dict[str, int]]


@dataclass(frozen=True)
class Page:
    """The results a page shows: `limit` of them from `offset`."""

    offset: int
    limit: int

    @classmethod
    def of(cls, request: SearchRequest) -> Page:
        """The page a request asks for."""
        return cls((request.page - 1) * request.per_page, request.per_page)

    def cut(self, ranked: Sequence[T]) -> list[T]:
        """This page of a list ranked from its first result."""
        return list(ranked[self.offset : self.offset + self.limit])

    def after(self, before: int, shown: int) -> Page:
        """What of this page a list ranked after `before` results fills, `shown` of the
        page being taken by the lists before it (letters bearing a number, then citing it,
        then holding it; exact matches, then typos)."""
        return Page(max(0, self.offset - before), self.limit - shown)

    @property
    def reranked(self) -> bool:
        """Whether the page lies in the top RERANK_WINDOW results, which bonuses reorder."""
        return self.offset + self.limit <= RERANK_WINDOW


def rerank(
    ids: Sequence[int],
    scores: Mapping[int, float],
    bonuses: Iterable[Mapping[int, float]],
    first: Callable[[int], tuple[int, ...]] = lambda _: (),
) -> list[int]:
    """`ids` by their score plus their bonuses (words together, exact accents), after what
    `first` ranks (the bearer of a number, fewer typos); equals keep the engine's order."""
    total = dict(scores)
    for bonus in bonuses:
        for letter_id, score in bonus.items():
            total[letter_id] += score
    return sorted(ids, key=lambda letter_id: (*first(letter_id), -total[letter_id]))


def shown_hit(
    hit: Mapping[str, Any], text: str, marks: QueryMarks, page_at: Callable[[int], int | None]
) -> dict[str, Any]:
    """A hit as the API shows it: its fields, a snippet of `text` around the query, and the
    page of a scan the snippet is on (`page_at` the snippet's character in `text`)."""
    shown = dict(hit)
    shown["snippet"], offset = marks.snippet_of(text)
    shown["page"] = page_at(offset)
    return shown


def no_facets() -> Facets:
    """Every facet, without values."""
    return {name: {} for name in FACETS}


def ordered_facets(counts: Mapping[str, Mapping[str, int]], size: int) -> Facets:
    """Every facet's values, most frequent first, equal counts in the order of their values,
    `size` of them at most."""
    return {
        name: dict(sorted((counts.get(name) or {}).items(), key=_by_count)[:size])
        for name in FACETS
    }


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]


def nothing_found() -> SearchResult:
    """The result of a query that holds nothing to look for (`request.unanswerable`)."""
    return SearchResult(total=0, hits=[], facets=no_facets())


def search_result(
    request: SearchRequest,
    total: int,
    found: Sequence[T],
    show: Callable[[T, QueryMarks], dict[str, Any]],
    facets: Facets,
    typos: Mapping[str, tuple[str, ...]] | None = None,
    corrections: Mapping[str, str] | None = None,
    texts_with: Callable[[], list[str]] = list,
) -> SearchResult:
    """The page's hits, shown with the query (and the words matched with a typo) marked,
    and the suggestion when words were corrected: spelled as the hits' snippets spell them,
    else as the texts `texts_with` finds."""
    marks = QueryMarks(request.parsed, [t for terms in (typos or {}).values() for t in terms])
    hits = [show(item, marks) for item in found]
    suggested = None
    if corrections:
        texts = [hit["snippet"] for hit in hits] or texts_with()
        suggested = suggestion(request.q, request.parsed, corrections, texts)
    return SearchResult(total=total, hits=hits, facets=facets, suggestion=suggested)
