"""The search engines and the index.

Enters: the catalog's letters (as `IndexDocument`s, built by `indexing`) and search
requests. Leaves: a `SearchResult` in the exact shape of the JSON API. The interface is
here; the embedded Tantivy engine and Meilisearch implement it; one contract suite
(tests/test_engine_contract.py) holds them to the same behaviour.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from indexer.language.letter import FACETS, SCALARS
from indexer.language.numbers import match_keys, number_key
from indexer.search.query import ParsedQuery, parse_query

__all__ = ["FACETS"]  # facets come from the field table; engines take them from here

FACET_VALUES = 100  # values per facet, most frequent first, unless a request asks for more
MAX_FACET_VALUES = 10_000  # for auditors' browsing: every issuer of an archive
SORTS = ("relevance", "date_desc", "date_asc")
MAX_PER_PAGE = 100
LAST_DAY = 99991231  # the open end of a date range, as the index holds dates
# The hit's fields in API order: the letter's metadata fields, then what the archive adds.
# A hit also carries "snippet" and "page" (the page of a scan the snippet is on, else null).
HIT_FIELDS = ("id", *SCALARS, "references", "filename", "status", "inferred")


@dataclass(frozen=True)
class IndexDocument:
    """One letter as the engines index it: hit fields, searchable text, keys for filters."""

    id: int
    key: str  # SHA-256 of the original: stable whatever the catalog numbering
    hit: dict[str, Any]  # HIT_FIELDS, values as the API shows them
    text: str
    number_key: str | None
    reference_keys: tuple[str, ...]
    searchable_meta: str  # issuer, signer, place… folded into one searchable field
    page_starts: tuple[int, ...] = ()  # a scan: where each page's text begins (hit["page"])

    @property
    def number_match_keys(self) -> tuple[str, ...]:
        """What a number query finds the letter by as the bearer (numbers.match_keys)."""
        return match_keys(self.number_key) if self.number_key else ()

    @property
    def reference_match_keys(self) -> tuple[str, ...]:
        """What a number query finds the letter by as citing it."""
        return tuple(dict.fromkeys(k for ref in self.reference_keys for k in match_keys(ref)))

    @property
    def year(self) -> str | None:
        """The letter's year (a facet), None without a date or a month."""
        value = self.hit.get("date") or self.hit.get("date_month")
        return value[:4] if value else None

    @property
    def month_span(self) -> tuple[int, int] | None:
        """A letter known only to its month: the month's first and last day as the index
        holds dates; a date range holding the whole month finds it (browsing a month or a
        year does), a range of some of its days does not."""
        value = None if self.hit.get("date") else self.hit.get("date_month")
        if not value:
            return None
        year, month = int(value[:4]), int(value[5:7])
        last = calendar.monthrange(year, month)[1]
        return year * 10000 + month * 100 + 1, year * 10000 + month * 100 + last

    @property
    def date_int(self) -> int | None:
        """The letter's date as the index holds it (`20210302`), None without one."""
        value = self.hit.get("date")
        return int(value.replace("-", "")) if value else None

    @property
    def sort_date(self) -> int | None:
        """The letter's date, or its lower bound when only that is known."""
        if self.month_span:
            return self.month_span[0]
        value = self.hit.get("date") or self.hit.get("date_not_before")
        return int(value.replace("-", "")) if value else None


@dataclass(frozen=True)
class SearchRequest:
    """What a search asks for. The query is parsed once, here (`parsed`): both engines, the
    snippets and the number panel read that parse, never the text again."""

    q: str = ""
    filters: tuple[tuple[str, str], ...] = ()  # (facet name, value) pairs, all must hold
    missing: tuple[str, ...] = ()  # facets the letter has no value for ("issuer": unknown)
    ref: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facet_values: int = FACET_VALUES  # at most MAX_FACET_VALUES; 0: no facet counts at all
    parsed: ParsedQuery = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "parsed", parse_query(self.q))

    @property
    def ref_key(self) -> str | None:
        """The key of the cited number `ref`, as the index holds citations."""
        return number_key(self.ref) if self.ref else None

    @property
    def date_span(self) -> tuple[int, int] | None:
        """`date_from` and `date_to` as the index holds dates (`20210302`), an open end
        made the earliest or latest day; None when neither is given."""
        if self.date_from is None and self.date_to is None:
            return None
        return _day_number(self.date_from) or 0, _day_number(self.date_to) or LAST_DAY

    @property
    def unanswerable(self) -> bool:
        """A query was typed but holds nothing to look for (`*`, punctuation): no letter."""
        return bool(self.q.strip()) and self.parsed.empty


def _day_number(day: date | None) -> int | None:
    return int(day.strftime("%Y%m%d")) if day else None


@dataclass
class SearchResult:
    """A page of results in the API's shape: the total, the hits, the facet counts."""

    total: int
    hits: list[dict[str, Any]]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # When few letters are found: the query with its misspelt words corrected from the
    # archive's own words ("phong chongg dich" → "phong chong dich"), else None.
    suggestion: str | None = None
    # Words of the query that matched nothing and were left out (`leaving_out`), else ().
    left_out: tuple[str, ...] = ()


class EngineError(Exception):
    """The engine refused or failed a request; the message (Vietnamese) says why."""


class EngineUnavailable(EngineError):
    """The engine cannot be reached or written now; queued work stays in the catalog."""


class IndexBusy(EngineUnavailable):
    """Another process holds the index writer; the work stays queued in the catalog."""


class SearchEngine(Protocol):
    """What the web layer and the indexer rely on; Tantivy and Meilisearch implement it."""

    name: str

    def prepare(self) -> None:
        """Make the index ready (create it, apply settings); idempotent. Raises EngineError
        when the engine cannot be reached."""
        ...

    def search(self, request: SearchRequest) -> SearchResult:
        """The page of letters a request asks for, with facets and a suggestion."""
        ...

    def write(self, upserts: list[IndexDocument], deletes: list[int]) -> None:
        """Index these letters (added or changed) and remove these ids."""
        ...

    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        """Fill a new index with these letters and put it in place; how many it holds."""
        ...

    def count(self) -> int:
        """How many letters the index holds."""
        ...

    def needs_rebuild(self) -> bool:
        """Whether the index must be filled again from the catalog (it was made anew, e.g.
        for a new schema); `indexing.apply_pending` then does it."""
        ...

    def ids(self) -> set[int]:
        """Every letter in the index, by catalog id (for `congvan check`)."""
        ...

    def health(self) -> dict[str, Any]:
        """{"available": bool, "message": str | None} and what else helps an operator."""
        ...
