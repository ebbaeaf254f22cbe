"""Suggestions while typing in the search box: document numbers, issuers and signers.

Numbers come from the catalog (a prefix of the number's key, so `68/nq` finds 68/NQ-CP);
issuers and signers from the engine's facet values, the very values its filters accept,
kept for a minute so typing does not recount the archive at every key.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from archive.catalog import Catalog
from indexer.language.numbers import number_key
from indexer.language.vietnamese import fold
from indexer.search import MAX_FACET_VALUES, SearchEngine, SearchRequest

PER_KIND = 5
CACHE_SECONDS = 60.0
_cache: dict[int, tuple[float, dict[str, dict[str, int]]]] = {}
_cache_lock = threading.Lock()


def _facet_values(engine: SearchEngine) -> dict[str, dict[str, int]]:
    with _cache_lock:
        cached = _cache.get(id(engine))
        if cached and time.monotonic() - cached[0] < CACHE_SECONDS:
            return cached[1]
    facets = engine.search(SearchRequest(per_page=1, facet_values=MAX_FACET_VALUES)).facets
    with _cache_lock:
        _cache[id(engine)] = (time.monotonic(), facets)
    return facets


def _matching(values: dict[str, int], typed: str) -> list[tuple[str, int]]:
    """Values containing what was typed (accents optional), those starting with it first."""
    found = [(name, count, fold(name).lower()) for name, count in values.items()]
    found = [item for item in found if typed in item[2]]
    found.sort(key=lambda item: (not item[2].startswith(typed), -item[1], item[0]))
    return [(name, count) for name, count, _ in found[:PER_KIND]]


def suggestions(
    catalog: Catalog, engine: SearchEngine, args: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Numbers, issuers and signers for what is typed in the search box (two characters or more)."""
    typed = " ".join((args.get("q") or "").split())[:100]
    if len(typed) < 2:
        return []
    out: list[dict[str, Any]] = []
    if any(char.isdigit() for char in typed):
        for number, document_id in catalog.numbers_starting(number_key(typed), PER_KIND):
            out.append(
                {
                    "kind": "number",
                    "label": number,
                    "url": "/?" + urlencode({"q": number}),
                    "document_id": document_id,
                }
            )
    folded = fold(typed).lower()
    facets = _facet_values(engine)
    for kind in ("issuer", "signer"):
        for name, count in _matching(facets.get(kind, {}), folded):
            out.append(
                {"kind": kind, "label": name, "count": count, "url": "/?" + urlencode({kind: name})}
            )
    return out
