"""The embedded search engine: Tantivy in a folder, no server.

Text fields are analyzed twice: folded (lowercase, tones and đ removed) so accentless
queries match, and exact (lowercase only) so a query typed with accents ranks exact
matches first. Facets are terms aggregations over raw fast fields.

Tantivy allows one writer per index across processes. Writes are short: the writer is
opened, used, committed and released, and `IndexBusy` tells the caller to leave the work
queued in the catalog for whoever holds the writer next.
"""

from __future__ import annotations

import bisect
import fcntl
import json
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import tantivy

from indexer.language.letter import HIT_FACETS
from indexer.language.numbers import DocumentNumber
from indexer.language.vietnamese import fold
from indexer.search import (
    FACETS,
    MAX_FACET_VALUES,
    IndexBusy,
    IndexDocument,
    SearchRequest,
    SearchResult,
)
from indexer.search.query import (
    ParsedQuery,
    glued_runs,
    may_be_glued,
)
from indexer.search.snippets import QueryMarks
from indexer.search.steps import (
    RERANK_WINDOW,
    Page,
    no_facets,
    nothing_found,
    ordered_facets,
    rerank,
    search_result,
    shown_hit,
)
from indexer.search.typos import FEW_RESULTS, correctable, near_words, one_edit

_WRITER_HEAP = 64_000_000
_FOLDED = "vi_folded"
_EXACT = "vi_exact"
SNIPPET_TEXT = 1_000_000  # characters a snippet is looked for in, at most
# Raise when `_schema` changes: an index of another version is rebuilt from the catalog.
SCHEMA_VERSION = 6
_VERSION_FILE, _REBUILD_MARK = "congvan-schema-version", "congvan-rebuild-needed"
TEXT_NUMBER = 0.5  # score of a number found only in the text: below any bearer or citation
TYPO_WEIGHT = 0.5  # a word matched with a typo counts half an exact one
_RAW_FIELDS = (*HIT_FACETS, "year")
# Where a quoted phrase is looked for: wherever its words unquoted are (a corrected signer
# is in the metadata only).
_PHRASE_FIELDS = ("text", "subject", "meta")


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_bytes_field("hit", stored=True)
    builder.add_text_field("text", tokenizer_name=_FOLDED)  # searched; read from the catalog
    # What snippets are cut from: the opening SNIPPET_TEXT characters, stored apart, so a
    # 50 MB letter is never read whole from the index for a snippet.
    builder.add_bytes_field("snippet_text", stored=True)
    builder.add_text_field("text_exact", tokenizer_name=_EXACT)
    builder.add_text_field("subject", tokenizer_name=_FOLDED)
    builder.add_text_field("subject_exact", tokenizer_name=_EXACT)
    builder.add_text_field("meta", tokenizer_name=_FOLDED)
    builder.add_text_field("number_key", tokenizer_name="raw")
    builder.add_text_field("reference_keys", tokenizer_name="raw")
    # What number queries match, whatever the separators (numbers.match_keys).
    builder.add_text_field("number_match", tokenizer_name="raw")
    builder.add_text_field("reference_match", tokenizer_name="raw")
    for name in _RAW_FIELDS:
        builder.add_text_field(name, fast=True, tokenizer_name="raw")
    builder.add_integer_field("date", indexed=True, fast=True)
    builder.add_integer_field("sort_date", fast=True)
    # A letter known only to its month: the month's first and last day (see month_span).
    builder.add_integer_field("month_first", indexed=True, fast=True)
    builder.add_integer_field("month_last", indexed=True, fast=True)
    return builder.build()


def _analyzer(fold: bool) -> tantivy.TextAnalyzer:
    # Tantivy's regex tokenizer would split `covid19` in the index (as Meilisearch does)
    # but made a rebuild three times slower: glued words are handled by the queries.
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    builder = builder.filter(tantivy.Filter.remove_long(60)).filter(tantivy.Filter.lowercase())
    if fold:
        builder = builder.filter(tantivy.Filter.ascii_fold())
    return builder.build()


FOLDED_ANALYZER = _analyzer(fold=True)
EXACT_ANALYZER = _analyzer(fold=False)


def folded_terms(text: str) -> list[str]:
    """Terms of `text` as the folded fields index them."""
    return list(FOLDED_ANALYZER.analyze(text))


class TantivyEngine:
    """The embedded engine (the default): a Tantivy index in the data folder, no server."""

    name = "tantivy"

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.schema = _schema()
        self.index = self._open(path)
        self.index.register_tokenizer(_FOLDED, FOLDED_ANALYZER)
        self.index.register_tokenizer(_EXACT, EXACT_ANALYZER)
        self._write_lock = threading.Lock()
        # Facet counts run beside the ranked search: Tantivy releases the GIL, so on two
        # cores a query costs the longer of the two rather than their sum (~3 ms less at
        # 100,000 letters).
        self._facet_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="facets")

    # --- writing ------------------------------------------------------------------------

    def _writer(self) -> tantivy.IndexWriter:
        try:
            return self.index.writer(heap_size=_WRITER_HEAP, num_threads=1)
        except ValueError as error:
            if "LockBusy" in str(error):
                raise IndexBusy("chỉ mục đang được tiến trình khác ghi") from error
            raise

    def _document(self, item: IndexDocument) -> tantivy.Document:
        hit = item.hit
        doc = tantivy.Document()
        doc.add_integer("id", item.id)
        # A scan's page starts are kept with the hit, to tell the snippet's page; the hit
        # a search gives loses them again (`_hit`).
        stored = {**hit, "page_starts": list(item.page_starts)} if item.page_starts else hit
        doc.add_bytes("hit", json.dumps(stored, ensure_ascii=False).encode())
        doc.add_text("text", item.text)
        doc.add_bytes("snippet_text", item.text[:SNIPPET_TEXT].encode())
        doc.add_text("text_exact", item.text)
        subject = hit.get("subject") or ""
        doc.add_text("subject", subject)
        doc.add_text("subject_exact", subject)
        doc.add_text("meta", item.searchable_meta)
        if item.number_key:
            doc.add_text("number_key", item.number_key)
        for key in item.reference_keys:
            doc.add_text("reference_keys", key)
        for key in item.number_match_keys:
            doc.add_text("number_match", key)
        for key in item.reference_match_keys:
            doc.add_text("reference_match", key)
        values = {"year": item.year, **{name: hit.get(name) for name in HIT_FACETS}}
        for name, value in values.items():
            if value:
                doc.add_text(name, value)
        if item.date_int:
            doc.add_integer("date", item.date_int)
        if item.sort_date:
            doc.add_integer("sort_date", item.sort_date)
        if item.month_span:
            doc.add_integer("month_first", item.month_span[0])
            doc.add_integer("month_last", item.month_span[1])
        return doc

    @contextmanager
    def _writing(self) -> Iterator[tantivy.IndexWriter]:
        """The writer, for one commit: rolled back on any error, released afterwards."""
        with self._write_lock:
            writer = self._writer()
            try:
                yield writer
                writer.commit()
                writer.wait_merging_threads()
            except BaseException:
                writer.rollback()
                raise
        self.index.reload()

    def write(self, upserts: list[IndexDocument], deletes: list[int]) -> None:
        """Replace or delete documents by id, in one commit."""
        if not upserts and not deletes:
            return
        with self._writing() as writer:
            for document_id in [*deletes, *(item.id for item in upserts)]:
                writer.delete_documents_by_term("id", document_id)
            for item in upserts:
                writer.add_document(self._document(item))

    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        """Replace the whole index in one commit: readers see the old one until it lands."""
        count = 0
        with self._writing() as writer:
            writer.delete_all_documents()
            for item in documents:
                writer.add_document(self._document(item))
                count += 1
        (self.path / _REBUILD_MARK).unlink(missing_ok=True)
        return count

    def needs_rebuild(self) -> bool:
        """Whether the index was made anew (a new schema) and waits to be filled."""
        return (self.path / _REBUILD_MARK).exists()

    def _open(self, path: Path) -> tantivy.Index:
        """The index in `path`. One made with another schema (an older version of this
        program), or none at all, gives way to a new, empty index marked to be filled from
        the catalog (`indexing.apply_pending` does it): no command is locked out of it.
        Processes opening the index at once take turns (a lock beside it)."""
        with (path.parent / f".{path.name}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            version = path / _VERSION_FILE
            if version.exists() and version.read_text().strip() == str(SCHEMA_VERSION):
                try:
                    return tantivy.Index(self.schema, path=str(path), reuse=True)
                except ValueError:  # files of another schema under this version's name
                    pass
            return self._replace(path)

    def _replace(self, path: Path) -> tantivy.Index:
        """A new, empty index in `path`, marked to be rebuilt; what was there is removed."""
        aside = None
        if any(path.iterdir()):
            aside = path.with_name(f"{path.name}.old-{os.getpid()}-{time.time_ns()}")
            path.rename(aside)
            path.mkdir()
        index = tantivy.Index(self.schema, path=str(path), reuse=True)
        (path / _REBUILD_MARK).write_text(f"schema {SCHEMA_VERSION}")
        (path / _VERSION_FILE).write_text(str(SCHEMA_VERSION))
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
        return index

    def _fresh_searcher(self) -> tantivy.Searcher:
        # Another process (`congvan ingest`) may have committed: reloading costs ~25 µs and
        # makes its letters visible at once rather than after the reader's own delay.
        self.index.reload()
        return self.index.searcher()

    def count(self) -> int:
        """How many letters the index holds, as committed by any process."""
        return int(self._fresh_searcher().num_docs)

    def ids(self) -> set[int]:
        """Every letter in the index, by catalog id (for `congvan check`)."""
        searcher = self._fresh_searcher()
        total = int(searcher.num_docs)
        if not total:
            return set()
        found = searcher.search(tantivy.Query.all_query(), total, count=False)
        values = searcher.fast_field_values("id", [address for _, address in found.hits])
        return {int(value) for value in values if value is not None}

    def health(self) -> dict[str, Any]:
        """Always available: the index is a folder of this process."""
        return {"available": True, "message": None}

    def prepare(self) -> None:
        """Nothing to do: the index folder is opened (or created) with the engine."""

    # --- querying --------------------------------------------------------------------------

    def _term(self, field: str, value: str | int) -> tantivy.Query:
        return tantivy.Query.term_query(self.schema, field, value)

    def _phrase(self, field: str, terms: list[str], slop: int = 0) -> tantivy.Query:
        words: list[str | tuple[int, str]] = list(terms)
        return tantivy.Query.phrase_query(self.schema, field, words, slop)

    def _any(self, queries: list[tantivy.Query]) -> tantivy.Query:
        return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])

    def _word_query(self, word: str, typos: tuple[str, ...] = ()) -> tantivy.Query | None:
        """A word in the text, subject or metadata, a glued one (`covid19`) also apart
        (`Covid-19`); with `typos`, the archive's words one typo away from it also match,
        in the text and subject, for less."""
        terms, runs = folded_terms(word), glued_runs(word)
        if not terms:
            return None
        matches: list[tantivy.Query] = []
        for field, boost in (("text", 1.0), ("subject", 2.0), ("meta", 1.5)):
            query = self._term(field, terms[0]) if len(terms) == 1 else self._phrase(field, terms)
            if runs:
                query = self._any([query, self._phrase(field, runs)])
            matches.append(tantivy.Query.boost_query(query, boost))
        for field in ("text", "subject") if typos else ():
            typo = self._any([self._term(field, term) for term in typos])
            matches.append(tantivy.Query.boost_query(typo, TYPO_WEIGHT))
        return self._any(matches)

    def _phrase_query(self, words: tuple[str, ...]) -> tantivy.Query | None:
        terms = [t for word in words for t in folded_terms(word)]
        if not terms:
            return None
        if len(terms) == 1:
            return self._any([self._term(field, terms[0]) for field in _PHRASE_FIELDS])
        return self._any([self._phrase(field, terms) for field in _PHRASE_FIELDS])

    def _number_query(self, number: DocumentNumber) -> tantivy.Query:
        """The letter bearing the number first, then the letters that cite it, then those
        whose text holds it (a header OCR could not read, a number not cited as such).
        Separators do not count (`1245/CV-TU` finds 1245-CV/TU; `NQ68` finds 68/NQ-CP)."""
        key = number.match_key
        bearer = tantivy.Query.boost_query(self._term("number_match", key), 50.0)
        citing = tantivy.Query.boost_query(self._term("reference_match", key), 5.0)
        written = self._phrase("text", folded_terms(number.text))
        return self._any([bearer, citing, tantivy.Query.const_score_query(written, TEXT_NUMBER)])

    def _text_query(
        self, parsed: ParsedQuery, typos: dict[str, tuple[str, ...]]
    ) -> list[tuple[Any, tantivy.Query]]:
        must = tantivy.Occur.Must
        clauses: list[tuple[Any, tantivy.Query]] = []
        for number in parsed.numbers:
            clauses.append((must, self._number_query(number)))
        for phrase in parsed.phrases:
            query = self._phrase_query(phrase)
            if query is not None:
                clauses.append((must, query))
        words = list(parsed.words)
        while words:
            word = words.pop(0)
            query = self._word_query(word, typos.get(fold(word), ()))
            if query is not None and words and may_be_glued(word, words[0]):
                # `covid 19`: both words, or the letters' `covid19`.
                second = self._word_query(words[0], typos.get(fold(words[0]), ()))
                both = [(must, q) for q in (query, second) if q is not None]
                glued = self._word_query(word + words.pop(0))
                query = self._any([tantivy.Query.boolean_query(both), *filter(None, [glued])])
            if query is not None:
                clauses.append((must, query))
        return clauses

    def _bonuses(self, parsed: ParsedQuery) -> list[tantivy.Query]:
        """Ranking bonuses that do not change what matches: the query's words standing
        together as typed, and — when it is typed with diacritics — words with exactly
        those accents ("bàn" above "bán")."""
        bonuses: list[tantivy.Query] = []
        all_terms = [t for word in parsed.words for t in folded_terms(word)]
        if len(all_terms) > 1:
            together = self._phrase("text", all_terms, slop=1)
            bonuses.append(tantivy.Query.boost_query(together, 2.0))
        if parsed.has_diacritics:
            tokens = [t for word in parsed.words for t in EXACT_ANALYZER.analyze(word)]
            exact = [self._term(f, t) for t in tokens for f in ("text_exact", "subject_exact")]
            bonuses.append(tantivy.Query.boost_query(self._any(exact), 1.5))
        return bonuses

    def _filter_clauses(self, request: SearchRequest) -> list[tantivy.Query]:
        filters = [self._term(name, value) for name, value in request.filters]
        for name in request.missing:
            without = [(tantivy.Occur.Must, tantivy.Query.all_query()),
                       (tantivy.Occur.MustNot, tantivy.Query.exists_query(name))]  # fmt: skip
            filters.append(tantivy.Query.boolean_query(without))
        if request.ref_key:
            filters.append(self._term("reference_keys", request.ref_key))
        if request.date_span:
            filters.append(self._dated_within(*request.date_span))
        return filters

    def _dated_within(self, low: int, high: int) -> tantivy.Query:
        """Letters dated within [low, high], and those known only to a month that lies
        wholly within it."""
        def within(name: str, first: int, last: int) -> tantivy.Query:
            integer = tantivy.FieldType.Integer
            return tantivy.Query.range_query(self.schema, name, integer, first, last)

        month = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, within("month_first", low, high)),
            (tantivy.Occur.Must, within("month_last", low, high)),
        ])  # fmt: skip
        return self._any([within("date", low, high), month])

    def _query(
        self,
        request: SearchRequest,
        parsed: ParsedQuery,
        typos: dict[str, tuple[str, ...]] | None = None,
    ) -> tantivy.Query:
        clauses = self._text_query(parsed, typos or {})
        if parsed.empty or not any(occur == tantivy.Occur.Must for occur, _ in clauses):
            clauses.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        clauses += [(tantivy.Occur.Must, f) for f in self._filter_clauses(request)]
        return tantivy.Query.boolean_query(clauses)

    def search(self, request: SearchRequest) -> SearchResult:
        """The request's page of letters, facet counts and suggestion (see `steps`)."""
        if request.unanswerable:
            return nothing_found()
        parsed, page = request.parsed, Page.of(request)
        searcher = self._fresh_searcher()
        query = self._query(request, parsed)
        facets = self._facets_beside(searcher, query, request)
        addresses, total = self._ranked(searcher, query, parsed, request, page)
        typos: dict[str, tuple[str, ...]] = {}
        corrections: dict[str, str] = {}
        if total < FEW_RESULTS and parsed.words:
            typos, corrections = self._typos(searcher, parsed)
        if any(typos.values()):
            # Exact matching found few letters: words one typo away match too, ranked
            # after every exact match.
            tolerant = self._query(request, parsed, typos)
            facets = self._facets_beside(searcher, tolerant, request)
            addresses, total = self._with_typos(searcher, query, tolerant, parsed, request)
        found = [searcher.doc(address) for address in addresses]
        counts = facets.result() if facets else no_facets()
        more = partial(self._texts_with, searcher, corrections)
        return search_result(request, total, found, _hit, counts, typos, corrections, more)

    def _texts_with(self, searcher: tantivy.Searcher, corrections: dict[str, str]) -> list[str]:
        """The openings of a few letters holding the corrections: where a suggestion finds
        how the archive spells them when the query found no letter to show."""
        words = self._any([self._term("text", word) for word in corrections.values()])
        found = searcher.search(words, 3, count=False)
        return [_opening(searcher.doc(address)) for _, address in found.hits]

    def _facets_beside(
        self, searcher: tantivy.Searcher, query: tantivy.Query, request: SearchRequest
    ) -> Future[dict[str, dict[str, int]]] | None:
        size = min(request.facet_values, MAX_FACET_VALUES)
        return self._facet_pool.submit(self._facets, searcher, query, size) if size else None

    def _ranked(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        parsed: ParsedQuery,
        request: SearchRequest,
        page: Page,
    ) -> tuple[list[tantivy.DocAddress], int]:
        """The page's hits in the request's order, and how many letters match."""
        bonuses = self._bonuses(parsed)
        order = {"date_desc": tantivy.Order.Desc, "date_asc": tantivy.Order.Asc}
        if request.sort in order:
            result = searcher.search(
                query,
                page.limit,
                count=True,
                order_by_field="sort_date",
                offset=page.offset,
                order=order[request.sort],
            )
        elif bonuses and page.reranked:
            return self._rescored(searcher, query, bonuses, page)
        else:
            result = searcher.search(query, page.limit, count=True, offset=page.offset)
        return [a for _, a in result.hits], _count(result)

    def _with_typos(
        self,
        searcher: tantivy.Searcher,
        exact: tantivy.Query,
        tolerant: tantivy.Query,
        parsed: ParsedQuery,
        request: SearchRequest,
    ) -> tuple[list[tantivy.DocAddress], int]:
        """Every exact match (fewer than FEW_RESULTS) first, then the letters only a typo
        finds; sorted by date, exact and typo matches are one list."""
        page = Page.of(request)
        if request.sort != "relevance":
            return self._ranked(searcher, tolerant, parsed, request, page)
        first, exact_total = self._ranked(searcher, exact, parsed, request, Page(0, FEW_RESULTS))
        must, must_not = tantivy.Occur.Must, tantivy.Occur.MustNot
        only_typos = tantivy.Query.boolean_query([(must, tolerant), (must_not, exact)])
        shown = page.cut(first)
        rest_page = page.after(exact_total, len(shown))
        # One at least: Tantivy counts with a top-k.
        wanted = Page(rest_page.offset, max(1, rest_page.limit))
        rest, rest_total = self._ranked(searcher, only_typos, parsed, request, wanted)
        return (shown + rest)[: page.limit], exact_total + rest_total

    def _typos(
        self, searcher: tantivy.Searcher, parsed: ParsedQuery
    ) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
        """`near_words` in the archive's vocabulary: for each query word long enough to be
        corrected, the words one edit away that the index holds."""
        return near_words(parsed, partial(searcher.doc_freq, "text"), one_edit, correctable)

    def _rescored(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        bonuses: list[tantivy.Query],
        page: Page,
    ) -> tuple[list[tantivy.DocAddress], int]:
        """Rank by BM25, then add the bonuses to the top RERANK_WINDOW only.

        The phrase bonus reads positions: over every match of common words it cost ~12 ms
        at 100,000 letters; restricted to the window (a union of id terms, scored 0) it
        costs under one. Deeper pages are ranked by BM25 alone.
        """
        first = searcher.search(query, RERANK_WINDOW, count=True)
        addresses = [address for _, address in first.hits]
        ids = [int(i or 0) for i in searcher.fast_field_values("id", addresses)]
        if not ids:
            return [], _count(first)
        scores = {i: score for i, (score, _) in zip(ids, first.hits, strict=True)}
        window = tantivy.Query.const_score_query(self._any([self._term("id", i) for i in ids]), 0.0)
        must = tantivy.Occur.Must

        def bonus(extra: tantivy.Query) -> dict[int, float]:
            # One search per bonus: a phrase inside a union would be evaluated on every match.
            matched = searcher.search(
                tantivy.Query.boolean_query([(must, window), (must, extra)]), len(ids), count=False
            )
            matched_ids = searcher.fast_field_values("id", [a for _, a in matched.hits])
            pairs = zip(matched_ids, matched.hits, strict=True)
            return {int(i or 0): score for i, (score, _) in pairs}

        by_id = dict(zip(ids, addresses, strict=True))
        ranked = page.cut(rerank(ids, scores, map(bonus, bonuses)))
        return [by_id[i] for i in ranked], _count(first)

    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query, size: int
    ) -> dict[str, dict[str, int]]:
        aggregations = {name: {"terms": {"field": name, "size": size}} for name in FACETS}
        answer = searcher.aggregate(query, aggregations)
        counts = {
            name: {b["key"]: int(b["doc_count"]) for b in answer.get(name, {}).get("buckets", [])}
            for name in FACETS
        }
        return ordered_facets(counts, size)


def _hit(stored: tantivy.Document, marks: QueryMarks) -> dict[str, Any]:
    """A stored letter as a hit; a scan's page is found by its pages' starts in the text."""
    hit: dict[str, Any] = json.loads(bytes(stored["hit"][0]))
    starts = hit.pop("page_starts", None)
    return shown_hit(hit, _opening(stored), marks, partial(_page, starts))


def _page(starts: list[int] | None, offset: int) -> int | None:
    """The page of a scan a character of its text is on (None: not a scan)."""
    return bisect.bisect_right(starts, offset) if starts else None


def _opening(stored: tantivy.Document) -> str:
    """The stored opening of a letter (SNIPPET_TEXT characters), snippets are cut from."""
    return bytes(stored["snippet_text"][0]).decode() if stored["snippet_text"] else ""


def _count(result: tantivy.SearchResult) -> int:
    return int(getattr(result, "count", 0) or 0)  # `count` is missing from the type stubs
