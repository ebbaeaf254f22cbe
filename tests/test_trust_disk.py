"""A full disk (issue 20, point 5): `ingest` stops its batch with a summary and says why,
`check` reports it and a repair that cannot be written is a finding, never a traceback;
once room is made, the same command archives the rest. The archive lives on a real 12 MB
tmpfs, mounted by the test (skipped where it may not mount one)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.catalog import Catalog
from archive.settings import Settings
from indexer.intake.scans import tesseract_ready
from tests.conftest import ROOT, STAFF_NAME, STAFF_PASSWORD, csrf_token, letter
from tests.samples.scans import write_scan
from web.app import create_app
from web.auth import add_user

LETTERS = ROOT / "tests" / "samples" / "letters"

SIZE = "12m"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 12 MB tmpfs at `tmp_path/disk`, unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI and these machines run as root)")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"no tmpfs could be mounted here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _congvan(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "web.cli", "--data", str(data), *args],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip


def test_a_full_disk_stops_the_batch_and_is_reported(small_disk: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for serial in range(80):
        body = f"Nội dung số {serial}: kế hoạch phòng, chống dịch.\n" * 600
        (inbox / f"cv{serial:03}.txt").write_text(letter(body, f"{serial + 1}-CV/TU"), "utf-8")
    data = small_disk / "data"
    first = _congvan(data, "ingest", str(inbox / "cv000.txt"))
    assert first.returncode == 0, first.stderr
    (small_disk / "filler").write_bytes(b"\0" * 9 * 1024 * 1024)  # 12 MB, nearly all taken

    full = _congvan(data, "ingest", str(inbox))
    assert full.returncode == 1
    assert "Traceback" not in full.stderr + full.stdout, full.stderr
    assert ": lỗi: đĩa chứa kho đã đầy, không ghi được gì nữa" in full.stdout
    assert "Dừng lại: đĩa chứa kho đã đầy" in full.stdout and "tệp chưa đọc" in full.stdout

    for args in (("check",), ("check", "--repair")):
        checked = _congvan(data, *args)
        assert checked.returncode == 1 and "Traceback" not in checked.stderr, checked.stderr
        assert "đĩa đầy: " in checked.stdout

    (small_disk / "filler").unlink()
    again = _congvan(data, "ingest", str(inbox))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "80 tệp" in again.stdout and "0 lỗi" in again.stdout
    healed = _congvan(data, "check")
    assert "bản gốc thừa" not in healed.stdout and "chưa có trong chỉ mục" not in healed.stdout


def test_a_disk_full_to_the_last_byte_is_said_by_every_command(small_disk: Path) -> None:
    """With no byte left, not even the catalog opens: `correct`, `reindex` and `check` say
    so in one line each (a traceback before), and the web answers 507 in Vietnamese."""
    data = small_disk / "data"
    body = letter("Nội dung.", "4-CV/TU")
    (small_disk / "thu.txt").write_text(body, "utf-8")
    assert _congvan(data, "ingest", str(small_disk / "thu.txt")).returncode == 0
    app = create_app(Settings(data_dir=data), {"TESTING": True})  # a server already running
    with contextlib.suppress(OSError), (small_disk / "filler").open("wb") as filler:
        while True:  # every byte the disk has left
            filler.write(b"\0" * 65536)
    for args in (("correct", "1", "--set", "signer=Lê Văn A", "--author", "cán bộ"),
                 ("reindex",), ("check",)):  # fmt: skip
        done = _congvan(data, *args)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert "lỗi: không ghi được vào thư mục dữ liệu" in done.stderr
    answer = app.test_client().get("/api/documents/1")
    assert answer.status_code == 507, answer.get_data(as_text=True)
    assert "đĩa chứa dữ liệu đã đầy" in answer.get_json()["error"]


def _fill(disk: Path, leave: int = 0) -> None:
    """Take every byte the disk has left but `leave`."""
    with contextlib.suppress(OSError), (disk / "filler").open("ab") as filler:
        while os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize > leave + 65536:
            filler.write(b"\0" * 65536)
            filler.flush()
        filler.write(b"\0" * max(0, os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize - leave))


def test_an_upload_on_a_full_disk_is_a_507_that_names_each_file(small_disk: Path) -> None:
    """Uploads stop at the file the disk cannot take: that file and the ones after it are
    named in the answer (507), the files before it are archived, the originals already kept
    are untouched; once room is made the same upload archives the rest."""
    data = small_disk / "data"
    app = create_app(Settings(data_dir=data), {"TESTING": True})
    client = app.test_client()
    with Catalog(data / "catalog.sqlite3") as catalog:
        add_user(catalog, STAFF_NAME, STAFF_PASSWORD)
    token = csrf_token(client)
    signed = client.post("/dang-nhap", data={
        "username": STAFF_NAME, "password": STAFF_PASSWORD, "csrf_token": token})  # fmt: skip
    assert signed.status_code == 303
    headers = {"X-CSRFToken": csrf_token(client)}
    bodies = [letter("Kế hoạch phòng, chống dịch.\n" * 200 + f"Số thứ tự {n}.", f"{n}-CV/TU")
              for n in range(1, 9)]  # fmt: skip
    first = client.post("/api/upload", headers=headers, data={
        "files": [(io.BytesIO(bodies[0].encode()), "cv1.txt")]})  # fmt: skip
    assert first.status_code == 200, first.get_data(as_text=True)
    _fill(small_disk, leave=40 * 1024)  # room for a letter or two, not for eight

    def upload_all() -> Any:
        files = [(io.BytesIO(b.encode()), f"cv{n}.txt") for n, b in enumerate(bodies, 1)]
        return client.post("/api/upload", headers=headers, data={"files": files})

    full = upload_all()
    assert full.status_code == 507, full.get_data(as_text=True)
    answers = full.get_json()["files"]
    assert [a["filename"] for a in answers] == [f"cv{n}.txt" for n in range(1, 9)]
    stopped = [a for a in answers if "đĩa chứa kho đã đầy" in a["message"]]
    assert stopped and stopped[-1]["filename"] == "cv8.txt", answers
    assert "chưa đọc" in stopped[-1]["message"] or len(stopped) == 1
    page = client.post("/tai-len", data={"csrf_token": headers["X-CSRFToken"], "files": [
        (io.BytesIO(bodies[7].encode()), "cv8.txt")]})  # fmt: skip
    assert page.status_code == 507 and "đĩa chứa kho đã đầy" in page.get_data(as_text=True)

    (small_disk / "filler").unlink()
    again = upload_all()
    assert again.status_code == 200, again.get_data(as_text=True)
    outcomes = {a["filename"]: a["outcome"] for a in again.get_json()["files"]}
    assert set(outcomes.values()) <= {"archived", "duplicate"}
    assert outcomes["cv1.txt"] == "duplicate"
    with Catalog(data / "catalog.sqlite3") as catalog:
        assert len(catalog.document_ids()) == 8
    _only_the_small_disk_is_reported(data)


def _only_the_small_disk_is_reported(data: Path) -> None:
    """`check` finds nothing wrong but the disk itself (a 12 MB disk is always "nearly
    full" by its 50 MB rule): every original intact, every letter indexed."""
    checked = _congvan(data, "check", "--json")
    report = json.loads(checked.stdout)
    assert {finding["kind"] for finding in report["findings"]} == {"disk_full"}, report
    assert report["letters"] == report["indexed"] == report["originals_checked"] > 0


@pytest.mark.skipif(not tesseract_ready(), reason="tesseract with Vietnamese is not installed")
def test_ocr_on_a_full_disk_stops_says_so_and_resumes(small_disk: Path, tmp_path: Path) -> None:
    """`congvan ocr` on a full disk: one line saying so, no traceback, the scan still waiting
    and its original intact; once room is made the same command reads it."""
    text = (LETTERS / "01_tinh_uy_nghe_an_cv.txt").read_text("utf-8")
    scan = write_scan(text + "\n" * 40 + text, tmp_path / "hai_trang", as_pdf=True)
    data = small_disk / "data"
    hidden = {**os.environ, "PATH": str(tmp_path / "no-tools")}  # archived, OCR later
    archived = subprocess.run(
        [sys.executable, "-m", "web.cli", "--data", str(data), "ingest", str(scan)],
        capture_output=True, text=True, cwd=ROOT, timeout=600, env=hidden,
    )  # fmt: skip
    assert archived.returncode == 0, archived.stdout + archived.stderr
    _fill(small_disk)
    full = _congvan(data, "ocr", "--pending")
    assert full.returncode == 1, full.stdout + full.stderr
    assert "Traceback" not in full.stderr + full.stdout, full.stderr
    said = full.stdout + full.stderr
    assert "lỗi: không ghi được vào thư mục dữ liệu" in said and "đĩa đầy" in said, said

    (small_disk / "filler").unlink()
    _only_the_small_disk_is_reported(data)  # nothing lost, nothing half-written
    read = _congvan(data, "ocr", "--pending")
    assert read.returncode == 0, read.stdout + read.stderr
    with Catalog(data / "catalog.sqlite3") as catalog:
        record = catalog.document(1)
        assert record is not None and record.status == "ready"
        pages = catalog.pages_of(1)
        assert len(pages) >= 2 and all(page["text"] for page in pages)
        assert "1245-CV/TU" in pages[0]["text"]
    _only_the_small_disk_is_reported(data)
