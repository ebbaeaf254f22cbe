"""Fixtures: a real data folder (SQLite catalog, originals, Tantivy index) per test."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import meilisearch
import pytest
from flask import Flask
from flask.testing import FlaskClient

from archive.catalog import Catalog
from archive.catalog.letter import letter_to_json
from archive.settings import MeiliSettings, Settings
from archive.store import OriginalStore
from indexer.intake.pipeline import IngestOutcome, ingest_bytes
from indexer.search import SearchEngine, SearchRequest, SearchResult
from indexer.search.factory import open_engine
from indexer.search.indexing import apply_pending
from indexer.search.meili_engine import key_names, rebuild_uid
from tests.samples.build import build as build_samples
from web.app import create_app
from web.auth import add_user

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"  # Debian's, driven by Playwright in the browser tests
ARTIFACTS = ROOT / "test-artifacts"  # their screenshots, one per test
SEEDS = ROOT.parent / "shared" / "seeds"
SAMPLES_EXPECTED = ROOT / "tests" / "samples" / "expected.json"


@dataclass
class Archive:
    """A data folder with its catalog, store and engine, as the CLI would open them."""

    settings: Settings
    catalog: Catalog
    store: OriginalStore
    engine: SearchEngine

    def add(self, filename: str, content: str | bytes) -> IngestOutcome:
        data = content.encode("utf-8") if isinstance(content, str) else content
        return ingest_bytes(self.catalog, self.store, data, filename)

    def index(self) -> int:
        return apply_pending(self.catalog, self.engine)

    def search(self, q: str = "", **kwargs: object) -> SearchResult:
        return self.engine.search(SearchRequest(q=q, **kwargs))  # type: ignore[arg-type]

    def ids(self, q: str = "", **kwargs: object) -> list[int]:
        return [hit["id"] for hit in self.search(q, per_page=100, **kwargs).hits]


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    settings = Settings(data_dir=tmp_path / "data")
    catalog = Catalog(settings.catalog_path)
    yield Archive(settings, catalog, OriginalStore(settings.originals_dir), open_engine(settings))
    catalog.close()


ENGINES = [
    "tantivy",
    pytest.param(
        "meilisearch",
        marks=pytest.mark.skipif(
            not os.environ.get("MEILI_URL"),
            reason="no Meilisearch: set MEILI_URL (and keys) to hold it to the contract",
        ),
    ),
]


def meili_for_test(tmp_path: Path, prefix: str = "congvan_contract") -> MeiliSettings:
    """The server of MEILI_URL (and its keys), with an index of the test's own."""
    configured = Settings.from_env(tmp_path).meili
    assert configured is not None
    return replace(configured, index=f"{prefix}_{uuid.uuid4().hex[:12]}")


def leave_clean(meili: MeiliSettings) -> None:
    """Delete a test's index, its rebuild index and the keys made for them."""
    master = meilisearch.Client(meili.url, meili.master_key or meili.admin_key)
    for uid in (meili.index, rebuild_uid(meili.index)):
        master.wait_for_task(master.delete_index(uid).task_uid)
    if meili.master_key:
        names = set(key_names(meili.index))
        for key in master.get_keys({"limit": 1000}).results:
            if key.name in names:
                master.delete_key(key.uid)


@pytest.fixture(params=ENGINES)
def each_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Archive]:
    """An archive searched by each engine in turn: the embedded one always, Meilisearch
    when MEILI_URL is set (an index of the test's own, deleted after it)."""
    meili = meili_for_test(tmp_path) if request.param == "meilisearch" else None
    settings = Settings(data_dir=tmp_path / "data", meili=meili)
    catalog = Catalog(settings.catalog_path)
    yield Archive(settings, catalog, OriginalStore(settings.originals_dir), open_engine(settings))
    catalog.close()
    if meili is not None:
        leave_clean(meili)


@pytest.fixture
def app(archive: Archive) -> Flask:
    return create_app(archive.settings, {"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


STAFF_NAME, STAFF_PASSWORD = "le.van.an", "mat-khau-thu-nghiem"


def csrf_token(client: FlaskClient) -> str:
    """The CSRF token of the client's session, as a page carries it."""
    page = client.get("/dang-nhap").get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def staff(archive: Archive, client: FlaskClient) -> str:
    """Sign the test client in as a staff member; returns the CSRF token to send."""
    add_user(archive.catalog, STAFF_NAME, STAFF_PASSWORD)
    token = csrf_token(client)
    response = client.post(
        "/dang-nhap",
        data={"username": STAFF_NAME, "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return csrf_token(client)  # a fresh session at sign-in, so a fresh token


@pytest.fixture(scope="session")
def sample_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build_samples(tmp_path_factory.mktemp("samples"))


@pytest.fixture(scope="session")
def samples_expected() -> dict[str, dict[str, object]]:
    loaded: dict[str, dict[str, object]] = json.loads(SAMPLES_EXPECTED.read_text("utf-8"))
    return loaded


@pytest.fixture
def seeds_dir() -> Path:
    if not (SEEDS / "expected.json").exists():
        pytest.skip(f"real letters not available: {SEEDS} does not exist")
    return SEEDS


def held_letter(data: Path, filename: str) -> dict[str, Any]:
    """The letter archived from `filename` in the data folder, as held, in its JSON shape
    (with its id)."""
    with Catalog(data / "catalog.sqlite3") as catalog:
        record = next(r for r in catalog.iter_documents() if r.filename == filename)
        held = catalog.letter(record.id)
        assert held is not None
        return letter_to_json(held) | {"id": record.id}


def letter(body: str, number: str | None = None, date: str | None = None) -> str:
    """A small Party letter around `body`, for tests that need one quickly."""
    header = ["TỈNH ỦY BẮC KẠN", "*"]
    if number:
        header.append(f"Số {number}")
    header.append("ĐẢNG CỘNG SẢN VIỆT NAM")
    if date:
        year, month, day = date.split("-")
        header.append(f"Bắc Kạn, ngày {day} tháng {month} năm {year}")
    return "\n".join(header) + "\n\n" + body + "\n\nT/M BAN THƯỜNG VỤ\nBÍ THƯ\n\nVũ Minh Quân\n"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium, one per module."""
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A tab in a Vietnamese locale; its screenshot is kept, and no script error is allowed."""
    context = browser.new_context(
        locale="vi-VN", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert errors == []  # no script error, no CSP violation
