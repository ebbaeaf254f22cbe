"""The interface for staff and auditors (issue 14), through the Flask app on a real catalog
and index: every error in Vietnamese (a page, or the API's JSON shape), a refused
correction that stays readable and reloadable, the upload page's limit and outcomes,
scans' status, and counts of letters of no known issuer that lead to those letters."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from archive.settings import MAX_FILE_BYTES
from tests.conftest import STAFF_NAME, Archive, csrf_token, letter
from web.app import create_app
from web.auth import add_user

# Werkzeug's and Flask-WTF's English defaults, none of which may reach a reader.
ENGLISH = re.compile(
    r"Not Found|Method Not Allowed|Bad Request|Forbidden|Unauthorized|Internal Server Error|"
    r"Request Entity Too Large|Content Too Large|CSRF token|The method is not allowed|"
    r"requested URL|<html lang=en>",
    re.IGNORECASE,
)


def _is_vietnamese_page(response: TestResponse, status: int) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == status, html[:300]
    assert response.mimetype == "text/html", response.mimetype
    assert '<html lang="vi">' in html and 'class="error" role="alert"' in html
    assert not ENGLISH.search(html), ENGLISH.search(html)
    return html


def _is_api_error(response: TestResponse, status: int) -> str:
    assert response.status_code == status
    body = response.get_json()
    assert set(body) == {"error"} and body["error"], body
    assert not ENGLISH.search(body["error"]), body
    message: str = body["error"]
    return message


@pytest.fixture
def document_id(archive: Archive) -> int:
    outcome = archive.add("cv.txt", letter("Kiểm tra phòng dịch.", "12-CV/TU", "2021-07-01"))
    archive.index()
    assert outcome.document_id is not None
    return outcome.document_id


# --- every error in Vietnamese --------------------------------------------------------------


def test_not_found_and_method_not_allowed(client: FlaskClient) -> None:
    assert "Không tìm thấy" in _is_vietnamese_page(client.get("/khong-co-trang-nay"), 404)
    assert "Không tìm thấy" in _is_api_error(client.get("/api/khong-co"), 404)
    assert "không nhận kiểu yêu cầu" in _is_vietnamese_page(client.get("/dang-xuat"), 405)
    assert "không nhận kiểu yêu cầu" in _is_api_error(client.delete("/api/search"), 405)


def test_csrf_failures(archive: Archive, client: FlaskClient, staff: str, document_id: int) -> None:
    form = client.post(f"/documents/{document_id}/corrections", data={"province": "Cao Bằng"})
    assert "mã bảo vệ (CSRF)" in _is_vietnamese_page(form, 400)
    patch = client.patch(f"/api/documents/{document_id}", json={"fields": {"province": "X"}})
    assert "X-CSRFToken" in _is_api_error(patch, 400)
    assert archive.catalog.corrections_of(document_id) == []


def test_forbidden_to_staff_who_are_not_administrators(client: FlaskClient, staff: str) -> None:
    assert "quản trị viên" in _is_vietnamese_page(client.get("/nhat-ky-truy-cap"), 403)
    assert "quản trị viên" in _is_api_error(client.get("/api/access-log"), 403)


def test_too_large_names_the_limit(archive: Archive) -> None:
    app = create_app(archive.settings, {"TESTING": True, "MAX_CONTENT_LENGTH": 3 * 1024 * 1024})
    client = app.test_client()
    add_user(archive.catalog, STAFF_NAME, "mat-khau-thu-nghiem")
    client.post("/dang-nhap", data={"username": STAFF_NAME, "password": "mat-khau-thu-nghiem",
                                    "csrf_token": csrf_token(client)})  # fmt: skip
    token = csrf_token(client)
    assert "Mỗi tệp tối đa <strong>3 MB</strong>" in client.get("/tai-len").get_data(as_text=True)
    values = MultiDict[str, Any]([("csrf_token", token)])
    values.add("files", FileStorage(io.BytesIO(b"x" * (4 * 1024 * 1024)), filename="lon.txt"))
    boundary, body = encode_multipart(values)
    kind = f"multipart/form-data; boundary={boundary}"
    page = client.post("/tai-len", data=body, content_type=kind)
    assert "tối đa 3 MB" in _is_vietnamese_page(page, 413)
    api = client.post("/api/upload", data=body, content_type=kind, headers={"X-CSRFToken": token})
    assert "tối đa 3 MB" in _is_api_error(api, 413)
    assert archive.catalog.count_documents() == 0


def test_an_unexpected_failure_is_a_vietnamese_500(archive: Archive) -> None:
    app: Flask = create_app(archive.settings, {"PROPAGATE_EXCEPTIONS": False})

    def broken() -> str:
        raise RuntimeError("a bug, with /internal/paths in its message")

    app.add_url_rule("/hong", view_func=broken)
    app.add_url_rule("/api/hong", view_func=broken, endpoint="api_broken")
    client = app.test_client()
    page = _is_vietnamese_page(client.get("/hong"), 500)
    assert "Máy chủ gặp lỗi ngoài dự kiến" in page and "/internal/paths" not in page
    assert "ngoài dự kiến" in _is_api_error(client.get("/api/hong"), 500)


# --- a refused correction -----------------------------------------------------------------


def test_refused_correction_names_the_field_at_the_top_and_keeps_the_form(
    client: FlaskClient, staff: str, document_id: int
) -> None:
    response = client.post(
        f"/documents/{document_id}/corrections",
        data={"csrf_token": staff, "number": "so-muoi-hai", "signer": "Lê An"},
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    alert = page.index('role="alert"')
    assert alert < page.index('<table class="metadata">')  # above the fold, under the title
    message = page[alert : page.index("</p>", alert)]
    assert "Số, ký hiệu: không phải số, ký hiệu văn bản" in message
    assert "number:" not in page  # the field's internal name
    assert 'name="number" value="so-muoi-hai" aria-invalid="true"' in page  # as typed
    assert 'name="signer" value="Lê An"' in page


def test_the_correction_address_opened_again_shows_the_letter(
    client: FlaskClient, staff: str, document_id: int
) -> None:
    reloaded = client.get(f"/documents/{document_id}/corrections")
    assert reloaded.status_code == 303
    assert reloaded.headers["Location"] == f"/documents/{document_id}#sua"
    assert client.get(reloaded.headers["Location"]).status_code == 200


def test_an_unusual_type_code_does_not_block_other_corrections(
    archive: Archive, client: FlaskClient, staff: str
) -> None:
    odd = archive.add("odd.txt", letter("Nội dung.", "7-XYZ/TU")).document_id
    assert "<option selected>XYZ</option>" in client.get(f"/documents/{odd}").text  # as read
    sent = {"csrf_token": staff, "doc_type": "XYZ", "province": "Cao Bằng"}
    assert client.post(f"/documents/{odd}/corrections", data=sent).status_code == 303
    assert [c["field"] for c in archive.catalog.corrections_of(odd or 0)] == ["province"]
    refused = client.patch(
        f"/api/documents/{odd}",
        json={"fields": {"doc_type": "ABC"}},
        headers={"X-CSRFToken": staff},
    )
    assert "Loại văn bản: một trong CV, TB" in _is_api_error(refused, 400)


# --- uploading ----------------------------------------------------------------------------


def test_upload_page_states_the_limit_from_the_settings(client: FlaskClient, staff: str) -> None:
    assert MAX_FILE_BYTES == 200 * 1024 * 1024
    page = client.get("/tai-len").get_data(as_text=True)
    assert "Mỗi tệp tối đa <strong>200 MB</strong>" in page
    assert f'data-max-bytes="{MAX_FILE_BYTES}"' in page


def test_each_outcome_is_named_once(client: FlaskClient, staff: str) -> None:
    values = MultiDict[str, Any]([("csrf_token", staff)])
    for name, data in (("a.txt", letter("Nội dung.", "5-CV/TU").encode()),
                       ("a-ban-sao.txt", letter("Nội dung.", "5-CV/TU").encode()),
                       ("virus.exe", b"MZ...")):  # fmt: skip
        values.add("files", FileStorage(io.BytesIO(data), filename=name))
    boundary, body = encode_multipart(values)
    page = client.post(
        "/tai-len", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    ).get_data(as_text=True)
    rows = re.findall(r'<tr class="outcome-[a-z_]+".*?</tr>', page, re.S)
    assert len(rows) == 3
    for label in ("đã lưu trữ", "đã có trong kho", "lỗi"):
        (row,) = [row for row in rows if re.search(rf">{label}\b", row)]
        assert row.count(label) == 1, row


def test_status_of_a_letter(client: FlaskClient, document_id: int) -> None:
    status = client.get(f"/api/documents/{document_id}/status").get_json()
    assert status["status"] == "ready" and status["url"] == f"/documents/{document_id}"
    assert "không có văn bản" in _is_api_error(client.get("/api/documents/999/status"), 404)


# --- letters of no known issuer -----------------------------------------------------------


def test_unknown_issuer_counts_link_to_those_letters(
    archive: Archive, client: FlaskClient, document_id: int
) -> None:
    unknown = [
        archive.add(f"{n}.txt", f"Đề nghị các xã rà soát danh sách hộ nghèo, đợt {n}.")
        for n in (1, 2)
    ]
    archive.index()
    browse = client.get("/api/browse").get_json()
    assert browse["without_issuer"] == 2
    listed = client.get("/api/search?" + browse["without_issuer_search"].split("?")[1])
    assert {hit["id"] for hit in listed.get_json()["hits"]} == {u.document_id for u in unknown}
    page = client.get("/duyet").get_data(as_text=True)
    assert '<a href="/?missing=issuer">2 văn bản chưa rõ cơ quan ban hành</a>' in page
    search = client.get("/?missing=issuer").get_data(as_text=True)
    assert "Cơ quan ban hành: <strong>chưa rõ</strong>" in search
    assert 'name="missing" value="issuer"' in search  # kept when the form is sent again
    bad = client.get("/api/search?missing=ngay")
    assert "missing" in _is_api_error(bad, 400)
