"""Staff accounts, CSRF and CSP, uploads, suggestions, the number panel, auditors' views and
CSV export, through the Flask app on a real catalog and index."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from archive.settings import Settings
from tests.conftest import STAFF_NAME, STAFF_PASSWORD, Archive, csrf_token, letter
from tests.samples.build import LETTERS
from tests.test_extract import text_pdf
from web.app import create_app
from web.cli import main


@pytest.fixture
def letters(archive: Archive) -> dict[str, int]:
    texts = {
        "nq": "CHÍNH PHỦ\nSố: 68/NQ-CP\nHà Nội, ngày 01 tháng 7 năm 2021\n\nNGHỊ QUYẾT\n"
        "Về một số chính sách hỗ trợ người lao động\n\nNội dung.",
        "a": letter("Thực hiện Nghị quyết số 68/NQ-CP của Chính phủ.", "101-CV/TU", "2021-07-20"),
        "b": letter(
            "Triển khai Nghị quyết 68/NQ-CP tại huyện Đình Lập.", "102-CV/TU", "2021-07-28"
        ),
        "c": letter("Kiểm soát dịch tại chợ đầu mối.", "103-CV/TU", "2021-09-02"),
        "d": letter("Không ghi ngày tháng.", "104-CV/TU"),
    }
    ids = {key: archive.add(f"{key}.txt", text).document_id or 0 for key, text in texts.items()}
    archive.index()
    return ids


# --- accounts, CSRF, CSP -----------------------------------------------------------------------


def test_accounts_from_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = str(tmp_path / "data")
    monkeypatch.setattr("sys.stdin", io.StringIO("mot-mat-khau-dai\n"))
    assert main(["--data", data, "user", "add", "tran.binh", "--admin", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    assert main(["--data", data, "user", "add", "ngan.qua", "--password-stdin"]) == 2
    monkeypatch.setattr("sys.stdin", io.StringIO("mot-mat-khau-khac\n"))
    assert main(["--data", data, "user", "add", "TRAN.BINH", "--password-stdin"]) == 1  # taken
    from archive.catalog import Catalog

    with Catalog(Path(data) / "catalog.sqlite3") as catalog:
        (user,) = catalog.list_users()
        stored = catalog.get_user("tran.binh")
    assert user["username"] == "tran.binh" and user["is_admin"] == 1
    assert stored and "mot-mat-khau-dai" not in stored["password_hash"]
    assert stored["password_hash"].startswith("scrypt:")


def test_sign_in_and_out(archive: Archive, client: FlaskClient) -> None:
    from web.auth import add_user

    add_user(archive.catalog, STAFF_NAME, STAFF_PASSWORD)
    token = csrf_token(client)
    wrong = client.post(
        "/dang-nhap", data={"username": STAFF_NAME, "password": "sai-mat-khau", "csrf_token": token}
    )
    assert wrong.status_code == 401 and "Sai tên đăng nhập hoặc mật khẩu" in wrong.text
    no_token = client.post("/dang-nhap", data={"username": STAFF_NAME, "password": STAFF_PASSWORD})
    assert no_token.status_code == 400  # CSRF
    right = client.post(
        "/dang-nhap",
        data={
            "username": STAFF_NAME,
            "password": STAFF_PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/",
        },
    )
    assert right.status_code == 303 and right.headers["Location"] == "/"  # never off-site
    assert f"Cán bộ: <strong>{STAFF_NAME}</strong>" in client.get("/").text
    assert client.get("/api/session").get_json()["user"] == STAFF_NAME
    token = csrf_token(client)
    assert client.post("/dang-xuat", data={"csrf_token": token}).status_code == 303
    assert client.get("/api/session").get_json()["user"] is None


def test_reading_can_require_an_account(archive: Archive, letters: dict[str, int]) -> None:
    settings = Settings(data_dir=archive.settings.data_dir, login_to_view=True)
    client = create_app(settings, {"TESTING": True}).test_client()
    page = client.get("/?q=dinh+lap")
    assert page.status_code == 302 and page.headers["Location"].startswith("/dang-nhap?next=")
    assert client.get("/api/search?q=dinh").status_code == 401
    assert client.get(f"/api/documents/{letters['a']}/original").status_code == 401
    assert client.get("/api/health").status_code == 200  # monitoring stays open
    from web.auth import add_user

    add_user(archive.catalog, STAFF_NAME, STAFF_PASSWORD)
    login = {"username": STAFF_NAME, "password": STAFF_PASSWORD, "csrf_token": csrf_token(client)}
    client.post("/dang-nhap", data=login)
    assert client.get("/api/search?q=dinh").get_json()["total"] == 1


def test_pages_carry_a_content_security_policy(
    client: FlaskClient, letters: dict[str, int]
) -> None:
    for url in ("/", f"/documents/{letters['a']}", "/api/search", "/duyet"):
        policy = client.get(url).headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "frame-ancestors 'self'" in policy
        assert "unsafe-inline" not in policy
    html = client.get("/").text
    assert "<script>" not in html and " style=" not in html and "onclick" not in html


# --- upload ------------------------------------------------------------------------------------


def _multipart(fields: dict[str, str], *items: tuple[str, bytes]) -> tuple[bytes, str]:
    """A multipart body built in memory (the test client would spool a large one to a
    temporary file it never closes)."""
    values = MultiDict[str, Any](fields.items())
    for name, data in items:
        values.add("files", FileStorage(io.BytesIO(data), filename=name))
    boundary, body = encode_multipart(values)
    return body, f"multipart/form-data; boundary={boundary}"


def _upload(client: FlaskClient, token: str, *items: tuple[str, bytes]) -> TestResponse:
    body, content_type = _multipart({}, *items)
    return client.post(
        "/api/upload", data=body, content_type=content_type, headers={"X-CSRFToken": token}
    )


def test_upload_reports_each_file_and_letters_are_found_at_once(
    archive: Archive, client: FlaskClient, staff: str
) -> None:
    from PIL import Image

    text = (LETTERS / "04_ubnd_lang_son_qd.txt").read_text("utf-8")
    image = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(image, format="PNG")
    response = _upload(
        client,
        staff,
        ("qd.txt", text.encode()),
        ("ban-sao.txt", text.encode()),
        ("virus.exe", b"MZ..."),
        ("quet.png", image.getvalue()),
        ("van-ban.pdf", text_pdf(letter("Công văn về phòng chống dịch ở xã Hữu Kiên."))),
    )
    assert response.status_code == 200
    outcomes = {f["filename"]: f for f in response.get_json()["files"]}
    assert outcomes["qd.txt"]["outcome"] == "archived" and outcomes["qd.txt"]["url"]
    assert outcomes["ban-sao.txt"]["outcome"] == "duplicate"
    assert outcomes["virus.exe"]["outcome"] == "failed"
    assert "định dạng không hỗ trợ" in outcomes["virus.exe"]["message"]
    assert outcomes["quet.png"]["outcome"] == "needs_ocr"
    assert client.get("/api/search?q=huu+kien").get_json()["total"] == 1  # searchable at once
    log = archive.catalog.db.execute("SELECT source FROM ingest_log").fetchall()
    assert any(f"tải lên: {STAFF_NAME}" in row["source"] for row in log)  # who uploaded


def test_upload_form_works_without_javascript(
    archive: Archive, client: FlaskClient, staff: str
) -> None:
    page = client.get("/tai-len")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.text
    text = (LETTERS / "03_ubnd_quang_nam_cv.txt").read_text("utf-8").encode()
    body, content_type = _multipart(
        {"csrf_token": staff}, ("a.txt", text), ("b.docx", b"PK\x03\x04 hong")
    )
    response = client.post("/tai-len", data=body, content_type=content_type)
    assert response.status_code == 200
    assert "đã lưu trữ" in response.text and "tệp Word hỏng" in response.text


def test_upload_needs_staff_and_token(client: FlaskClient, archive: Archive) -> None:
    token = csrf_token(client)
    anonymous = _upload(client, token, ("a.txt", b"x"))
    assert anonymous.status_code == 401
    assert client.get("/tai-len").status_code == 302
    assert archive.catalog.count_documents() == 0


# --- search helpers ---------------------------------------------------------------------------


def test_suggestions_for_numbers_issuers_and_signers(
    client: FlaskClient, letters: dict[str, int]
) -> None:
    def labels(q: str) -> list[tuple[str, str]]:
        found = client.get("/api/suggest", query_string={"q": q}).get_json()["suggestions"]
        return [(s["kind"], s["label"]) for s in found]

    assert ("number", "68/NQ-CP") in labels("68/nq")
    assert ("number", "101-CV/TU") in labels("101")
    assert ("issuer", "Tỉnh ủy Bắc Kạn") in labels("tinh uy bac")
    assert ("signer", "Vũ Minh Quân") in labels("minh quan")
    assert labels("a") == []


def test_number_query_shows_the_bearer_and_who_cites_it(
    client: FlaskClient, letters: dict[str, int]
) -> None:
    html = client.get("/", query_string={"q": "68/nq-cp"}).text
    panel = html.split('class="number-panel"')[1].split("</section>")[0]
    assert f'href="/documents/{letters["nq"]}"' in panel
    assert "Được trích dẫn bởi 2 văn bản" in panel
    assert (
        f'href="/documents/{letters["a"]}"' in panel
        and f'href="/documents/{letters["b"]}"' in panel
    )
    missing = client.get("/", query_string={"q": "999/NQ-CP"}).text
    assert "chưa có trong kho" in missing and "Được trích dẫn bởi 0 văn bản" in missing


def test_result_cards_and_document_page_mark_the_query(
    client: FlaskClient, letters: dict[str, int]
) -> None:
    html = client.get("/", query_string={"q": "dinh lap"}).text
    assert f'href="/documents/{letters["b"]}?q=dinh%20lap"' in html
    undated = client.get("/", query_string={"q": "khong ghi ngay"}).text
    assert "không rõ ngày" in undated
    page = client.get(f"/documents/{letters['b']}", query_string={"q": "dinh lap"}).text
    assert "<mark>Đình</mark> <mark>Lập</mark>" in page
    assert "SHA-256" in page and "?download=1" in page


def test_pdf_original_is_shown_inline(archive: Archive, client: FlaskClient) -> None:
    outcome = archive.add("cv.pdf", text_pdf(letter("Công văn về phòng chống dịch.")))
    archive.index()
    page = client.get(f"/documents/{outcome.document_id}").text
    assert f'<iframe src="/api/documents/{outcome.document_id}/original"' in page
    original = f"/api/documents/{outcome.document_id}/original"
    with client.get(original) as inline:
        assert inline.headers["Content-Disposition"].startswith("inline")
    with client.get(original + "?download=1") as download:
        assert download.headers["Content-Disposition"].startswith("attachment")


# --- auditors ---------------------------------------------------------------------------------


def test_browse_issuer_year_month(client: FlaskClient, letters: dict[str, int]) -> None:
    top = client.get("/api/browse").get_json()
    issuers = {item["label"]: item for item in top["items"]}
    assert issuers["Tỉnh ủy Bắc Kạn"]["count"] == 4 and top["total"] == 5
    years = client.get("/api/browse", query_string={"issuer": "Tỉnh ủy Bắc Kạn"}).get_json()
    assert [(i["label"], i["count"]) for i in years["items"]] == [("2021", 3)]
    assert years["undated"] == 1
    months = client.get(
        "/api/browse", query_string={"issuer": "Tỉnh ủy Bắc Kạn", "year": "2021"}
    ).get_json()
    counts = {item["month"]: item["count"] for item in months["items"]}
    assert counts[7] == 2 and counts[9] == 1 and counts[1] == 0
    july = next(item for item in months["items"] if item["month"] == 7)
    listed = client.get("/api/search?" + july["search"].split("?", 1)[1]).get_json()
    assert {hit["id"] for hit in listed["hits"]} == {letters["a"], letters["b"]}
    html = client.get("/duyet", query_string={"issuer": "Tỉnh ủy Bắc Kạn"}).text
    assert 'rel="alternate" type="application/json"' in html and "2021" in html


def test_month_table(client: FlaskClient, letters: dict[str, int]) -> None:
    table = client.get("/api/table?year=2021").get_json()
    rows = {row["issuer"]: row for row in table["rows"]}
    assert rows["Tỉnh ủy Bắc Kạn"]["counts"][6] == 2  # July
    assert rows["Tỉnh ủy Bắc Kạn"]["counts"][8] == 1  # September
    assert rows["Chính phủ"]["counts"][6] == 1  # the Government's resolution
    assert table["month_totals"][6] == 3
    html = client.get("/bang?year=2021").text
    assert "Tỉnh ủy Bắc Kạn" in html and 'aria-label="Tỉnh ủy Bắc Kạn, tháng 7: 2 văn bản"' in html


def test_csv_export_has_every_row(archive: Archive, client: FlaskClient) -> None:
    for serial in range(1, 131):  # more than one engine page (100)
        archive.add(f"{serial}.txt", letter(f"Báo cáo số liệu tuần {serial}.", f"{serial}-BC/TU"))
    archive.index()
    response = client.get("/api/search.csv", query_string={"q": "bao cao so lieu"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    raw = response.data
    assert raw.startswith("\ufeff".encode())  # BOM: Excel reads the Vietnamese right
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["ID", "Số, ký hiệu", "Loại văn bản"] and rows[0][-1] == "Đường dẫn"
    assert len(rows) == 131
    assert {row[1] for row in rows[1:]} == {f"{n}-BC/TU" for n in range(1, 131)}
    assert all(re.fullmatch(r"http://localhost/documents/\d+", row[-1]) for row in rows[1:])


def test_engine_failure_on_auditor_pages_is_a_clear_503(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEILI_URL", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setenv("MEILI_API_KEY", "k")
    monkeypatch.setenv("MEILI_ADMIN_KEY", "k")
    app: Flask = create_app(Settings.from_env(tmp_path), {"TESTING": True})
    client = app.test_client()
    for url in ("/duyet", "/bang", "/api/browse", "/api/search.csv", "/api/suggest?q=abc"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "Máy tìm kiếm tạm thời không trả lời" in response.text


def test_uploaded_scan_is_recognised_in_the_background(
    archive: Archive, app: Flask, client: FlaskClient, staff: str, tmp_path: Path
) -> None:
    """The server's OCR worker picks up a scan as soon as the upload says one arrived."""
    import time

    from indexer.pages.ocr import tesseract_ready
    from synthetic.scans import write_scan
    from web.workers import IndexWorker, OcrWorker

    if not tesseract_ready():
        pytest.skip("tesseract with the Vietnamese model is not installed")
    scan = write_scan((LETTERS / "09_ban_scan.txt").read_text("utf-8"), tmp_path / "quet", False)
    due = app.extensions["congvan_due"]
    workers = [
        OcrWorker(archive.settings, due, interval=60),
        IndexWorker(archive.settings, app.extensions["congvan_engine"], 0.2, due),
    ]
    for worker in workers:
        worker.start()
    try:
        response = _upload(client, staff, (scan.name, scan.read_bytes()))
        (uploaded,) = response.get_json()["files"]
        assert uploaded["outcome"] == "needs_ocr"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            record = archive.catalog.get_document(uploaded["document_id"])
            if record and record.status == "ready" and not archive.catalog.pending_count():
                break
            time.sleep(0.2)
        hits = client.get("/api/search?q=702-CV/TU").get_json()["hits"]
        assert [hit["id"] for hit in hits] == [uploaded["document_id"]]
    finally:
        for worker in workers:
            worker.stopped.set()
        due["ocr"].set()  # wake the OCR worker so it sees it should stop
        for worker in workers:
            worker.join(10)


def test_only_new_letters_ask_for_archive_wide_inference(
    app: Flask, archive: Archive, client: FlaskClient, staff: str
) -> None:
    from indexer.followup.steps import relate_changed

    due = app.extensions["congvan_due"]
    relate_changed(archive.catalog)
    _upload(client, staff, ("virus.exe", b"MZ..."))
    assert archive.catalog.inference_pending() == 0  # nothing changed, nothing to infer
    _upload(client, staff, ("a.txt", letter("Nội dung mới.", "9-CV/TU").encode()))
    assert archive.catalog.inference_pending() == 1 and not due["ocr"].is_set()
    relate_changed(archive.catalog)  # as the index worker does; done, it is not due again
    assert archive.catalog.inference_pending() == 0
