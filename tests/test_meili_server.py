"""Meilisearch as a real server: what the contract suite cannot show with one small archive.

- the same answers as the embedded engine on the shared seeds, the sample archive and the
  real letters of `../shared/real/` (their text-layer PDFs and Word files);
- `reindex` swapping a fresh index in while searches run: no error, never an empty answer;
- the keys: the search key cannot write, the admin key cannot reach the keys, the master
  key is used for the keys only and never shows in what the archive serves;
- a server killed (SIGKILL) in the middle of indexing: the work stays queued in the catalog
  and is applied once when it is back, nothing lost, nothing doubled.

Runs when MEILI_URL (and MEILI_MASTER_KEY) point at a real server; the kill test also
needs MEILI_BIN, a Meilisearch binary it starts on a port and a database of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import meilisearch
import pytest
from flask.testing import FlaskClient
from meilisearch.errors import MeilisearchApiError

from archive.catalog import Catalog
from archive.catalog.letter import letter_to_json
from archive.settings import MeiliSettings, Settings
from archive.store import OriginalStore
from indexer.intake.pipeline import ingest_bytes
from indexer.search import FACETS, EngineError, SearchRequest, SearchResult
from indexer.search.indexing import apply_pending, reindex
from indexer.search.meili_documents import MAX_QUERY_TERMS
from indexer.search.meili_engine import MeiliEngine, key_names
from indexer.search.query import parse_query, typo_tolerant
from indexer.search.tantivy_engine import TantivyEngine
from indexer.search.typos import FEW_RESULTS
from tests.conftest import ENGINES, ROOT, SEEDS, leave_clean, letter, meili_for_test
from tests.samples.build import build as build_samples
from web.app import create_app
from web.cli import main

REAL = ROOT.parent / "shared" / "real"
pytestmark = list(ENGINES[1].marks)  # skipped without MEILI_URL


# --- the same answers as the embedded engine ------------------------------------------------


@dataclass
class TwoEngines:
    catalog: Catalog
    tantivy: TantivyEngine
    meili: MeiliEngine


def _truth() -> dict[str, dict[str, Any]]:
    """What `../shared/real/truth.json` says of each real letter (nothing if absent)."""
    if not (REAL / "truth.json").exists():
        return {}
    truth: dict[str, dict[str, Any]] = json.loads((REAL / "truth.json").read_text("utf-8"))
    return truth


def _real_letters() -> list[Path]:
    """The real letters whose text is read without OCR (the scans wait for recognition)."""
    formats = ("pdf-text", "docx", "doc") if shutil.which("soffice") else ("pdf-text", "docx")
    readable = [name for name, values in _truth().items() if values["format"] in formats]
    return [REAL / "letters" / name for name in sorted(readable)]


@pytest.fixture(scope="module")
def two_engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoEngines]:
    """One catalog (seeds, samples, real letters) indexed by both engines."""
    folder = tmp_path_factory.mktemp("parity")
    settings = Settings(data_dir=folder / "data")
    files = [*sorted(SEEDS.glob("*.txt")), *build_samples(folder / "samples"), *_real_letters()]
    catalog = Catalog(settings.catalog_path)
    store = OriginalStore(settings.originals_dir)
    for path in files:
        ingest_bytes(catalog, store, path.read_bytes(), path.name)
    meili = meili_for_test(folder, "congvan_parity")
    engines = TwoEngines(catalog, TantivyEngine(settings.index_dir), MeiliEngine(meili))
    reindex(catalog, engines.tantivy)
    reindex(catalog, engines.meili)
    yield engines
    catalog.close()
    leave_clean(meili)


def _requests(catalog: Catalog) -> list[SearchRequest]:
    """What staff would ask of this archive: the real letters' own queries, words, each
    letter's number and subject, every cited number, dates, orders and paging."""
    words = [query for values in _truth().values() for query in values["queries"]]
    words += ["dinh lap", "thanh uy hue", "phòng chống dịch", "phong chong dich", "covid"]
    words += ['"người lao động"', "bàn", "ban", "tăng cường kiểm soát", "vắc xin"]
    requests = [SearchRequest(q=q, per_page=100) for q in words]
    letters = catalog.letters(catalog.document_ids())
    for record in catalog.iter_documents():
        metadata = letter_to_json(letters[record.id])
        if metadata.get("number"):
            requests.append(SearchRequest(q=metadata["number"], per_page=100))
        if metadata.get("subject"):
            requests.append(SearchRequest(q=metadata["subject"], per_page=100))
        for cited in metadata.get("references") or []:
            requests.append(SearchRequest(ref=cited, sort="date_asc", per_page=100))
    browse = SearchRequest(per_page=100)
    requests += [browse, replace(browse, sort="date_desc"), replace(browse, sort="date_asc")]
    requests.append(SearchRequest(date_from=date(2021, 1, 1), date_to=date(2022, 12, 31)))
    requests.append(SearchRequest(q="dich", sort="date_desc", page=2, per_page=3))
    return requests


def _facet_requests(answer: SearchResult) -> list[SearchRequest]:
    return [
        SearchRequest(filters=((name, value),), sort="date_desc", per_page=100)
        for name in FACETS
        for value in answer.facets[name]
    ]


def _terms(request: SearchRequest) -> int:
    parsed = parse_query(request.q)
    return len(parsed.words) + len(parsed.phrases)


def _difference(engines: TwoEngines, request: SearchRequest) -> str | None:
    """How Meilisearch's answer differs from the embedded engine's, if it does: totals,
    letters (in order, unless ranked by relevance), facet values in order with counts. A
    query of more than ten terms may find more letters on Meilisearch (it requires only
    the ten it reads), never fewer."""
    embedded, served = engines.tantivy.search(request), engines.meili.search(request)
    mine, theirs = [h["id"] for h in embedded.hits], [h["id"] for h in served.hits]
    if embedded.total >= FEW_RESULTS and any(map(typo_tolerant, parse_query(request.q).words)):
        # Meilisearch also matches typos when exact matching finds plenty: more letters,
        # never fewer, every exact match first (the embedded engine's letters).
        exact_first = set(theirs[: len(mine)]) == set(mine)
        return None if exact_first else f"{request}: {mine} not first in {theirs}"
    if _terms(request) > MAX_QUERY_TERMS:
        missing = set(mine) - set(theirs)
        return f"{request}: {sorted(missing)} not found" if missing else None
    if request.sort == "relevance" and not parse_query(request.q).numbers:
        mine, theirs = sorted(mine), sorted(theirs)  # ranked alike only for numbers
    shown = [
        (answer.total, ids, {name: list(values.items()) for name, values in answer.facets.items()})
        for answer, ids in ((embedded, mine), (served, theirs))
    ]
    return None if shown[0] == shown[1] else f"{request}: {shown[0]} ≠ {shown[1]}"


def test_same_answers_as_the_embedded_engine(two_engines: TwoEngines) -> None:
    browse = two_engines.tantivy.search(SearchRequest())
    requests = _requests(two_engines.catalog) + _facet_requests(browse)
    assert len(requests) > 100
    assert [d for r in requests if (d := _difference(two_engines, r))] == []


def test_real_letters_rank_as_high(two_engines: TwoEngines) -> None:
    """Each real letter's own queries find it at least as high on Meilisearch."""
    ids = {record.filename: record.id for record in two_engines.catalog.iter_documents()}
    ranks = []
    for name, values in _truth().items():
        for query in values["queries"] if name in ids else []:
            request = SearchRequest(q=query, per_page=100)
            found = [
                [hit["id"] for hit in engine.search(request).hits]
                for engine in (two_engines.tantivy, two_engines.meili)
            ]
            ranks.append(
                (query, *(hits.index(ids[name]) if ids[name] in hits else 100 for hits in found))
            )
    assert ranks and [(q, mine, theirs) for q, mine, theirs in ranks if theirs > mine] == []


# --- reindex while searching ------------------------------------------------------------------


def _small_archive(
    tmp_path: Path, count: int, meili: MeiliSettings | None
) -> tuple[Settings, Catalog]:
    """`count` letters, each with a number of its own, in a catalog searched on `meili`."""
    settings = Settings(data_dir=tmp_path / "data", meili=meili)
    catalog = Catalog(settings.catalog_path)
    store = OriginalStore(settings.originals_dir)
    body = "Tăng cường phòng, chống dịch bệnh; kiểm soát người ra vào tỉnh. " * 20
    for serial in range(1, count + 1):
        text = letter(f"{body}\n\nLetter {serial} gửi huyện Đình Lập.", f"{serial}-CV/TU")
        assert ingest_bytes(catalog, store, text.encode(), f"{serial}.txt").document_id
    return settings, catalog


@dataclass
class Searching:
    """Searches in a loop beside the test, as the web service would, noting what it saw."""

    engine: MeiliEngine
    expected: int
    seen: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        requests = [SearchRequest(), SearchRequest(q="dinh lap"), SearchRequest(q="7-CV/TU")]
        while not self.stop.is_set():
            for request in requests:
                try:
                    total = self.engine.search(request).total
                except EngineError as error:
                    self.problems.append(f"{request.q!r}: {error}")
                    continue
                self.seen.append(total)
                wanted = 1 if request.q == "7-CV/TU" else self.expected
                if total != wanted:
                    self.problems.append(f"{request.q!r}: {total} letters, not {wanted}")


def test_reindex_swaps_while_searches_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`congvan reindex` three times while another client searches without pause: every
    search answers, and every answer holds the whole archive."""
    settings, catalog = _small_archive(tmp_path, 300, meili_for_test(tmp_path, "congvan_swap"))
    assert settings.meili is not None
    monkeypatch.setenv("MEILI_INDEX", settings.meili.index)
    try:
        assert main(["--data", str(settings.data_dir), "reindex", "--pending"]) == 0
        searching = Searching(MeiliEngine(settings.meili), expected=300)
        thread = threading.Thread(target=searching.run)
        thread.start()
        try:
            for _ in range(3):
                assert main(["--data", str(settings.data_dir), "reindex"]) == 0
        finally:
            searching.stop.set()
            thread.join(30)
        assert "Đã dựng lại chỉ mục từ danh mục: 300 văn bản." in capsys.readouterr().out
        assert len(searching.seen) > 30 and searching.problems == []
    finally:
        catalog.close()
        leave_clean(settings.meili)


# --- keys -------------------------------------------------------------------------------------


def _refused(action: Callable[[], object]) -> str:
    """The error code Meilisearch answers an action with (it must refuse it)."""
    with pytest.raises(MeilisearchApiError) as refused:
        action()
    return str(refused.value.code)


def test_search_key_cannot_write_and_master_key_stays_on_the_server(tmp_path: Path) -> None:
    settings, catalog = _small_archive(tmp_path, 3, meili_for_test(tmp_path, "congvan_keys"))
    assert settings.meili is not None and settings.meili.master_key
    uid, master_key = settings.meili.index, settings.meili.master_key
    try:
        app = create_app(settings, {"TESTING": True})
        engine: MeiliEngine = app.extensions["congvan_engine"]
        assert apply_pending(catalog, engine) == 3
        search_key = engine.settings.search_key or _key(settings.meili, key_names(uid)[0])
        admin_key = _key(settings.meili, key_names(uid)[1])
        searcher = meilisearch.Client(settings.meili.url, search_key).index(uid)
        assert searcher.search("dinh lap")["estimatedTotalHits"] == 3
        document = {"id": "x-0", "letter_id": 999, "text": "giả mạo"}
        assert _refused(lambda: searcher.add_documents([document])) == "invalid_api_key"
        assert _refused(lambda: searcher.delete_all_documents()) == "invalid_api_key"
        assert _refused(lambda: searcher.update_settings({"stopWords": ["và"]})) == (
            "invalid_api_key"
        )
        assert _refused(lambda: searcher.delete()) == "invalid_api_key"
        other = meilisearch.Client(settings.meili.url, search_key).index(f"{uid}_other")
        assert _refused(lambda: other.search("x")) == "invalid_api_key"
        admin = meilisearch.Client(settings.meili.url, admin_key)
        assert _refused(lambda: admin.get_keys()) == "invalid_api_key"
        assert _refused(lambda: admin.create_key({"actions": ["*"], "indexes": ["*"]})) == (
            "invalid_api_key"
        )
        assert engine.count() == 3  # nothing above was written
        served = [_served(app.test_client(), path) for path in _PAGES]
        for key in (master_key, admin_key, search_key):
            assert not [page for page in served if key in page]
        assert master_key not in repr(engine.settings) + repr(engine.health())
    finally:
        catalog.close()
        leave_clean(settings.meili)


_PAGES = ("/", "/?q=dinh+lap", "/api/search?q=dinh", "/api/health", "/documents/1")
_PAGES += tuple(f"/static/{name}" for name in ("suggest.js", "upload.js", "style.css"))


def _served(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    try:
        assert response.status_code == 200, path
        return response.get_data(as_text=True)
    finally:
        response.close()


def _key(meili: MeiliSettings, name: str) -> str:
    """A key the engine created, read with the master key as an operator would."""
    master = meilisearch.Client(meili.url, meili.master_key)
    return next(key.key for key in master.get_keys({"limit": 1000}).results if key.name == name)


# --- a server killed while indexing ------------------------------------------------------------


@dataclass
class OwnServer:
    """A Meilisearch of the test's own (MEILI_BIN), on a free port and a database in the
    test's folder, so it can be killed."""

    binary: str
    folder: Path
    master_key: str = "congvan-kill-test-master-key-0123456789"
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        if not self.port:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                self.port = sock.getsockname()[1]
        with (self.folder / "server.log").open("ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "--db-path", str(self.folder / "db"), "--http-addr",
                 f"127.0.0.1:{self.port}", "--master-key", self.master_key, "--env",
                 "production", "--no-analytics"],
                stdout=log, stderr=log,
            )  # fmt: skip
        deadline = time.monotonic() + 30
        while not MeiliEngine(MeiliSettings(self.url)).health()["available"]:
            assert time.monotonic() < deadline, (self.folder / "server.log").read_text()
            time.sleep(0.1)

    def kill(self) -> None:
        """SIGKILL: no shutdown of any kind."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[OwnServer]:
    binary = os.environ.get("MEILI_BIN")
    if not binary:
        pytest.skip("no MEILI_BIN: a Meilisearch binary this test can start and kill")
    server = OwnServer(binary, tmp_path / "meili")
    server.folder.mkdir()
    server.start()
    yield server
    if server.process and server.process.poll() is None:
        server.process.terminate()
        server.process.wait(10)


LETTERS_TO_KILL_UNDER = 3000


def _writing(master: meilisearch.Client) -> bool:
    """Whether documents are being added now (a task enqueued or processing)."""
    query = {"statuses": ["enqueued", "processing"], "types": ["documentAdditionOrUpdate"]}
    return bool(master.get_tasks(query).results)


def test_server_killed_while_indexing_loses_and_doubles_nothing(
    tmp_path: Path, own_server: OwnServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = LETTERS_TO_KILL_UNDER
    for name, value in (("MEILI_URL", own_server.url), ("MEILI_INDEX", "congvan")):
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MEILI_MASTER_KEY", own_server.master_key)
    monkeypatch.delenv("MEILI_API_KEY", raising=False)
    monkeypatch.delenv("MEILI_ADMIN_KEY", raising=False)
    settings, catalog = _small_archive(tmp_path, count, Settings.from_env(tmp_path).meili)
    assert settings.meili is not None
    try:
        _kill_while_indexing(own_server, settings, catalog, count)
    finally:
        catalog.close()


def _kill_while_indexing(
    own_server: OwnServer, settings: Settings, catalog: Catalog, count: int
) -> None:
    assert settings.meili is not None
    data = str(settings.data_dir)
    applying = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "--data", data, "reindex", "--pending"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    master = meilisearch.Client(own_server.url, own_server.master_key)
    while not (catalog.pending_count() < count and _writing(master)):  # a later batch
        assert applying.poll() is None, applying.communicate()
        time.sleep(0.005)
    own_server.kill()
    out, err = applying.communicate(timeout=60)
    assert applying.returncode == 3, out + err
    assert f"không kết nối được Meilisearch tại {own_server.url}" in err
    left = catalog.pending_count()
    assert 0 < left < count  # part applied, the rest still queued in the catalog

    own_server.start()
    assert main(["--data", data, "reindex", "--pending"]) == 0
    assert catalog.pending_count() == 0
    engine = MeiliEngine(settings.meili)
    ids = [
        hit["id"]
        for page in range(1, count // 100 + 1)
        for hit in engine.search(SearchRequest(sort="date_asc", page=page, per_page=100)).hits
    ]
    assert len(ids) == len(set(ids)) == count == engine.count()
    stats = master.index("congvan").get_stats()
    assert stats.number_of_documents == count  # one document per letter, none twice
    assert engine.search(SearchRequest(q="2999-CV/TU")).total == 1
    # The batch the kill interrupted may have been kept by the server and applied after the
    # restart, and it was sent again: the same ids, so the second copy replaces the first.
    additions = master.get_tasks({"types": ["documentAdditionOrUpdate"], "limit": 100})
    assert sum(task.status == "succeeded" for task in additions.results) >= count // 500
