"""The interface in a real browser: headless Chromium (Debian's) driven by Playwright,
against `congvan serve` running in its own process on a real archive (tests/browsing.py).

Screenshots are written to test-artifacts/ (one per test) for a person to look at.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from archive.catalog import Catalog
from indexer.pages.ocr import tesseract_ready
from tests.browsing import needs_chromium, served, sign_in
from tests.conftest import ARTIFACTS, STAFF_NAME, STAFF_PASSWORD, letter
from tests.samples.build import LETTERS
from tests.samples.scans import write_scan
from tests.test_extract import text_pdf
from web.auth import add_user
from web.cli import main

pytest.importorskip("playwright.sync_api", reason="playwright not installed")
pytestmark = needs_chromium

CITED = letter("Thông báo kết luận về phòng, chống dịch.", "368-TB/TU", "2021-08-13")
# Letters without a number: told apart by their first words and file names.
UNNUMBERED = {
    "khong-so-dong-banh.txt": letter("Rà soát doanh nghiệp ở khu công nghiệp Đồng Bành."),
    "khong-so-na-duong.txt": letter("Rà soát doanh nghiệp ở khu công nghiệp Na Dương."),
}
HEADERLESS = "Đề nghị các xã rà soát danh sách hộ nghèo trước ngày 30/9/2021."  # no issuer
SCAN_LETTER = letter("Thông báo lịch tiêm chủng tại xã Tân Thành.", "88-TB/TU", "2021-09-02")
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
    for name, text in UNNUMBERED.items():
        (inbox / name).write_text(text, "utf-8")
    (inbox / "khong-co-quan.txt").write_text(HEADERLESS, "utf-8")
    if tesseract_ready():  # a scan, recognised at ingest (the document page shows it)
        write_scan(SCAN_LETTER, inbox / "quet-88", as_pdf=False)
    data = root / "data"
    assert main(["--data", str(data), "ingest", str(inbox)]) == 0
    with Catalog(data / "catalog.sqlite3") as catalog:
        add_user(catalog, STAFF_NAME, STAFF_PASSWORD)
    with served(data) as url:
        yield url


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
    # Suggestions for the earlier letters typed ("tinh uy": every Tỉnh ủy, the most
    # frequent first) may show first; wait for the answer to all of it.
    page.wait_for_function(
        "() => (document.querySelector('#q-suggestions [role=option]') || {}).textContent"
        "?.includes('Tỉnh ủy Lạng Sơn')"
    )
    option = page.locator("#q-suggestions [role=option]").first
    assert "Tỉnh ủy Lạng Sơn" in option.inner_text()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**issuer=T%E1%BB%89nh+%E1%BB%A7y+L%E1%BA%A1ng+S%C6%A1n**")
    assert "Cơ quan ban hành: Tỉnh ủy Lạng Sơn" in page.locator(".active-filter").inner_text()


def test_uploaded_pdf_appears_in_search(page: Any, site: str, tmp_path: Path) -> None:
    page.goto(site + "/tai-len")
    page.wait_for_url("**/dang-nhap**")  # upload needs a staff account
    sign_in(page, site, "/tai-len")
    pdf = tmp_path / "cv-tai-len.pdf"
    pdf.write_bytes(
        text_pdf(letter("Kiểm tra công tác tiêm chủng tại xã Xuân Dương.", "512-CV/TU"))
    )
    page.set_input_files("#files", str(pdf))
    page.click("#upload-form button[type=submit]")
    row = page.locator("#upload-results tbody tr", has_text="cv-tai-len.pdf")
    row.locator(".message", has_text="đã lưu trữ").wait_for()
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


def _phone(browser: Any) -> Any:
    return browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)


def test_on_a_phone_filters_come_first_folded(browser: Any, site: str) -> None:
    context = _phone(browser)
    tab = context.new_page()
    tab.goto(site + "/?q=phong+chong+dich")
    filters = tab.locator("details#bo-loc")
    first_hit = tab.locator(".hit").first
    assert filters.evaluate("element => element.open") is False
    assert filters.bounding_box()["y"] < first_hit.bounding_box()["y"]
    assert first_hit.bounding_box()["y"] < 844  # the results start on the first screen
    tab.focus("#bo-loc summary")  # reachable by keyboard, opened with Enter
    tab.keyboard.press("Enter")
    assert filters.evaluate("element => element.open") is True
    types = tab.locator("section.facet", has_text="Loại văn bản")
    assert types.get_by_role("link", name="Công văn (CV)").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / "phone_filters.png"), full_page=True)
    context.close()


def test_letters_without_a_number_are_told_apart(page: Any, site: str) -> None:
    page.goto(site + "/?q=ra+soat+doanh+nghiep+khu+cong+nghiep")
    titles = []
    for name in UNNUMBERED:  # each row names its file, once
        (row,) = page.locator(".hit", has_text=f"tệp {name}").all()
        titles.append(row.locator("h3").inner_text())
    assert len(set(titles)) == 2, titles
    assert all(title.startswith("Rà soát doanh nghiệp ở khu công nghiệp") for title in titles)


def test_unknown_issuer_count_leads_to_those_letters(page: Any, site: str) -> None:
    page.goto(site + "/duyet")
    link = page.get_by_role("link", name=re.compile("văn bản chưa rõ cơ quan ban hành"))
    count = int(link.inner_text().split()[0])
    assert count >= 1
    link.click()
    page.wait_for_url("**missing=issuer**")
    assert page.locator(".total").inner_text().startswith(f"{count} văn bản")
    assert "Cơ quan ban hành: chưa rõ" in page.locator(".active-filter").inner_text()
    assert any("rà soát danh sách hộ nghèo" in t for t in page.locator(".hit").all_inner_texts())


def _letter_id(site: str, query: str) -> int:
    with urllib.request.urlopen(f"{site}/api/search?q={query}", timeout=10) as answer:
        hits = json.loads(answer.read())["hits"]
    document_id: int = hits[0]["id"]
    return document_id


def test_type_choice_list_and_times_in_vietnam(page: Any, site: str) -> None:
    document_id = _letter_id(site, "370-CV/TU")
    sign_in(page, site, f"/documents/{document_id}")
    choice = page.locator("select#f-doc_type")
    assert choice.locator("option:checked").inner_text() == "Công văn (CV)"
    assert "Chỉ thị (CT)" in choice.locator("option").all_inner_texts()
    choice.select_option("CT")
    page.click("form.correct button[type=submit]")
    page.wait_for_url(f"**/documents/{document_id}#lich-su-sua")
    row = page.locator("table.metadata tr", has_text="Loại văn bản")
    assert "Chỉ thị (CT)" in row.inner_text()
    history = page.locator("#lich-su-sua table.history")
    assert "Thời điểm (giờ Việt Nam, UTC+7)" in history.locator("thead").inner_text()
    shown = history.locator("tbody tr", has_text="Loại văn bản").locator("time")
    utc = datetime.fromisoformat(shown.get_attribute("datetime"))
    assert utc.utcoffset() == timedelta(0)  # the catalog keeps UTC; the page shows UTC+7
    assert shown.inner_text() == (utc + timedelta(hours=7)).strftime("%d/%m/%Y %H:%M:%S")


def test_refused_correction_is_seen_and_survives_a_reload(browser: Any, site: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()  # not `page`: the browser logs the refusal's 400
    document_id = _letter_id(site, "375-CV/TU")
    sign_in(tab, site, f"/documents/{document_id}")
    tab.fill("#f-number", "so-sai")
    tab.click("form.correct button[type=submit]")
    alert = tab.locator("[role=alert]")
    assert "Số, ký hiệu: không phải số, ký hiệu văn bản" in alert.inner_text()
    assert alert.bounding_box()["y"] < 900  # on the first screen, not below the form
    assert tab.locator("#f-number").get_attribute("aria-invalid") == "true"
    assert tab.locator("#f-number").input_value() == "so-sai"  # what was typed, kept
    again = tab.goto(tab.url)  # the address left after the refusal, opened again
    assert again.status == 200 and tab.url.endswith(f"/documents/{document_id}#sua")
    assert "375-CV/TU" in tab.locator("h1").inner_text()
    context.close()


def test_errors_are_vietnamese_pages(browser: Any, site: str) -> None:
    context = browser.new_context()  # not `page`: the browser logs each error status
    tab = context.new_page()
    for path, status in (("/khong-co-trang-nay", 404), ("/dang-xuat", 405)):
        answer = tab.goto(site + path)
        assert answer.status == status
        assert tab.locator("html").get_attribute("lang") == "vi"
        assert f"(mã {status})" in tab.locator("h1").inner_text()
    context.close()


@pytest.mark.skipif(not tesseract_ready(), reason="tesseract with Vietnamese not installed")
def test_each_scan_page_is_shown_once(page: Any, site: str) -> None:
    page.goto(f"{site}/documents/{_letter_id(site, '88-TB/TU')}")
    assert page.locator("img[src$='/pages/1.png']").count() == 1
    assert page.locator("section.original, iframe").count() == 0  # no second copy
    assert page.get_by_text("Tân Thành").count() == 1


@pytest.mark.skipif(not tesseract_ready(), reason="tesseract with Vietnamese not installed")
def test_upload_follows_the_scan_until_it_is_read(page: Any, site: str, tmp_path: Path) -> None:
    sign_in(page, site, "/tai-len")
    text = letter("Kế hoạch kiểm tra chợ đầu mối Phú Xá.", "91-KH/TU", "2021-10-04")
    scan = write_scan(text, tmp_path / "quet-91", as_pdf=False)
    page.set_input_files("#files", str(scan))
    page.click("#upload-form button[type=submit]")
    row = page.locator("#upload-results tbody tr", has_text=scan.name)
    row.locator(".message", has_text="cần nhận dạng chữ").wait_for()
    page.locator("#upload-results tr.outcome-recognised").wait_for(timeout=120_000)
    letter_url = row.get_by_role("link", name="xem văn bản").get_attribute("href")
    done = row.locator(".message").inner_text()
    assert done == f"đã nhận dạng chữ xong (văn bản #{letter_url.split('/')[-1]})"
    row.get_by_role("link", name="xem văn bản").click()
    assert "Phú Xá" in page.locator("section.scan").inner_text()


def test_upload_without_javascript_links_to_the_letter(
    browser: Any, site: str, tmp_path: Path
) -> None:
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    sign_in(tab, site, "/tai-len")
    assert "Mỗi tệp tối đa 200 MB" in tab.locator("#size-limit").inner_text()
    image = tmp_path / "trang-trang.png"
    Image.new("RGB", (80, 60), "white").save(image)
    tab.set_input_files("#files", str(image))
    tab.click("#upload-form button[type=submit]")
    row = tab.locator("#upload-results tbody tr", has_text=image.name)
    assert row.locator(".message").inner_text().count("cần nhận dạng chữ") == 1
    assert (
        row.get_by_role("link", name="xem văn bản").get_attribute("href").startswith("/documents/")
    )
    context.close()


def test_a_second_copy_is_warned_of_and_listed_on_the_letter_page(
    page: Any, site: str, tmp_path: Path
) -> None:
    original = _letter_id(site, "370-CV/TU")
    sign_in(page, site, "/tai-len")
    copy = tmp_path / "370-ban-sao.txt"
    copy.write_text(CITING[0] + "\nBản sao lưu Văn phòng.", "utf-8")
    page.set_input_files("#files", str(copy))
    page.click("#upload-form button[type=submit]")
    row = page.locator("#upload-results tbody tr", has_text=copy.name)
    row.locator(".message", has_text=f"có thể là bản khác của văn bản #{original}").wait_for()
    for _ in range(50):  # the server's index worker draws the groups within seconds
        page.goto(f"{site}/documents/{original}")
        if page.locator("section.copies").count():
            break
        time.sleep(0.2)
    section = page.locator("section.copies")
    assert section.locator("h2").inner_text() == "Bản khác của cùng văn bản"
    assert "370-ban-sao.txt · bản điện tử" in section.inner_text()
    with urllib.request.urlopen(f"{site}/api/search?q=370-CV/TU", timeout=10) as answer:
        hits = json.loads(answer.read())["hits"]
    assert [hit["id"] for hit in hits if hit["number"] == "370-CV/TU"] == [original]
