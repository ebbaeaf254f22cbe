"""A search that does not give up on one word: when every word of a query must match and
one of them matches nothing ("phòng chốg dịch", a slip in a word too short for typos), the
letters matching all the other words are shown, and the word left out is named, as
Meilisearch's matching strategy does. Engine-agnostic: both engines answer alike.
"""

from __future__ import annotations

from dataclasses import replace

from indexer.search import SearchEngine, SearchRequest, SearchResult

# Leaving each word out in turn costs a search per word: longer queries only drop the
# words that find nothing on their own.
TRY_EACH_UP_TO = 6


def search(engine: SearchEngine, request: SearchRequest) -> SearchResult:
    """The engine's answer; when a query of several words finds nothing, the answer
    without the words that find nothing on their own (else without the one word whose
    absence finds most), with `left_out` naming them and the suggestion of the whole
    query kept ("phòng chống dịch" for "phòng chốg dịch"). Number queries stay exact."""
    result = engine.search(request)
    parsed = request.parsed
    if result.total or len(parsed.words) < 2 or parsed.numbers:
        return result
    failing = [word for word in parsed.words if not _count(engine, request, [word])]
    if failing and len(failing) < len(parsed.words):
        return _without(engine, request, failing, result.suggestion)
    if failing or len(parsed.words) > TRY_EACH_UP_TO:
        return result
    counts = {word: _count(engine, request, _others(parsed.words, [word])) for word in parsed.words}
    best = max(parsed.words, key=lambda word: counts[word])  # the first of equals
    return _without(engine, request, [best], result.suggestion) if counts[best] else result


def _others(words: tuple[str, ...], left_out: list[str]) -> list[str]:
    return [word for word in words if word not in left_out]


def _query(request: SearchRequest, words: list[str]) -> str:
    """The query with only `words` of its words, its quoted phrases kept."""
    phrases = [f'"{" ".join(phrase)}"' for phrase in request.parsed.phrases]
    return " ".join([*words, *phrases])


def _count(engine: SearchEngine, request: SearchRequest, words: list[str]) -> int:
    """How many letters `words` find, with the request's filters (counted, nothing shown)."""
    asked = replace(request, q=_query(request, words), page=1, per_page=1, facet_values=0)
    return engine.search(asked).total


def _without(
    engine: SearchEngine, request: SearchRequest, left_out: list[str], suggestion: str | None
) -> SearchResult:
    kept = _others(request.parsed.words, left_out)
    found = engine.search(replace(request, q=_query(request, kept)))
    if not found.total:
        return found
    return replace(found, left_out=tuple(left_out), suggestion=suggestion or found.suggestion)
