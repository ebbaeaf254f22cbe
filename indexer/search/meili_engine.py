"""The production search engine: a Meilisearch server, through its official client.

Searches use a search-only key and writes an admin key; given only the master key, the
engine creates (or finds) those two keys and keeps the master key for nothing else. Every
write is a task waited on with a timeout; a failed task raises with its reason, and the
catalog keeps the work queued until a write succeeds. `rebuild` fills a fresh index and
swaps it in, so searches never see an empty one.

Meilisearch folds diacritics at index time, so ranking exact-accent matches first and the
letter bearing a number above those citing it is done here, over the top results, as the
embedded engine does. Snippets are cut here too, from the hits' text, by the code the
embedded engine uses (snippets.QueryMarks), so both mark phrases and typos alike.
"""

from __future__ import annotations

import bisect
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from typing import Any, TypeVar

from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
)
from meilisearch.models.task import TaskInfo

from archive.settings import MeiliSettings
from indexer.language.numbers import match_keys
from indexer.language.vietnamese import fold
from indexer.search import (
    FACETS,
    EngineError,
    EngineUnavailable,
    IndexDocument,
    SearchRequest,
    SearchResult,
)
from indexer.search.meili_client import KeptAliveClient
from indexer.search.meili_documents import (
    accented_word,
    document_bodies,
    filters,
    index_settings,
    number_filter,
    query_text,
    sort_by,
)
from indexer.search.query import WORD, ParsedQuery, typo_tolerant
from indexer.search.snippets import QueryMarks
from indexer.search.steps import (
    RERANK_WINDOW,
    Facets,
    Page,
    nothing_found,
    ordered_facets,
    rerank,
    search_result,
    shown_hit,
)
from indexer.search.typos import matched_typos, one_edit

# Bytes of documents in one request to add them, at most: the fewer the batches Meilisearch
# indexes, the faster (10,000 letters took v1.50 21 s in one, 28 s in two of 5,000 and 45 s
# in ten of 1,000), and the server takes up to 100 MB by default (--http-payload-size-limit).
BATCH_BYTES = 64_000_000
IN_FLIGHT = 8  # batches queued on the server before waiting on the oldest
ADMIN_ACTIONS = ["search", "documents.*", "indexes.*", "settings.*", "tasks.get", "stats.get"]
_SHOWN = ["letter_id", "hit", "pages", "text"]  # hits shown: their snippet is cut from the text
# What reranking the window of 200 reads of each hit; the page's hits are asked again
# whole (`_with_snippets`): the whole 200 cost ~4 ms more to send and read.
_RANKED = ["letter_id", "hit.number", "accented"]
_RANKED_LISTS = ("rankingRules", "searchableAttributes")
# Whether some letter is split into several documents (then searches are distinct on the
# letter): asked beside every search, in the same request.
_SPLIT_QUESTION: dict[str, Any] = {"q": "", "filter": ["chunk >= 1"], "limit": 0}
_EMPTY: dict[str, Any] = {"hits": [], "totalHits": 0, "estimatedTotalHits": 0}
BEARERS_SHOWN = 100  # letters bearing a queried number, at most (more are a typing slip)
T = TypeVar("T")


def rebuild_uid(uid: str) -> str:
    """The index a full rebuild fills before it is swapped with the live one."""
    return f"{uid}_rebuild"


def key_names(uid: str) -> tuple[str, str]:
    """The names of the (search, admin) keys the engine creates for index `uid`: named after
    the index (`congvan-search`, `congvan-admin`), so one server can hold several."""
    return f"{uid}-search", f"{uid}-admin"


def key_grants(uid: str) -> dict[str, dict[str, list[str]]]:
    """What each key may do, by name. The search key only searches the live index. The admin
    key covers every index: Meilisearch shows an index swap task (which belongs to no single
    index) only to keys on all indexes, and a rebuild must read it to know the swap worked;
    it still cannot manage keys, so it can never reach the master key's powers."""
    search_name, admin_name = key_names(uid)
    return {
        search_name: {"actions": ["search"], "indexes": [uid]},
        admin_name: {"actions": ADMIN_ACTIONS, "indexes": ["*"]},
    }


class TaskFailed(EngineError):
    """Meilisearch accepted a write but could not carry it out."""


@contextmanager
def _speaking(url: str) -> Iterator[None]:
    """Meilisearch client errors as engine errors with a Vietnamese reason."""
    try:
        yield
    except MeilisearchTimeoutError as error:
        raise EngineUnavailable(f"Meilisearch tại {url} không trả lời kịp") from error
    except MeilisearchCommunicationError as error:
        raise EngineUnavailable(f"không kết nối được Meilisearch tại {url}") from error
    except MeilisearchApiError as error:
        reason = f"{error.code or error.status_code}: {error.message}"
        raise EngineError(f"Meilisearch từ chối yêu cầu ({reason})") from error


class MeiliEngine:
    """The Meilisearch engine (production): an index on a server, a search and an admin key."""

    name = "meilisearch"

    def __init__(self, settings: MeiliSettings) -> None:
        self.settings = settings
        self.uid = settings.index
        self._lock = threading.Lock()
        self._keys: tuple[str | None, str | None] | None = None  # (search, admin)
        self._local = threading.local()  # clients of this thread
        self._prepared: set[str] = set()
        self._split = False  # the last answer to _SPLIT_QUESTION

    # --- clients and keys ------------------------------------------------------------------

    def _client(self, key: str | None) -> KeptAliveClient:
        return KeptAliveClient(self.settings.url, key, timeout=int(self.settings.timeout))

    def _clients(self) -> tuple[KeptAliveClient, KeptAliveClient]:
        """(search client, admin client) of the calling thread: the official client keeps
        its request headers in one dict that each request rewrites (a GET drops the
        Content-Type a concurrent POST has just set, and Meilisearch refuses that POST),
        so threads (the web server's, the index worker) never share one."""
        clients: tuple[KeptAliveClient, KeptAliveClient] | None
        clients = getattr(self._local, "clients", None)
        if clients is None:
            search_key, admin_key = self._api_keys()
            clients = self._client(search_key), self._client(admin_key)
            self._local.clients = clients
        return clients

    def _api_keys(self) -> tuple[str | None, str | None]:
        """The search and admin keys, created from the master key if not given (once)."""
        with self._lock:
            if self._keys is None:
                search_key, admin_key = self.settings.search_key, self.settings.admin_key
                if (not search_key or not admin_key) and self.settings.master_key:
                    with _speaking(self.settings.url):
                        found = self._provision_keys(self._client(self.settings.master_key))
                    search_key, admin_key = search_key or found[0], admin_key or found[1]
                self._keys = search_key, admin_key
            return self._keys

    def _provision_keys(self, master: KeptAliveClient) -> tuple[str, str]:
        """The search-only and admin keys of this index, found by name or created. A key of
        that name with other grants (made by an earlier version) is replaced: Meilisearch
        cannot change a key's actions or indexes."""
        existing = {key.name: key for key in master.get_keys({"limit": 1000}).results}
        found: dict[str, str] = {}
        for name, grant in key_grants(self.uid).items():
            key = existing.get(name)
            if key is not None and _granted(key.actions, key.indexes) == _granted(**grant):
                found[name] = key.key
                continue
            if key is not None:
                master.delete_key(key.key)
            created = master.create_key(
                {"name": name, "description": "Công Văn", **grant, "expiresAt": None}
            )
            found[name] = created.key
        search_name, admin_name = key_names(self.uid)
        return found[search_name], found[admin_name]

    def _call(self, action: Callable[[], T]) -> T:
        with _speaking(self.settings.url):
            return action()

    # --- writing ---------------------------------------------------------------------------

    def _wait(self, task: TaskInfo) -> None:
        """Wait for a write; raise with Meilisearch's reason if it failed."""
        _, admin = self._clients()
        done = self._call(
            lambda: admin.wait_for_task(
                task.task_uid,
                timeout_in_ms=int(self.settings.task_timeout * 1000),
                interval_in_ms=100,
            )
        )
        if done.status != "succeeded":
            error = done.error or {}
            reason = f"{error.get('code', done.status)}: {error.get('message', '')}".strip(": ")
            raise TaskFailed(
                f"Meilisearch không ghi được (việc #{done.uid}, {done.type}: {reason})"
            )

    def _prepare(self, uid: str) -> None:
        """Create the index if missing and bring its settings to ours (only what differs)."""
        if uid in self._prepared:
            return
        _, admin = self._clients()
        try:
            current = self._call(lambda: admin.index(uid).get_settings())
        except EngineError as error:
            if "index_not_found" not in str(error):
                raise
            try:
                self._wait(self._call(lambda: admin.create_index(uid, {"primaryKey": "id"})))
            except TaskFailed as failed:  # another process created it meanwhile
                if "index_already_exists" not in str(failed):
                    raise
            current = self._call(lambda: admin.index(uid).get_settings())
        changed = {
            name: value
            for name, value in index_settings().items()
            if not _same(current.get(name), value, ordered=name in _RANKED_LISTS)
        }
        if changed:
            self._wait(self._call(lambda: admin.index(uid).update_settings(changed)))
        self._prepared.add(uid)

    def prepare(self) -> None:
        """Create the live index if missing and apply the settings that differ."""
        self._prepare(self.uid)

    def _add(self, uid: str, documents: Iterable[IndexDocument]) -> dict[int, int]:
        """Send letters as chunk documents in batches; return each letter's chunk count.
        Up to IN_FLIGHT batches are queued before the oldest is waited on: Meilisearch
        indexes queued additions to one index together, far faster than one by one, and
        every batch is still waited on (and a failure raised) before this returns."""
        _, admin = self._clients()
        chunks: dict[int, int] = {}
        queued: deque[TaskInfo] = deque()
        for batch in document_bodies(documents, chunks, BATCH_BYTES):
            if len(queued) >= IN_FLIGHT:
                self._wait(queued.popleft())
            add = partial(admin.index(uid).add_documents_ndjson, batch, primary_key="id")
            queued.append(self._call(add))
        while queued:
            self._wait(queued.popleft())
        return chunks

    def write(self, upserts: list[IndexDocument], deletes: list[int]) -> None:
        """Replace or delete letters. New chunks are added before the old surplus ones are
        removed, so a letter never disappears from search while it is rewritten."""
        if not upserts and not deletes:
            return
        self.prepare()
        _, admin = self._clients()
        written = self._add(self.uid, upserts)
        stale = [f"letter_id IN [{', '.join(map(str, deletes))}]"] if deletes else []
        by_count: dict[int, list[int]] = {}
        for letter_id, count in written.items():
            by_count.setdefault(count, []).append(letter_id)
        for chunks, ids in by_count.items():
            stale.append(f"(letter_id IN [{', '.join(map(str, ids))}] AND chunk >= {chunks})")
        expression = " OR ".join(stale)
        self._wait(self._call(lambda: admin.index(self.uid).delete_documents(filter=expression)))

    def rebuild(self, documents: Iterable[IndexDocument]) -> int:
        """Fill a fresh index, swap it with the live one, drop the old: no moment without
        results."""
        _, admin = self._clients()
        fresh = rebuild_uid(self.uid)
        self._drop(fresh)
        self._prepare(fresh)
        self._prepare(self.uid)
        written = self._add(fresh, documents)
        self._wait(self._call(lambda: admin.swap_indexes([{"indexes": [self.uid, fresh]}])))
        self._drop(fresh)
        return len(written)

    def _drop(self, uid: str) -> None:
        _, admin = self._clients()
        try:
            self._wait(self._call(lambda: admin.delete_index(uid)))
        except TaskFailed as error:
            if "index_not_found" not in str(error):
                raise
        self._prepared.discard(uid)

    # --- reading ---------------------------------------------------------------------------

    def _searches(self, queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Searches sent together in one request (`/multi-search`); a missing index (nothing
        written yet) is an empty archive."""
        search, _ = self._clients()
        shaped = [
            {"indexUid": self.uid, **{k: v for k, v in q.items() if k != "filter" or v}}
            for q in queries
        ]
        try:
            return list(self._call(lambda: search.multi_search(shaped))["results"])
        except EngineError as error:
            if "index_not_found" in str(error):
                return [dict(_EMPTY) for _ in queries]
            raise

    def _answers(self, *queries: dict[str, Any], ask_split: bool = True) -> list[dict[str, Any]]:
        """The answers to searches sent together, each distinct on `letter_id` when some
        letter is split into several documents. Counting distinct letters costs
        Meilisearch v1.50 about 200 ms a search on 100,000 documents, against 1–3 ms
        without, and most archives never split a letter; so whether one is split is asked
        beside the searches (`ask_split`), in the same request, and only when the answer
        has just turned to yes are the searches asked again, distinct."""
        split = self._split
        asked = [{**q, "distinct": "letter_id"} if split else q for q in queries]
        answers = self._searches([*asked, _SPLIT_QUESTION] if ask_split else asked)
        if not ask_split:
            return answers
        *answers, question = answers
        self._split = bool(question.get("estimatedTotalHits"))
        if self._split and not split:
            return self._answers(*queries, ask_split=False)
        return answers

    def count(self) -> int:
        """How many letters the index holds (distinct letters, not chunks)."""
        (everything,) = self._answers({"q": "", "hitsPerPage": 0, "page": 1})
        return int(everything["totalHits"])

    def needs_rebuild(self) -> bool:
        """Never: settings are brought up to date in place (`prepare`)."""
        return False  # settings are brought up to date in place (`prepare`)

    def ids(self) -> set[int]:
        """Every letter id, read from the index's documents a thousand at a time."""
        _, admin = self._clients()
        found: set[int] = set()
        offset = 0
        while True:
            params = {"fields": ["letter_id"], "limit": 1000, "offset": offset}
            try:
                page = self._call(partial(admin.index(self.uid).get_documents, params))
            except EngineError as error:
                if "index_not_found" in str(error):
                    return found
                raise
            found.update(int(document.letter_id) for document in page.results)
            offset += len(page.results)
            if not page.results or offset >= page.total:
                return found

    def health(self) -> dict[str, Any]:
        """Whether the server answers (`/health`), and its address."""
        try:  # /health needs no key
            status = self._call(self._client(None).health).get("status")
        except EngineError as error:
            return {"available": False, "message": str(error), "url": self.settings.url}
        available = status == "available"
        message = None if available else f"Meilisearch báo trạng thái {status}"
        return {"available": available, "message": message, "url": self.settings.url}

    def search(self, request: SearchRequest) -> SearchResult:
        """The request's page of letters, facet counts and suggestion (see `steps`), in one
        request to the server, or two when Meilisearch's order is reranked (the window,
        then the page's hits with their text)."""
        if request.unanswerable:
            return nothing_found()
        parsed, page = request.parsed, Page.of(request)
        clauses = filters(request, parsed)
        base: dict[str, Any] = {
            "q": query_text(parsed),
            "filter": clauses,
            "matchingStrategy": "all",
            "attributesToRetrieve": _SHOWN,
            # Snippets are cut here, from the text, as the embedded engine cuts them, and
            # the words matched with a typo are read there too (`_matched_words`).
            "showMatchesPosition": False,
        }
        if sort := sort_by(request):
            base["sort"] = sort
        if not (parsed.words or parsed.phrases) and parsed.numbers and request.sort == "relevance":
            return self._number_search(base, request)
        bonuses = bool(parsed.numbers) or parsed.has_diacritics
        if request.sort == "relevance" and page.reranked and bonuses:
            window = {
                "page": 1,
                "hitsPerPage": RERANK_WINDOW,
                "showRankingScore": True,
                "showRankingScoreDetails": True,  # for each hit's typo count
            }
            ranked = {**base, "attributesToRetrieve": _RANKED}
            (answer,) = self._answers({**ranked, **_facet_names(request), **window})
            hits = _reranked(answer["hits"], parsed)
            hits = self._with_snippets(base, page.cut(hits))
        else:
            paged = {"page": request.page, "hitsPerPage": request.per_page}
            (answer,) = self._answers({**base, **_facet_names(request), **paged})
            hits = answer["hits"]
        typos, corrections = matched_typos(parsed, _matched_words(hits, parsed))
        total, facets = _counts(answer, request)
        return search_result(request, total, hits, _hit, facets, typos, corrections)

    def _with_snippets(
        self, base: dict[str, Any], hits: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """The page's hits again, whole and with their text for the snippets, in the given
        order: the window of 200 was asked with little of each (`_RANKED`), and cropping it
        whole took Meilisearch v1.50 ~200 ms, these 20 take a few."""
        if not hits:
            return []
        ids = [hit["letter_id"] for hit in hits]
        only = f"letter_id IN [{', '.join(map(str, ids))}]"
        paged = {"page": 1, "hitsPerPage": len(ids), "filter": [*base["filter"], only]}
        (answer,) = self._answers({**base, **paged}, ask_split=False)
        found = {hit["letter_id"]: hit for hit in answer["hits"]}
        # A letter deleted since the window was asked is left out, not shown half-read.
        return [found[letter_id] for letter_id in ids if letter_id in found]

    def _number_search(self, base: dict[str, Any], request: SearchRequest) -> SearchResult:
        """A query of document numbers only: the letters bearing them, then those citing
        them, then those whose text holds them; snippets are cut around the number in the
        text. Two requests: the bearers and the counts, then what of the page is left."""
        parsed, page = request.parsed, Page.of(request)
        keys = [number.match_key for number in parsed.numbers]
        holding = self._holding_query(request)
        bearers_answer, everything, held = self._answers(
            {
                **base,
                "filter": [*base["filter"], number_filter(keys, bearers_only=True)],
                "page": 1,
                "hitsPerPage": BEARERS_SHOWN,
            },
            {**base, **_facet_names(request), "page": 1, "hitsPerPage": 0},
            {**holding, "page": 1, "hitsPerPage": 0},
        )
        bearers = bearers_answer["hits"]
        numbered, facets = _counts(everything, request)
        held_total = int(held.get("totalHits", 0))
        own = page.cut(bearers)
        citing = page.after(len(bearers), len(own))
        # How many citing letters the page takes: known from the counts unless the bearers
        # were cut at BEARERS_SHOWN (then the citing letters are asked first, alone).
        expected = max(0, min(citing.limit, numbered - len(bearers) - citing.offset))
        rest_query = {
            **base,
            "filter": [*base["filter"], f"NOT {number_filter(keys, bearers_only=True)}"],
            "offset": citing.offset,
            "limit": citing.limit,
        }
        queries = [rest_query] if citing.limit > 0 else []
        if len(bearers) < BEARERS_SHOWN:
            held_page = page.after(numbered, len(own) + expected)
            if held_page.limit > 0 and held_total:
                queries.append({**holding, "offset": held_page.offset, "limit": held_page.limit})
        answers = self._answers(*queries, ask_split=False) if queries else []
        rest = answers[0]["hits"] if citing.limit > 0 else []
        held_hits = answers[-1]["hits"] if len(answers) > int(citing.limit > 0) else []
        if len(bearers) >= BEARERS_SHOWN or len(rest) != expected:
            held_page = page.after(numbered, len(own) + len(rest))
            held_hits = []
            if held_page.limit > 0 and held_total:
                more = {**holding, "offset": held_page.offset, "limit": held_page.limit}
                held_hits = self._answers(more, ask_split=False)[0]["hits"]
        shown = [*own, *rest, *held_hits]
        return search_result(request, numbered + held_total, shown, _hit, facets)

    def _holding_query(self, request: SearchRequest) -> dict[str, Any]:
        """Letters whose text holds the numbers without bearing or citing them (a header
        OCR could not read), ranked after all others: the numbers' words as phrases."""
        parsed = request.parsed
        keys = [number.match_key for number in parsed.numbers]
        phrases = " ".join(f'"{" ".join(WORD.findall(n.text))}"' for n in parsed.numbers)
        others = filters(request, replace(parsed, numbers=()))
        return {
            "q": phrases,
            "filter": [*others, f"NOT ({number_filter(keys)})"],
            "attributesToRetrieve": _SHOWN,
        }


def _hit(found: dict[str, Any], marks: QueryMarks) -> dict[str, Any]:
    """A found chunk as a hit; a scan's page is found by the chunk's page marks."""
    text = found.get("text") or ""
    pages = found.get("pages")
    return shown_hit(found["hit"], text, marks, lambda at: _page(pages, len(text[:at].encode())))


def _reranked(hits: list[dict[str, Any]], parsed: ParsedQuery) -> list[dict[str, Any]]:
    """Meilisearch's order, then bonuses: the letter bearing a queried number first,
    then letters with the query's words spelled with exactly its accents; never a
    letter matched with more typos above one with fewer (exact matches first)."""
    keys = {number.match_key for number in parsed.numbers}
    by_id = {hit["letter_id"]: hit for hit in hits}
    bearers = {i for i, hit in by_id.items() if keys.intersection(_match_keys(hit))}
    scores = {
        hit["letter_id"]: hit.get("_rankingScore", 0.0) - position * 1e-6
        for position, hit in enumerate(hits)
    }
    bonus = _accent_bonus(hits, parsed)

    def first(letter_id: int) -> tuple[int, ...]:
        return int(letter_id not in bearers), _typos(by_id[letter_id])

    return [by_id[i] for i in rerank(list(by_id), scores, [bonus], first)]


def _accent_bonus(hits: list[dict[str, Any]], parsed: ParsedQuery) -> dict[int, float]:
    """Half a point for a letter holding every accented word of the query with exactly
    its accents, a share of it for some: ranks "bàn" above "bán" for a query typed "bàn"."""
    wanted = set(filter(None, map(accented_word, parsed.words)))
    if not wanted:
        return {}
    return {
        hit["letter_id"]: 0.5
        * len(wanted.intersection(hit.get("accented", "").split()))
        / len(wanted)
        for hit in hits
    }


def _match_keys(found: dict[str, Any]) -> tuple[str, ...]:
    """What a number query finds a chunk's letter by as the bearer."""
    own = (found.get("hit") or {}).get("number")  # `hit.number` alone: no `hit` when null
    return match_keys(own) if own else ()


def _counts(answer: dict[str, Any], request: SearchRequest) -> tuple[int, Facets]:
    """How many letters a search found, and its facet counts in the engines' order."""
    facets = ordered_facets(answer.get("facetDistribution") or {}, request.facet_values)
    return int(answer.get("totalHits", 0)), facets


def _matched_words(hits: list[dict[str, Any]], parsed: ParsedQuery) -> list[str]:
    """The folded words of the hits' text that a query word matches, as typed or with one
    typo, as Meilisearch matches them: never a typo on the first letter (it counts that as
    two). Read here from the text: asked of Meilisearch (`showMatchesPosition`), they cost
    v1.50 15–20 ms a page of 20, five times the rest of the search."""
    tolerant = {fold(word) for word in parsed.words if typo_tolerant(word)}
    wanted = set(tolerant)
    for word in tolerant:
        wanted.update(near for near in one_edit(word) if near[:1] == word[:1])
    if not wanted:
        return []
    texts = (hit.get("text") or "" for hit in hits)
    return [folded for text in texts for w in WORD.findall(text) if (folded := fold(w)) in wanted]


def _typos(hit: dict[str, Any]) -> int:
    """How many typos Meilisearch matched a hit with (from its ranking score details)."""
    details = hit.get("_rankingScoreDetails") or {}
    return int((details.get("typo") or {}).get("typoCount", 0))


def _page(pages: list[list[int]] | None, byte_offset: int) -> int | None:
    """The page of a scan a match at `byte_offset` of its chunk is on (None: not a scan)."""
    if not pages:
        return None
    index = bisect.bisect_right([start for start, _ in pages], byte_offset) - 1
    return pages[max(0, index)][1]


def _granted(actions: list[str], indexes: list[str]) -> tuple[list[str], list[str]]:
    return sorted(actions), sorted(indexes)


def _facet_names(request: SearchRequest) -> dict[str, list[str]]:
    """The `facets` search parameter, unless the request wants no counts."""
    return {"facets": list(FACETS)} if request.facet_values else {}


def _same(current: Any, wanted: Any, ordered: bool = False) -> bool:
    """Whether the server's value already is ours: dicts compared on our keys only (the
    server fills in defaults), lists of names as sets (it may reorder them) unless their
    order ranks (`ordered`)."""
    if isinstance(wanted, dict):
        return isinstance(current, dict) and all(
            _same(current.get(k), v) for k, v in wanted.items()
        )
    if not ordered and isinstance(wanted, list) and all(isinstance(v, str) for v in wanted):
        return isinstance(current, list) and sorted(current) == sorted(wanted)
    return bool(current == wanted)
