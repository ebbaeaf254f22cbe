"""A full disk (issue 20, point 5): `ingest` stops its batch with a summary and says why,
`check` reports it and a repair that cannot be written is a finding, never a traceback;
once room is made, the same command archives the rest. The archive lives on a real 12 MB
tmpfs, mounted by the test (skipped where it may not mount one)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.settings import Settings
from tests.conftest import ROOT, letter
from web.app import create_app

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
