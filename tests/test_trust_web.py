"""What a probe of the web interface found, each reproduced and held fixed: an open
redirect, sessions outliving sign-out and a new password, unthrottled password guessing,
no Secure cookie option, 500s for huge ids and odd names, and CSV formula injection."""

from __future__ import annotations

import csv
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient

from archive.settings import Settings
from tests.conftest import STAFF_NAME, STAFF_PASSWORD, Archive, csrf_token, letter
from web.app import create_app
from web.auth import (
    ACCOUNT_FAILURES,
    ADDRESS_FAILURES,
    MAX_FAILURES,
    add_user,
    hash_password,
)
from web.data import TEXT_PAGE_CHARS


def _sign_in(client: FlaskClient, password: str = STAFF_PASSWORD, next_: str = "") -> int:
    token = csrf_token(client)
    form = {"username": STAFF_NAME, "password": password, "csrf_token": token, "next": next_}
    return client.post("/dang-nhap", data=form).status_code


@pytest.mark.parametrize(
    ("target", "lands"),
    [
        ("/%09/evil.example", "/"),  # a browser drops the tab: //evil.example
        ("/\t/evil.example", "/"),
        ("/\n/evil.example", "/"),  # a newline once made a 500
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/documents/3?q=phong+chong", "/documents/3?q=phong+chong"),
    ],
)
def test_sign_in_goes_back_only_within_the_site(
    archive: Archive, client: FlaskClient, target: str, lands: str
) -> None:
    add_user(archive.catalog, STAFF_NAME, STAFF_PASSWORD)
    token = csrf_token(client)
    form = {"username": STAFF_NAME, "password": STAFF_PASSWORD, "csrf_token": token,
            "next": target}  # fmt: skip
    response = client.post("/dang-nhap", data=form)
    assert response.status_code == 303 and response.headers["Location"] == lands
    assert client.get("/dang-nhap", query_string={"next": target}).status_code == 200


def _saved_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session")
    assert cookie is not None
    return cookie.value


def test_signing_out_ends_the_session_even_for_a_saved_cookie(
    archive: Archive, client: FlaskClient, staff: str
) -> None:
    saved = _saved_cookie(client)
    assert client.get("/api/session").get_json()["user"] == STAFF_NAME
    client.post("/dang-xuat", data={"csrf_token": staff})
    client.set_cookie("session", saved)  # replayed after signing out
    assert client.get("/api/session").get_json()["user"] is None


def test_a_new_password_ends_every_session(
    archive: Archive, client: FlaskClient, staff: str
) -> None:
    assert client.get("/api/session").get_json()["user"] == STAFF_NAME
    archive.catalog.set_password(STAFF_NAME, hash_password("mot-mat-khau-moi"))
    assert client.get("/api/session").get_json()["user"] is None


def test_password_guessing_is_throttled(archive: Archive, client: FlaskClient) -> None:
    add_user(archive.catalog, STAFF_NAME, STAFF_PASSWORD)
    for _ in range(MAX_FAILURES):
        assert _sign_in(client, "sai-mat-khau-roi") == 401
    assert _sign_in(client) == 429  # even the right password, for a while
    page = client.post("/dang-nhap", data={"username": STAFF_NAME, "password": "x",
                                            "csrf_token": csrf_token(client)})  # fmt: skip
    assert "thử lại sau 15 phút" in page.get_data(as_text=True)


def test_cookies_can_be_sent_over_https_only(archive: Archive) -> None:
    settings = Settings(data_dir=archive.settings.data_dir, secure_cookies=True)
    client = create_app(settings, {"TESTING": True}).test_client()
    add_user(archive.catalog, STAFF_NAME, STAFF_PASSWORD)
    token = csrf_token(client)
    form = {"username": STAFF_NAME, "password": STAFF_PASSWORD, "csrf_token": token}
    response = client.post("/dang-nhap", data=form)
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "path",
    [
        "/documents/99999999999999999999999",
        "/api/documents/99999999999999999999999",
        "/api/documents/99999999999999999999999/original",
    ],
)
def test_huge_ids_are_not_found(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_an_odd_file_name_still_downloads(archive: Archive, client: FlaskClient) -> None:
    outcome = archive.add("thu\nmoi.txt", letter("Nội dung.", "5-CV/TU"))
    response = client.get(f"/api/documents/{outcome.document_id}/original?download=1")
    assert response.status_code == 200 and "\n" not in response.headers["Content-Disposition"]
    response.close()


def test_csv_cells_are_never_formulas(archive: Archive, client: FlaskClient) -> None:
    text = letter("Nội dung.", "9-CV/TU").replace("Kính gửi", 'V/v =HYPERLINK("x")\n\nKính gửi')
    archive.add("=cmd.txt", text)
    archive.index()
    body = client.get("/api/search.csv").get_data(as_text=True).lstrip("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(body)) for cell in row]
    assert "'=cmd.txt" in cells
    assert not any(cell[:1] in "=+-@" for cell in cells if cell)


def _sign_in_from(client: FlaskClient, address: str, password: str) -> int:
    """A sign-in attempt as it arrives from `address` (the test's own label, no traffic)."""
    form = {"username": STAFF_NAME, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/dang-nhap", data=form, environ_base={"REMOTE_ADDR": address}).status_code


def test_a_stranger_cannot_lock_the_owner_out(archive: Archive, app: Flask) -> None:
    """Issue 20, point 10: wrong passwords slow down where they come from; the owner, at
    another address, signs in; the stranger's wait doubles with each further guess."""
    add_user(archive.catalog, STAFF_NAME, STAFF_PASSWORD)
    stranger, owner = app.test_client(), app.test_client()
    for _ in range(MAX_FAILURES):
        assert _sign_in_from(stranger, "198.51.100.7", "doan-bua") == 401
    assert _sign_in_from(stranger, "198.51.100.7", STAFF_PASSWORD) == 429
    assert _sign_in_from(owner, "192.0.2.10", STAFF_PASSWORD) == 303  # the owner gets in
    # One more guess recorded (as if its wait had passed): the next wait is twice as long.
    archive.catalog.record_login_failure(STAFF_NAME, "198.51.100.7")
    form = {"username": STAFF_NAME, "password": "x", "csrf_token": csrf_token(stranger)}
    page = stranger.post("/dang-nhap", data=form, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert page.status_code == 429 and "thử lại sau 30 phút" in page.get_data(as_text=True)


def test_many_addresses_guessing_one_account_leave_its_known_address_in(
    archive: Archive, app: Flask
) -> None:
    add_user(archive.catalog, STAFF_NAME, STAFF_PASSWORD)
    owner = app.test_client()
    assert _sign_in_from(owner, "192.0.2.10", STAFF_PASSWORD) == 303  # a known address
    for serial in range(ACCOUNT_FAILURES):  # a crowd, each address under its own limit
        archive.catalog.record_login_failure(STAFF_NAME, f"203.0.113.{serial % 200}")
    newcomer = app.test_client()
    assert _sign_in_from(newcomer, "192.0.2.99", STAFF_PASSWORD) == 429
    assert _sign_in_from(app.test_client(), "192.0.2.10", STAFF_PASSWORD) == 303


def test_one_address_guessing_many_accounts_waits(archive: Archive, app: Flask) -> None:
    add_user(archive.catalog, STAFF_NAME, STAFF_PASSWORD)
    for serial in range(ADDRESS_FAILURES):
        archive.catalog.record_login_failure(f"tai-khoan-{serial}", "198.51.100.8")
    assert _sign_in_from(app.test_client(), "198.51.100.8", STAFF_PASSWORD) == 429
    assert _sign_in_from(app.test_client(), "192.0.2.10", STAFF_PASSWORD) == 303


def test_a_very_long_letter_is_shown_a_part_at_a_time(
    archive: Archive, client: FlaskClient
) -> None:
    """Issue 20, point 9: a letter of millions of characters is not one page of HTML."""
    line = "Nội dung rất dài của văn bản, dòng thứ {}.\n"
    body = "".join(line.format(i) for i in range(60_000))  # about 2.6 million characters
    document_id = archive.add("dai.txt", letter(body, "8-CV/TU")).document_id
    page = client.get(f"/documents/{document_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and len(html) < 3 * TEXT_PAGE_CHARS
    assert "phần 1/" in html and "?text_page=2" in html and "Tải bản gốc đầy đủ" in html
    first = client.get(f"/api/documents/{document_id}").get_json()
    second = client.get(f"/api/documents/{document_id}?text_page=2").get_json()
    assert first["text_pages"]["page"] == 1 and second["text_pages"]["page"] == 2
    assert first["text_pages"]["pages"] > 10 and len(first["text"]) <= TEXT_PAGE_CHARS + 10_000
    assert first["text"].endswith("\n") and second["text"].startswith("Nội dung rất dài")
    whole = "".join(
        client.get(f"/api/documents/{document_id}?text_page={n}").get_json()["text"]
        for n in range(1, first["text_pages"]["pages"] + 1)
    )
    assert len(whole) == first["text_pages"]["chars"]  # the parts add up to the text
    bad = client.get(f"/api/documents/{document_id}?text_page=abc")
    assert bad.status_code == 400 and "text_page" in bad.get_json()["error"]


def test_every_write_route_refuses_a_request_without_its_csrf_token(
    archive: Archive, app: Flask, client: FlaskClient, staff: str
) -> None:
    """Every route that takes POST, PATCH, PUT or DELETE, found from the app's own map (a
    new one is held to it too), refuses a signed-in request that lacks the token."""
    writes = [
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        for method in sorted((rule.methods or set()) & {"POST", "PATCH", "PUT", "DELETE"})
    ]
    assert len(writes) >= 5, writes
    for path, method in writes:
        url = path.replace("<int:document_id>", "1")
        response = client.open(url, method=method, data={"x": "1"})
        assert response.status_code == 400, (method, url, response.status_code)
        assert "CSRF" in response.get_data(as_text=True), (method, url)
