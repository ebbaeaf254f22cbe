"""Who opened which original, and when: every view and download is logged, the log is
append-only, and only administrators see it (HTML and JSON)."""

from __future__ import annotations

import sqlite3

import pytest
from flask.testing import FlaskClient

from tests.conftest import STAFF_NAME, Archive, letter


def test_every_look_at_an_original_is_logged(
    archive: Archive, client: FlaskClient, staff: str
) -> None:
    document_id = archive.add("a.txt", letter("Nội dung.", "1-CV/TU")).document_id
    client.get(f"/api/documents/{document_id}/original").close()
    client.post("/dang-xuat", data={"csrf_token": staff})
    client.get(f"/api/documents/{document_id}/original?download=1").close()
    entries = archive.catalog.access_log(10)
    assert [(e["action"], e["who"]) for e in entries] == [
        ("tải bản gốc", None),  # anonymous: only the address
        ("xem bản gốc", STAFF_NAME),
    ]
    assert all(e["address"] == "127.0.0.1" and e["document_id"] == document_id for e in entries)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        archive.catalog.db.execute("DELETE FROM access_log")


def test_only_administrators_see_the_log(archive: Archive, client: FlaskClient, staff: str) -> None:
    document_id = archive.add("a.txt", letter("Nội dung.", "1-CV/TU")).document_id
    client.get(f"/api/documents/{document_id}/original").close()
    assert client.get("/nhat-ky-truy-cap").status_code == 403  # staff, not an administrator
    assert client.get("/api/access-log").status_code == 403
    archive.catalog.db.execute("UPDATE users SET is_admin = 1 WHERE username = ?", (STAFF_NAME,))
    page = client.get("/nhat-ky-truy-cap").get_data(as_text=True)
    assert "Nhật ký truy cập bản gốc" in page and "xem bản gốc" in page and STAFF_NAME in page
    entries = client.get("/api/access-log").get_json()["entries"]
    assert entries[0]["document_id"] == document_id and entries[0]["filename"] == "a.txt"
