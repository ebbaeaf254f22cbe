"""The interface in a real browser: headless Chromium (Debian's) driven by Playwright,
against `congvan serve` running in its own process on a real archive.

Screenshots are written to test-artifacts/ (one per test) for a person to look at.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.catalog import Catalog
from tests.conftest import ROOT, STAFF_NAME, STAFF_PASSWORD, letter
from tests.samples.build import LETTERS
from tests.test_extract import text_pdf
from web.auth import add_user
from web.cli import main

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts"
playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright not installed")
pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing (apt-get install chromium)"
)

CITED = letter("Thông báo kết luận về phòng, chống dịch.", "368-TB/TU", "2021-08-13")
CITING = [
    letter(
        "Thực hiện Thông báo số 368-TB/TU ngày 13/8/2021 của Ban Thường vụ Tỉnh ủy, "
        "tăng cường kiểm soát tại huyện Đình Lập và cửa khẩu Chi Ma.",
        "370-CV/TU",
        "2021-08-20",
    ),
    letter(
        "Tiếp theo Thông báo số 368-TB/TU, yêu cầu các xã báo cáo trước ngày 30/8/2021.",
        "375-CV/TU",
        "2021-08-25",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A served archive: the project's sample letters and three letters citing each other."""
    root = tmp_path_factory.mktemp("site")
    inbox = root / "inbox"
    inbox.mkdir()
    for path in sorted(LETTERS.glob("*.txt")):
        shutil.copy(path, inbox / path.name)
    (inbox / "tb-368.txt").write_text(CITED, "utf-8")
    for number, text in enumerate(CITING):
        (inbox / f"cv-{number}.txt").write_text(text, "utf-8")
    data = root / "data"
    assert main(["--data", str(data), "ingest", str(inbox)]) == 0
    with Catalog(data / "catalog.sqlite3") as catalog:
        add_user(catalog, STAFF_NAME, STAFF_PASSWORD)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "--data", str(data), "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/api/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
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


def test_accentless_query_shows_the_accented_snippet_marked(page: Any, site: str) -> None:
    page.goto(site + "/")
    page.fill("#q", "dinh lap")
    # Enter submits the words typed (no suggestion is chosen yet)
    page.keyboard.press("Enter")
    page.wait_for_url("**/?q=dinh+lap**")
    marks = page.locator(".hit .snippet mark").all_inner_texts()
    assert "Đình" in marks and "Lập" in marks


def test_facet_click_narrows_results_and_updates_the_url(page: Any, site: str) -> None:
    page.goto(site + "/")
    before = len(page.locator(".hit").all())
    total_before = page.locator(".total").inner_text()
    page.locator("section.facet", has_text="Tỉnh, thành").get_by_role(
        "link", name="Lạng Sơn"
    ).click()
    page.wait_for_url("**province=L%E1%BA%A1ng+S%C6%A1n**")
    assert page.locator(".active-filter").inner_text().startswith("Tỉnh, thành: Lạng Sơn")
    assert page.locator(".total").inner_text() != total_before
    assert 0 < len(page.locator(".hit").all()) < before
    page.go_back()
    page.wait_for_url(site + "/")
    assert page.locator(".total").inner_text() == total_before


def test_number_query_and_document_page_show_who_cites_it(page: Any, site: str) -> None:
    page.goto(site + "/")
    page.fill("#q", "368-tb/tu")
    page.keyboard.press("Enter")
    panel = page.locator(".number-panel")
    assert "Được trích dẫn bởi 2 văn bản" in panel.inner_text()
    panel.get_by_role("link", name="368-TB/TU").first.click()
    page.wait_for_url("**/documents/*")
    cited_by = page.locator("ul.cited-by li").all_inner_texts()
    assert len(cited_by) == 2
    assert any("370-CV/TU · 20/08/2021" in item and "thực hiện" in item for item in cited_by)
    assert any("375-CV/TU" in item and "tiếp theo" in item for item in cited_by)


def test_suggestions_by_keyboard(page: Any, site: str) -> None:
    page.goto(site + "/")
    page.locator("#q").press_sequentially("tinh uy lang", delay=30)
    # Suggestions for the earlier letters typed may show first; wait for the last answer.
    page.locator("#q-suggestions [role=option]", has_text="Tỉnh ủy Lạng Sơn").first.wait_for()
    option = page.locator("#q-suggestions [role=option]").first
    assert "Tỉnh ủy Lạng Sơn" in option.inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**issuer=T%E1%BB%89nh+%E1%BB%A7y+L%E1%BA%A1ng+S%C6%A1n**")
    assert "Cơ quan ban hành: Tỉnh ủy Lạng Sơn" in page.locator(".active-filter").inner_text()


def test_uploaded_pdf_appears_in_search(page: Any, site: str, tmp_path: Path) -> None:
    page.goto(site + "/tai-len")
    page.wait_for_url("**/dang-nhap**")  # upload needs a staff account
    page.fill("#username", STAFF_NAME)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**/tai-len")
    pdf = tmp_path / "cv-tai-len.pdf"
    pdf.write_bytes(
        text_pdf(letter("Kiểm tra công tác tiêm chủng tại xã Xuân Dương.", "512-CV/TU"))
    )
    page.set_input_files("#files", str(pdf))
    page.click("#upload-form button[type=submit]")
    row = page.locator("#upload-results tbody tr", has_text="cv-tai-len.pdf")
    row.locator("strong", has_text="đã lưu trữ").wait_for()
    page.goto(site + "/?q=xuan+duong")
    hits = page.locator(".hit h3").all_inner_texts()
    assert any("512-CV/TU" in hit for hit in hits)


def test_csv_export_downloads_and_parses(page: Any, site: str) -> None:
    page.goto(site + "/?q=tinh+uy")
    total = int(page.locator(".total").inner_text().split()[0])
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Tải danh sách CSV").click()
    download = waiting.value
    raw = Path(download.path()).read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][1] == "Số, ký hiệu" and len(rows) == total + 1
    assert all(row[-1].startswith(site + "/documents/") for row in rows[1:])


def test_search_and_reading_work_without_javascript(browser: Any, site: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(site + "/?q=chi+ma")
    tab.locator(".hit h3 a").first.click()
    assert "<mark>Chi</mark>" in tab.content()
    context.close()


def test_readable_on_a_phone(browser: Any, site: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    tab = context.new_page()
    for url in ("/?q=phong+chong+dich", "/duyet", "/documents/1"):
        tab.goto(site + url)
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= 392, (url, width)  # nothing wider than the screen
    ARTIFACTS.mkdir(exist_ok=True)
    tab.goto(site + "/?q=phong+chong+dich")
    tab.screenshot(path=str(ARTIFACTS / "phone_search.png"), full_page=True)
    context.close()
