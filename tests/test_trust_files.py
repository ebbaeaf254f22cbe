"""Ingestion reads letters only (issue 20, points 1, 3 and 6): a folder swapped for a link
while the batch runs, a hard link to the session key, the data folder inside the ingested
folder, a link loop. Real files, real links, real threads; the swapping is bounded."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from archive.catalog import Catalog
from archive.settings import Settings
from archive.store import OriginalStore
from indexer.intake.disk import OUTSIDE, PRIVATE, _walk_without_links, read_file
from indexer.intake.pipeline import ARCHIVED, DUPLICATE, ingest_bytes
from indexer.pages.errors import ExtractionError
from tests.conftest import Archive, letter
from web.cli import main

KEY = b"the-session-key-0123456789"


def _data_folder(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data")
    settings.data_dir.mkdir()
    settings.secret_key_path.write_bytes(KEY)
    return settings


def _swap_until(stop: threading.Event, drop: Path, data: Path) -> int:
    """Swap `drop/sub` for a link to the data folder and back, as fast as it goes."""
    swaps = 0
    while not stop.is_set():
        os.rename(drop / "sub", drop / "real")
        os.symlink(data, drop / "sub")
        os.unlink(drop / "sub")
        os.rename(drop / "real", drop / "sub")
        swaps += 1
    return swaps


def test_a_folder_swapped_for_a_link_while_reading_never_gives_the_key(tmp_path: Path) -> None:
    settings = _data_folder(tmp_path)
    drop = tmp_path / "drop"
    (drop / "sub").mkdir(parents=True)
    (drop / "sub" / "secret_key").write_bytes(b"a letter named like the key")
    stop = threading.Event()
    swapper = threading.Thread(target=_swap_until, args=(stop, drop, settings.data_dir))
    swapper.start()
    read, refused, deadline = 0, 0, time.monotonic() + 3
    try:
        while time.monotonic() < deadline:
            try:
                data = read_file(drop / "sub" / "secret_key", drop, settings.private_files())
            except ExtractionError:
                refused += 1
                continue
            assert data != KEY
            read += 1
    finally:
        stop.set()
        swapper.join(10)
    assert read and refused  # both states of the folder were met


def test_whole_ingest_runs_while_a_folder_is_swapped_never_archive_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`congvan ingest` of the drop folder, run again and again for 4 s while `drop/sub`
    is swapped for a link to the data folder: its letters are archived, the key never."""
    settings = _data_folder(tmp_path)
    drop = tmp_path / "drop"
    (drop / "sub").mkdir(parents=True)
    (drop / "sub" / "secret_key").write_text(letter("Thư mang tên tệp khóa.", "9-CV/TU"), "utf-8")
    (drop / "sub" / "b.txt").write_text(letter("Thư thứ hai.", "10-CV/TU"), "utf-8")
    stop = threading.Event()
    swapper = threading.Thread(target=_swap_until, args=(stop, drop, settings.data_dir))
    swapper.start()
    runs, deadline = 0, time.monotonic() + 4
    try:
        while time.monotonic() < deadline:
            main(["--data", str(settings.data_dir), "ingest", str(drop)])
            runs += 1
    finally:
        stop.set()
        swapper.join(10)
    said = capsys.readouterr().out
    assert runs > 3 and "Traceback" not in said
    store = OriginalStore(settings.originals_dir)
    with Catalog(settings.catalog_path) as catalog:
        kept = [store.read(record.sha256) for record in catalog.iter_documents()]
    assert kept and KEY not in kept  # the letters were read, the key never
    assert all(KEY not in original for original in kept)


def test_a_link_is_followed_inside_the_folder_only(tmp_path: Path) -> None:
    settings = _data_folder(tmp_path)
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "thu.txt").write_text("Nội dung.", "utf-8")
    (drop / "inside.txt").symlink_to(drop / "thu.txt")
    (drop / "out.txt").symlink_to(settings.secret_key_path)
    (drop / "up.txt").symlink_to("../data/secret_key")
    assert read_file(drop / "inside.txt", drop) == "Nội dung.".encode()
    for name in ("out.txt", "up.txt"):
        with pytest.raises(ExtractionError, match=OUTSIDE):
            read_file(drop / name, drop)


def test_without_openat2_no_link_is_followed(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "a.txt").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    folder = os.open(tmp_path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.close(_walk_without_links(folder, "real/a.txt"))
        with pytest.raises(OSError):
            _walk_without_links(folder, "link/a.txt")
    finally:
        os.close(folder)


def test_the_data_folder_is_never_ingested(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hard link to the key, the data folder inside the ingested folder, and a link
    loop: each its own line; the letter beside them is archived; no traceback."""
    drop = tmp_path / "drop"
    settings = Settings(data_dir=drop / "data")
    drop.mkdir()
    assert main(["--data", str(settings.data_dir), "ingest", str(drop)]) == 0  # a new archive
    settings.secret_key_path.write_bytes(KEY)
    os.link(settings.secret_key_path, drop / "khoa.txt")
    (drop / "vong.txt").symlink_to(drop / "vong.txt")
    (drop / "thu.txt").write_text(letter("Nội dung thật.", "12-CV/TU"), "utf-8")
    inbox = settings.data_dir / "inbox"  # letters kept in the data folder (`./dev run`)
    inbox.mkdir()
    (inbox / "mau.txt").write_text(letter("Thư mẫu.", "13-CV/TU"), "utf-8")
    capsys.readouterr()
    assert main(["--data", str(settings.data_dir), "ingest", str(drop)]) == 1
    out = capsys.readouterr().out
    assert f"khoa.txt: lỗi: {PRIVATE}" in out
    assert "vong.txt: lỗi: là liên kết tượng trưng vòng lặp, không theo" in out
    assert "thu.txt: đã lưu trữ" in out and "mau.txt: đã lưu trữ" in out
    assert "catalog.sqlite3: lỗi: " + PRIVATE in out and "Traceback" not in out
    with Catalog(settings.catalog_path) as catalog:
        texts = [row[0] for row in catalog.db.execute("SELECT text FROM documents")]
    assert len(texts) == 2 and not any(KEY.decode() in text for text in texts)


def test_one_file_uploaded_eight_times_at_once_is_archived_once(tmp_path: Path) -> None:
    """Eight uploads of one file at the same moment (issue 20, point 7): one archives it,
    the seven others are told it is already kept, none fails."""
    settings = Settings(data_dir=tmp_path / "data")
    store = OriginalStore(settings.originals_dir)
    Catalog(settings.catalog_path).close()
    data = letter("Cùng một tệp.", "7-CV/TU").encode()
    start, outcomes = threading.Barrier(8), []

    def upload() -> None:
        with Catalog(settings.catalog_path) as catalog:
            start.wait()
            outcomes.append(ingest_bytes(catalog, store, data, "cung.txt"))

    threads = [threading.Thread(target=upload) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    kinds = sorted(outcome.outcome for outcome in outcomes)
    assert kinds == [ARCHIVED] + [DUPLICATE] * 7, [o.message for o in outcomes]
    (archived,) = [o.document_id for o in outcomes if o.outcome == ARCHIVED]
    for outcome in outcomes:
        if outcome.outcome == DUPLICATE:
            assert outcome.message == f"đã có trong kho (văn bản #{archived})"


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"subject": "\ud800 trích yếu"}, "Trích yếu"),
        ({"province": "Lạng\x00Sơn"}, "Tỉnh, thành"),
        ({"recipients": ["Sở Y tế", "\x07"]}, "Kính gửi"),
    ],
)
def test_a_value_no_letter_holds_is_a_400_naming_the_field(
    archive: Archive, client: FlaskClient, staff: str, fields: dict[str, Any], named: str
) -> None:
    """Issue 20, point 8: a lone surrogate or a control character is refused by name."""
    document_id = archive.add("a.txt", letter("Nội dung.", "3-CV/TU")).document_id
    response = client.patch(  # JSON as a client sends it: `\\ud800` escaped
        f"/api/documents/{document_id}",
        data=json.dumps({"fields": fields}),
        content_type="application/json",
        headers={"X-CSRFToken": staff},
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"].startswith(f"{named}: chứa ký tự không hợp lệ"), body


def test_ids_beyond_what_the_catalog_holds_are_a_400(
    archive: Archive, client: FlaskClient, staff: str
) -> None:
    response = client.post(
        "/api/corrections",
        json={"ids": [10**30], "fields": {"signer": "Lê Văn A"}},
        headers={"X-CSRFToken": staff},
    )
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("ids: số văn bản là số nguyên từ 1 đến")


def test_an_upload_named_in_another_encoding_is_told_why(
    archive: Archive, client: FlaskClient, staff: str
) -> None:
    """Issue 20, point 11: a file name that is not UTF-8 (Latin-1 here) makes the form
    unreadable; the answer says so, not "no file"."""
    body = (
        b'--XyZ\r\nContent-Disposition: form-data; name="files"; filename="c\xf4ng v\xe3n.txt"'
        b"\r\nContent-Type: text/plain\r\n\r\n"
        + letter("Nội dung.", "9-CV/TU").encode()
        + b"\r\n--XyZ--\r\n"
    )
    response = client.post(
        "/api/upload",
        data=body,
        content_type="multipart/form-data; boundary=XyZ",
        headers={"X-CSRFToken": staff},
    )
    assert response.status_code == 400
    assert "tên tệp không phải UTF-8" in response.get_json()["error"]
    empty = client.post("/api/upload", data={}, headers={"X-CSRFToken": staff})
    assert empty.status_code == 400 and "không có tệp nào" in empty.get_json()["error"]
