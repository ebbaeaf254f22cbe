"""The Meilisearch engine at its HTTP boundary: the payloads it sends (checked against a
real Meilisearch v1.50.0), how it reads answers, and how it fails.

No Meilisearch runs here, so a stand-in server (tests/meili_stand_in.py) records requests
and gives the answers; the behaviour of real searches is the engine contract suite's job
(tests/test_engine_contract.py and tests/test_meili_server.py, run against a real server
when MEILI_URL is set).
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.settings import MeiliSettings, Settings
from indexer.search import EngineError, EngineUnavailable, IndexDocument, SearchRequest
from indexer.search.indexing import index_document, try_apply_pending
from indexer.search.meili_documents import (
    MAX_POSITIONS,
    NO_TWO_TYPOS,
    accented_words,
    chunk_documents,
    document_id,
    index_settings,
    positions,
    query_text,
)
from indexer.search.meili_engine import MeiliEngine, TaskFailed
from indexer.search.query import TYPO_MIN_LETTERS, parse_query
from tests.conftest import Archive, letter
from tests.meili_stand_in import StandIn, running
from web.app import create_app
from web.cli import main

SEARCH_KEY, ADMIN_KEY = "search-key-for-tests", "admin-key-for-tests"


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    with running() as server:
        yield server


def _engine(url: str, **changes: Any) -> MeiliEngine:
    options: dict[str, Any] = {
        "url": url,
        "index": "congvan",
        "search_key": SEARCH_KEY,
        "admin_key": ADMIN_KEY,
        "timeout": 2.0,
        "task_timeout": 2.0,
        **changes,
    }
    return MeiliEngine(MeiliSettings(**options))


@pytest.fixture
def engine(stand_in: StandIn) -> MeiliEngine:
    return _engine(stand_in.url)


def _indexed(archive: Archive, text: str, name: str = "a.txt") -> IndexDocument:
    outcome = archive.add(name, text)
    record = archive.catalog.document(outcome.document_id or 0)
    assert record is not None
    letter = archive.catalog.letter(record.id)
    assert letter is not None
    return index_document(record, letter)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


# --- settings --------------------------------------------------------------------------------


def test_settings_follow_the_api_reference() -> None:
    settings = index_settings()
    by_pattern = {
        pattern: entry["features"]
        for entry in settings["filterableAttributes"]
        for pattern in entry["attributePatterns"]
    }
    assert by_pattern["date"]["filter"] == {"equality": True, "comparison": True}
    assert by_pattern["province"] == {
        "facetSearch": True,
        "filter": {"equality": True, "comparison": False},
    }
    assert {"number_key", "reference_keys", "letter_id", "chunk"} <= set(by_pattern)
    assert {"number_match", "reference_match"} <= set(by_pattern)  # separators aside
    assert settings["sortableAttributes"] == ["sort_date"]
    assert settings["rankingRules"][0] == "sort"
    assert settings["distinctAttribute"] is None  # a search parameter, when letters are split
    assert settings["typoTolerance"]["disableOnNumbers"] is True
    # One typo from five letters, as the embedded engine; two never.
    assert settings["typoTolerance"]["minWordSizeForTypos"] == {
        "oneTypo": TYPO_MIN_LETTERS,
        "twoTypos": NO_TWO_TYPOS,
    }
    assert settings["localizedAttributes"][0]["locales"] == ["vie"]
    assert settings["stopWords"] == []
    assert settings["pagination"]["maxTotalHits"] >= 100_000
    assert settings["faceting"]["sortFacetValuesBy"] == {"*": "count"}
    assert settings["prefixSearch"] == "disabled"  # whole words, as the embedded engine


def test_index_created_and_settings_applied_once(
    archive: Archive, stand_in: StandIn, engine: MeiliEngine
) -> None:
    item = _indexed(archive, letter("Nội dung.", "1-CV/TU"))
    engine.write([item], [])
    assert [r.body for r in stand_in.sent("POST", "/indexes")] == [
        {"uid": "congvan", "primaryKey": "id"}
    ]
    (patch,) = stand_in.sent("PATCH", "/indexes/congvan/settings")
    assert patch.body == {k: v for k, v in index_settings().items() if v is not None}
    assert patch.authorization == f"Bearer {ADMIN_KEY}"
    # A second process (or a restart) finds the settings in place and changes nothing.
    _engine(stand_in.url).write([item], [])
    assert len(stand_in.sent("PATCH", "/indexes/congvan/settings")) == 1
    assert len(stand_in.sent("POST", "/indexes")) == 1


def test_only_settings_that_differ_are_sent(stand_in: StandIn, engine: MeiliEngine) -> None:
    stand_in.settings["congvan"] = {**index_settings(), "stopWords": ["và"]}
    stand_in.settings["congvan"]["sortableAttributes"] = ["sort_date"]
    engine.write([], [7])
    (patch,) = stand_in.sent("PATCH", "/indexes/congvan/settings")
    assert patch.body == {"stopWords": []}


# --- documents -------------------------------------------------------------------------------


def test_ids_are_derived_from_the_hash_and_valid() -> None:
    assert document_id("ab" * 32, 3) == "ab" * 32 + "-3"
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,511}", document_id("sha/with+odd=chars", 0))


def test_a_letter_is_one_document_unless_too_long_for_meilisearch(archive: Archive) -> None:
    # 55,000 characters: one document, so any words of it find it (a real letter, R007).
    paragraph = "Các cơ quan, đơn vị tăng cường phòng, chống dịch Covid-19. " * 40
    item = _indexed(archive, letter("\n\n".join([paragraph] * 23)))
    assert len(item.text) > 50_000 and len(chunk_documents(item)) == 1
    # Eight times as long: cut at paragraphs into pieces under the position limit.
    text = letter("\n\n".join([paragraph] * 180) + "\n\nCâu cuối cùng về Đình Lập.")
    item = _indexed(archive, text, "dai.txt")
    chunks = chunk_documents(item)
    assert len(chunks) > 3
    assert "".join(chunk["text"] for chunk in chunks) == item.text  # nothing lost or doubled
    for number, chunk in enumerate(chunks):
        # v1.50: a word is one position, four after a hard separator (. , \n at most)
        words = re.findall(r"\w+", chunk["text"])
        assert len(words) + 3 * len(re.findall(r"[.,;\n]", chunk["text"])) < 65_536
        assert positions(chunk["text"]) <= MAX_POSITIONS
        assert chunk["id"] == document_id(item.key, number) and chunk["chunk"] == number
        assert chunk["letter_id"] == item.id and chunk["province"] == "Bắc Kạn"
    assert "Đình Lập" in chunks[-1]["text"] and "đình" in chunks[-1]["accented"].split()


def test_write_adds_chunks_then_removes_surplus_and_deleted_letters(
    archive: Archive, stand_in: StandIn, engine: MeiliEngine
) -> None:
    item = _indexed(archive, letter("Nội dung ngắn.", "2-CV/TU"))
    engine.write([item], [41, 42])
    (added,) = stand_in.sent("POST", "/indexes/congvan/documents")
    assert [doc["id"] for doc in added.body] == [document_id(item.key, 0)]
    (deleted,) = stand_in.sent("POST", "/indexes/congvan/documents/delete")
    assert deleted.body == {
        "filter": f"letter_id IN [41, 42] OR (letter_id IN [{item.id}] AND chunk >= 1)"
    }
    order = [r.path for r in stand_in.requests if r.method == "POST" and "documents" in r.path]
    assert order == ["/indexes/congvan/documents", "/indexes/congvan/documents/delete"]


def test_batches_are_queued_before_they_are_waited_on(
    archive: Archive, stand_in: StandIn, engine: MeiliEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Meilisearch indexes queued additions together: a rebuild sends its batches (here one
    letter each) before waiting, and still waits on every one of them."""
    monkeypatch.setattr("indexer.search.meili_engine.BATCH_BYTES", 1)
    items = [_indexed(archive, letter("Nội dung.", f"{n}-CV/TU"), f"{n}.txt") for n in (1, 2, 3)]
    assert engine.rebuild(items) == 3
    added = [n for n, task in stand_in.tasks.items() if task["type"] == "documentAdditionOrUpdate"]
    paths = [r.path for r in stand_in.requests]
    sent = [i for i, path in enumerate(paths) if path == "/indexes/congvan_rebuild/documents"]
    waited = [paths.index(f"/tasks/{n}") for n in added]  # every one waited on
    assert len(sent) == len(waited) == 3 and max(sent) < min(waited)


def test_rebuild_fills_a_fresh_index_and_swaps_it_in(
    archive: Archive, stand_in: StandIn, engine: MeiliEngine
) -> None:
    stand_in.settings["congvan"] = index_settings()
    item = _indexed(archive, letter("Nội dung.", "3-CV/TU"))
    assert engine.rebuild([item]) == 1
    assert stand_in.sent("POST", "/indexes/congvan_rebuild/documents")
    assert not stand_in.sent("POST", "/indexes/congvan/documents")  # live index untouched
    (swap,) = stand_in.sent("POST", "/swap-indexes")
    assert swap.body == [{"indexes": ["congvan", "congvan_rebuild"]}]
    deletions = [r.path for r in stand_in.requests if r.method == "DELETE"]
    assert deletions == ["/indexes/congvan_rebuild", "/indexes/congvan_rebuild"]  # before, after
    assert stand_in.requests.index(swap) < max(
        i for i, r in enumerate(stand_in.requests) if r.method == "DELETE"
    )


# --- searching -------------------------------------------------------------------------------


def _searches(stand_in: StandIn) -> list[dict[str, Any]]:
    """The searches sent, but the question whether some letter is split."""
    sent = [r.body for r in stand_in.searches()]
    return [body for body in sent if body.get("filter") != ["chunk >= 1"]]


def _last_search(stand_in: StandIn) -> dict[str, Any]:
    return _searches(stand_in)[-1]


def test_word_search_payload(stand_in: StandIn, engine: MeiliEngine) -> None:
    from datetime import date

    engine.search(
        SearchRequest(
            q="phong chong dich",
            filters=(("province", 'Lạng "Sơn"'), ("year", "2021")),
            date_from=date(2021, 7, 1),
            date_to=date(2021, 12, 31),
            sort="date_desc",
            page=2,
            per_page=10,
        )
    )
    body = _last_search(stand_in)
    assert body["q"] == "phong chong dich"
    assert body["filter"] == [
        'province = "Lạng \\"Sơn\\""',
        'year = "2021"',
        "(date 20210701 TO 20211231 OR (month_first >= 20210701 AND month_last <= 20211231))",
    ]
    assert body["sort"] == ["sort_date:desc"]
    assert (body["page"], body["hitsPerPage"]) == (2, 10)
    assert body["matchingStrategy"] == "all"
    assert "attributesToSearchOn" not in body  # every searchable attribute
    assert body["facets"] == ["doc_type", "issuer", "province", "year", "signer"]
    # Snippets are cut from the text here (snippets.QueryMarks), not by Meilisearch.
    assert "text" in body["attributesToRetrieve"] and body["showMatchesPosition"] is False
    assert "attributesToCrop" not in body and "attributesToHighlight" not in body
    assert stand_in.searches()[-1].authorization == (f"Bearer {SEARCH_KEY}")


def test_missing_filter_asks_for_null_values(
    archive: Archive, stand_in: StandIn, engine: MeiliEngine
) -> None:
    """Unknown facet values are stored as null (`chunk_documents`), so `IS NULL` finds
    the letters of no known issuer that `/duyet` counts."""
    engine.search(SearchRequest(filters=(("year", "2021"),), missing=("issuer",)))
    assert _last_search(stand_in)["filter"] == ['year = "2021"', "issuer IS NULL"]
    (piece,) = chunk_documents(_indexed(archive, "Đề nghị các xã rà soát hộ nghèo."))
    assert piece["issuer"] is None and piece["year"] is None


def test_distinct_letters_asked_only_when_some_letter_is_split(stand_in: StandIn) -> None:
    """Counting distinct letters costs Meilisearch v1.50 ~200 ms a search on 100,000
    documents: asked for only when some letter is in several documents."""
    stand_in.settings["congvan"] = index_settings()  # the index exists
    engine = _engine(stand_in.url)
    engine.search(SearchRequest(q="dich"))
    assert "distinct" not in _last_search(stand_in)
    stand_in.pieces = 2
    engine.search(SearchRequest(q="dich"))
    assert _last_search(stand_in)["distinct"] == "letter_id"
    engine.count()
    assert _last_search(stand_in)["distinct"] == "letter_id"
    probes = [r.body for r in stand_in.searches()]
    assert {"q": "", "filter": ["chunk >= 1"], "limit": 0} in probes


def test_searches_keep_one_connection_and_few_requests(stand_in: StandIn) -> None:
    """Each request on a new connection cost 5–10 ms, more than most searches take:
    the engine keeps its connection, and a search page is one request (the question
    whether some letter is split rides along), two when Meilisearch's order is reranked
    or a number is looked up (the exact-accent bonus is read from the window)."""
    stand_in.settings["congvan"] = index_settings()
    engine = _engine(stand_in.url)

    def requests_for(query: str) -> int:
        before = len(stand_in.requests)
        engine.search(SearchRequest(q=query))
        return len(stand_in.requests) - before

    stand_in.search_answers.append({"hits": [_found(1, "phòng chống dịch")], "totalHits": 1})
    assert requests_for("phong chong dich") == 1
    stand_in.search_answers.append({"hits": [_found(1, "công văn 68/NQ-CP")], "totalHits": 1})
    assert requests_for("dich 68/NQ-CP") == 2  # the window, then the page's snippets
    assert requests_for("68/NQ-CP") == 2  # the bearers and counts, then the rest
    stand_in.search_answers.append({"hits": [_found(1, "phòng chống dịch")], "totalHits": 1})
    assert requests_for("phòng chống dịch") == 2  # the window (with the accents), the page
    searched = stand_in.searches()
    assert len({r.client_port for r in searched}) == 1  # one kept-alive connection
    assert all(r.path == "/multi-search" for r in stand_in.requests)


def test_facets_are_not_asked_when_not_wanted(stand_in: StandIn, engine: MeiliEngine) -> None:
    engine.search(SearchRequest(q="dich", facet_values=0))
    assert "facets" not in _last_search(stand_in)


def test_facet_values_of_equal_counts_come_in_value_order(
    stand_in: StandIn, engine: MeiliEngine
) -> None:
    """Meilisearch v1.50 sorts by count, but not ties by value (it answered 2022 before
    2021); the embedded engine does, and so the pages list them alike."""
    stand_in.settings["congvan"] = index_settings()  # the index exists
    distribution = {"year": {"2020": 3, "2022": 1, "2021": 1}, "province": {"Lạng Sơn": 2}}
    stand_in.search_answers.append({"hits": [], "totalHits": 5, "facetDistribution": distribution})
    facets = engine.search(SearchRequest(facet_values=2)).facets
    assert list(facets["year"].items()) == [("2020", 3), ("2021", 1)]
    assert facets["province"] == {"Lạng Sơn": 2} and facets["signer"] == {}


def test_number_query_becomes_exact_filters(stand_in: StandIn, engine: MeiliEngine) -> None:
    engine.search(SearchRequest(q="68/nq-cp"))
    bodies = _searches(stand_in)
    exact = '(number_match = "68.nq.cp" OR reference_match = "68.nq.cp")'
    bearers, everything, holding, citing = bodies
    assert all(body["q"] == "" for body in (bearers, everything, citing))  # exact filters
    assert bearers["filter"] == [exact, 'number_match IN ["68.nq.cp"]']  # the bearer first
    assert everything["filter"] == [exact] and everything["hitsPerPage"] == 0  # total, facets
    assert citing["filter"] == [exact, 'NOT number_match IN ["68.nq.cp"]']  # then citing
    # Last, letters whose text holds the number without bearing or citing it.
    assert holding["q"] == '"68 NQ CP"' and holding["filter"] == [f"NOT ({exact})"]
    # Two requests: the bearers with every count, then what of the page is left.
    assert len(stand_in.sent("POST", "/multi-search")) == 2


def test_long_query_keeps_ten_terms_longest_first() -> None:
    words = "về việc tăng cường công tác phòng chống dịch bệnh trên địa bàn tỉnh Lạng Sơn"
    sent = query_text(parse_query(words)).split()
    assert len(sent) == 10
    assert "cường" in sent and "chống" in sent and "về" not in sent
    assert query_text(parse_query('"phòng chống dịch" Lạng Sơn')) == '"phòng chống dịch" Lạng Sơn'
    # A quoted phrase is one term to Meilisearch, however many words it holds.
    sent = query_text(parse_query(f'"phòng chống dịch bệnh" {words}'))
    assert sent.startswith('"phòng chống dịch bệnh" ') and len(sent.split()) == 4 + 9


def _found(letter_id: int, text: str, **extra: Any) -> dict[str, Any]:
    hit = {"id": letter_id, "number": extra.pop("number", None), "subject": None}
    return {"letter_id": letter_id, "hit": hit, "text": text, **extra}


def test_snippets_are_escaped_and_marked(stand_in: StandIn, engine: MeiliEngine) -> None:
    stand_in.settings["congvan"] = index_settings()  # the index exists
    text = "Huyện Đình Lập <script>alert(1)</script> & số 68/NQ-CP"
    stand_in.search_answers.append({"hits": [_found(1, text)], "totalHits": 1})
    (hit,) = engine.search(SearchRequest(q="dinh lap")).hits
    assert hit["snippet"] == (
        "Huyện <mark>Đình</mark> <mark>Lập</mark> &lt;script&gt;alert(1)&lt;/script&gt; &amp; "
        "số 68/NQ-CP"
    )
    assert hit["page"] is None


def test_scan_hit_page_from_byte_offsets(stand_in: StandIn, engine: MeiliEngine) -> None:
    stand_in.settings["congvan"] = index_settings()  # the index exists
    found = _found(2, "Trang một. " * 15 + "Chi Lăng", pages=[[0, 1], [120, 2]])
    stand_in.search_answers.append({"hits": [found], "totalHits": 1})
    (hit,) = engine.search(SearchRequest(q="chi lang")).hits
    assert hit["page"] == 2


def test_exact_accents_rerank_the_top_results(stand_in: StandIn, engine: MeiliEngine) -> None:
    stand_in.settings["congvan"] = index_settings()  # the index exists
    sell = _found(1, "Không bán hàng", _rankingScore=0.9, accented="không bán hàng")
    table = _found(2, "Một cái bàn họp", _rankingScore=0.88, accented="một cái bàn họp")
    stand_in.search_answers += [
        {"hits": [sell, table], "totalHits": 2},
        {"hits": [sell, table], "totalHits": 2},  # the page again, with snippets
    ]
    hits = engine.search(SearchRequest(q="bàn")).hits
    assert [hit["id"] for hit in hits] == [2, 1]
    assert hits[0]["snippet"] == "Một cái <mark>bàn</mark> họp"
    window, page = _searches(stand_in)  # the bonus is read from the window: no third
    assert (window["page"], window["hitsPerPage"], window["showRankingScore"]) == (1, 200, True)
    assert "text" not in window["attributesToRetrieve"] and window["showMatchesPosition"] is False
    assert "accented" in window["attributesToRetrieve"]
    # Only the page's hits bring their text, for their snippets.
    assert page["filter"] == ["letter_id IN [2, 1]"] and "text" in page["attributesToRetrieve"]


def test_accented_words_are_the_distinct_words_with_diacritics() -> None:
    text = "Bàn họp: bán hàng, Bàn ghế; Đường 5 đi Hòa Bình"
    assert accented_words(text) == "bàn họp bán hàng ghế đường đi hòa bình"
    assert "accented" not in index_settings()["searchableAttributes"]  # read, never searched


# --- faults ----------------------------------------------------------------------------------


def test_failed_task_is_reported_and_work_stays_queued(archive: Archive, stand_in: StandIn) -> None:
    stand_in.failing_task_types["documentAdditionOrUpdate"] = {
        "code": "invalid_document_id",
        "message": "Document identifier `x` is invalid.",
    }
    archive.add("a.txt", letter("Nội dung.", "4-CV/TU"))
    applied, problem = try_apply_pending(archive.catalog, _engine(stand_in.url))
    assert applied == 0 and isinstance(problem, TaskFailed)
    assert "invalid_document_id: Document identifier `x` is invalid." in str(problem)
    assert archive.catalog.pending_count() == 1
    stand_in.failing_task_types.clear()
    assert try_apply_pending(archive.catalog, _engine(stand_in.url)) == (1, None)
    assert archive.catalog.pending_count() == 0


def test_task_timeout_keeps_work_queued(archive: Archive, stand_in: StandIn) -> None:
    stand_in.tasks_stay_processing = True
    archive.add("a.txt", letter("Nội dung.", "5-CV/TU"))
    engine = _engine(stand_in.url, task_timeout=0.3)
    applied, problem = try_apply_pending(archive.catalog, engine)
    assert applied == 0 and isinstance(problem, EngineUnavailable)
    assert "không trả lời kịp" in str(problem)
    assert archive.catalog.pending_count() == 1


def test_slow_search_times_out_with_a_message(stand_in: StandIn) -> None:
    stand_in.settings["congvan"] = index_settings()
    stand_in.search_delay = 1.5
    with pytest.raises(EngineUnavailable, match="không trả lời kịp"):
        _engine(stand_in.url, timeout=1.0).search(SearchRequest(q="dich"))


def test_api_errors_carry_their_reason(stand_in: StandIn, engine: MeiliEngine) -> None:
    stand_in.settings["congvan"] = index_settings()  # the index exists
    stand_in.search_error = {
        "message": "Attribute `subject` is not filterable.",
        "code": "invalid_search_filter",
        "type": "invalid_request",
        "link": "https://docs.meilisearch.com/errors#invalid_search_filter",
    }
    with pytest.raises(EngineError, match="invalid_search_filter: Attribute `subject` is not"):
        engine.search(SearchRequest(q="dich"))


def test_missing_index_is_an_empty_archive(stand_in: StandIn, engine: MeiliEngine) -> None:
    result = engine.search(SearchRequest(q="dich"))
    assert (result.total, result.hits) == (0, [])
    assert engine.count() == 0


MASTER = "master-key-0123456789-secret"


def test_keys_created_from_the_master_key_which_is_used_for_nothing_else(
    archive: Archive,
) -> None:
    with running(StandIn(master_key=MASTER)) as stand_in:
        engine = _engine(stand_in.url, search_key=None, admin_key=None, master_key=MASTER)
        engine.search(SearchRequest(q="dich"))
        engine.write([], [1])
        assert engine.rebuild([_indexed(archive, letter("Nội dung.", "3-CV/TU"))]) == 1
        created = {r.body["name"]: r.body for r in stand_in.sent("POST", "/keys")}
        assert created["congvan-search"]["actions"] == ["search"]
        assert created["congvan-search"]["indexes"] == ["congvan"]
        assert "documents.*" in created["congvan-admin"]["actions"]
        assert "keys.*" not in created["congvan-admin"]["actions"]
        # on every index: the real server shows a swap task to no other key
        assert created["congvan-admin"]["indexes"] == ["*"]
        used_master = {r.path for r in stand_in.requests if r.authorization == f"Bearer {MASTER}"}
        assert used_master == {"/keys"}
        search = stand_in.searches()[0]
        assert search.authorization == "Bearer key-congvan-search-0123456789abcdef"
        assert MASTER not in repr(engine.settings)
        # a second start finds the keys by name instead of creating more
        _engine(stand_in.url, search_key=None, admin_key=None, master_key=MASTER).search(
            SearchRequest(q="x")
        )
        assert len(stand_in.sent("POST", "/keys")) == 2
        # another archive on the same server gets keys of its own
        other = _engine(
            stand_in.url, index="congvan_2", search_key=None, admin_key=None, master_key=MASTER
        )
        other.write([], [1])
        assert {r.body["name"] for r in stand_in.sent("POST", "/keys")} == {
            "congvan-search",
            "congvan-admin",
            "congvan_2-search",
            "congvan_2-admin",
        }


def test_keys_of_an_earlier_version_are_replaced() -> None:
    """Keys of this name made for `congvan*` (before v1.50 was tried) cannot read a swap's
    task; Meilisearch cannot change a key's indexes, so they are deleted and made again."""
    old = {"name": "congvan-admin", "key": "old-admin", "uid": "u-old", "description": None}
    old |= {"actions": ["documents.*"], "indexes": ["congvan*"], "expiresAt": None}
    old |= {"createdAt": "2026-11-24T10:00:00.0Z", "updatedAt": "2026-11-24T10:00:00.0Z"}
    with running(StandIn(master_key=MASTER, keys=[old])) as stand_in:
        engine = _engine(stand_in.url, search_key=None, admin_key=None, master_key=MASTER)
        engine.write([], [1])
        (deleted,) = stand_in.sent("DELETE", "/keys/.*")
        assert deleted.path == "/keys/old-admin"
        admin = next(key for key in stand_in.keys if key["name"] == "congvan-admin")
        assert admin["indexes"] == ["*"] and admin["key"] != "old-admin"
        assert len(stand_in.keys) == 2


def test_each_thread_has_clients_of_its_own_and_keys_are_made_once() -> None:
    """The official client rewrites one header dict per request; shared between the web
    server's threads and the index worker, a GET could strip a POST's Content-Type."""
    with running(StandIn(master_key=MASTER)) as stand_in:
        stand_in.settings["congvan"] = index_settings()
        engine = _engine(stand_in.url, search_key=None, admin_key=None, master_key=MASTER)
        seen: list[object] = []

        def search() -> None:
            engine.search(SearchRequest(q="dich"))
            seen.append(engine._clients()[0])

        threads = [threading.Thread(target=search) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        search()
        assert len(seen) == 5 and len({id(client) for client in seen}) == 5
        assert engine._clients()[0] is seen[-1]  # one thread keeps its own
        assert len(stand_in.sent("POST", "/keys")) == 2


def test_search_key_cannot_write() -> None:
    search_key = {"name": "s", "key": SEARCH_KEY, "actions": ["search"], "indexes": ["congvan"]}
    with running(StandIn(master_key=MASTER, keys=[search_key])) as stand_in:
        stand_in.settings["congvan"] = index_settings()
        engine = _engine(stand_in.url, admin_key=SEARCH_KEY)
        engine.search(SearchRequest(q="dich"))
        with pytest.raises(EngineError, match="invalid_api_key"):
            engine.write([], [1])


def test_swap_needs_an_admin_key_on_every_index(archive: Archive) -> None:
    """A key limited to `congvan*` may swap, but cannot read the swap's task to know how it
    went: the real server's answer, which the engine reports."""
    admin = {"name": "a", "key": ADMIN_KEY, "actions": ["*"], "indexes": ["congvan*"]}
    with running(StandIn(master_key=MASTER, keys=[admin])) as stand_in:
        engine = _engine(stand_in.url, search_key=ADMIN_KEY)
        with pytest.raises(EngineError, match="task_not_found"):
            engine.rebuild([_indexed(archive, letter("Nội dung.", "3-CV/TU"))])


def test_server_down_then_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Meilisearch unreachable: the letter is archived with its index work queued, search
    says so in Vietnamese, health reports it; when the server is back the work is applied."""
    port = _free_port()
    monkeypatch.setenv("MEILI_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("MEILI_ADMIN_KEY", ADMIN_KEY)
    monkeypatch.setenv("MEILI_API_KEY", SEARCH_KEY)
    monkeypatch.setenv("MEILI_TIMEOUT", "2")
    data = tmp_path / "data"
    source = tmp_path / "a.txt"
    source.write_text(letter("Phòng chống dịch ở Đình Lập.", "6-CV/TU"), "utf-8")
    assert main(["--data", str(data), "ingest", str(source)]) == 0
    out = capsys.readouterr().out
    assert "a.txt: đã lưu trữ" in out
    assert f"không kết nối được Meilisearch tại http://127.0.0.1:{port}" in out
    assert "1 văn bản chờ trong danh mục, không mất gì" in out

    client = create_app(Settings.from_env(data), {"TESTING": True}).test_client()
    page = client.get("/?q=dinh+lap")
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    assert "Máy tìm kiếm tạm thời không trả lời" in html and "Traceback" not in html
    assert client.get("/api/search?q=dinh").status_code == 503
    health = client.get("/api/health")
    assert health.status_code == 503
    assert health.get_json()["engine_available"] is False and health.get_json()["pending"] == 1
    assert ADMIN_KEY not in health.get_data(as_text=True)
    assert client.get("/documents/1").status_code == 200  # reading the archive still works
    assert main(["--data", str(data), "search", "dinh lap"]) == 3
    assert "lỗi máy tìm kiếm: không kết nối được Meilisearch" in capsys.readouterr().err

    with running(port=port) as stand_in:
        assert main(["--data", str(data), "reindex", "--pending"]) == 0
        (added,) = stand_in.sent("POST", "/indexes/congvan/documents")
        assert added.body[0]["hit"]["number"] == "6-CV/TU"
        assert client.get("/api/health").get_json()["pending"] == 0


def test_worker_prepares_the_index_and_applies_queued_work_when_the_server_is_back(
    archive: Archive,
) -> None:
    import time

    from web.workers import IndexWorker

    port = _free_port()
    archive.add("a.txt", letter("Nội dung.", "7-CV/TU"))
    worker = IndexWorker(archive.settings, _engine(f"http://127.0.0.1:{port}"), interval=0.1)
    worker.start()
    try:
        time.sleep(0.5)
        assert worker.last_problem and "không kết nối được Meilisearch" in worker.last_problem
        assert archive.catalog.pending_count() == 1
        with running(port=port) as stand_in:
            deadline = time.monotonic() + 10
            while archive.catalog.pending_count() and time.monotonic() < deadline:
                time.sleep(0.1)
            assert archive.catalog.pending_count() == 0
            assert stand_in.sent("PATCH", "/indexes/congvan/settings")  # settings at start
            assert stand_in.sent("POST", "/indexes/congvan/documents")
            assert worker.last_problem is None
    finally:
        worker.stopped.set()
        worker.join(5)
