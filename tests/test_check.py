"""`congvan check`: a flipped byte in any original is found; catalog, store and index are
compared; `--repair` redoes what can be derived and never touches an original."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pytest

from archive.store import INCOMING
from tests.conftest import Archive, letter
from web.cli import main


def _check(archive: Archive, *flags: str) -> int:
    return main(["--data", str(archive.settings.data_dir), "check", *flags])


def test_a_sound_archive_checks_clean(archive: Archive, capsys: pytest.CaptureFixture[str]) -> None:
    archive.add("a.txt", letter("Nội dung một.", "1-CV/TU"))
    archive.add("b.txt", letter("Nội dung hai.", "2-CV/TU"))
    archive.index()
    assert _check(archive) == 0
    assert "Đã kiểm tra 2 bản gốc" in capsys.readouterr().out
    assert _check(archive, "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["clean"] and report["letters"] == report["indexed"] == 2


def test_every_disagreement_is_found_and_only_derived_things_repaired(
    archive: Archive, capsys: pytest.CaptureFixture[str]
) -> None:
    first = archive.add("a.txt", letter("Nội dung một.", "1-CV/TU"))
    second = archive.add("b.txt", letter("Nội dung hai.", "2-CV/TU"))
    archive.index()
    record = archive.catalog.document(first.document_id or 0)
    assert record is not None
    path = archive.store.path(record.sha256)
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit of one byte
    path.write_bytes(bytes(data))
    leftover = path.parent / ".incoming-abc123"  # where older versions wrote
    leftover.write_bytes(b"half a letter")
    os.utime(leftover, (0, 0))  # long ago: its writer is gone
    (archive.store.root / "ff" / "ff").mkdir(parents=True)
    (archive.store.root / "ff" / "ff" / ("f" * 64)).write_bytes(b"nobody's")
    archive.engine.write([], [second.document_id or 0])  # an index that lost a letter

    assert _check(archive, "--json") == 1
    kinds = {f["kind"]: f["item"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert kinds["original_changed"] == f"#{first.document_id}"
    assert kinds["not_indexed"] == f"#{second.document_id}"
    assert {"leftover_temp", "orphan_original"} <= set(kinds)

    assert _check(archive, "--repair") == 1  # the changed original is reported, not "fixed"
    out = capsys.readouterr().out
    assert "bản gốc bị thay đổi: #" in out and "sửa: đã dựng lại chỉ mục" in out
    assert bytes(data) == path.read_bytes()  # the original is left as found
    assert not list(Path(archive.store.root).rglob(".incoming-*"))
    assert _check(archive, "--json") == 1
    left = {f["kind"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert left == {"original_changed", "orphan_original"}


def test_a_write_killed_midway_is_cleaned_at_the_next_start_and_a_live_one_kept(
    archive: Archive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    incoming = archive.store.root / INCOMING
    incoming.mkdir(parents=True, exist_ok=True)
    killed = incoming / ".incoming-killed"
    killed.write_bytes(b"half a letter")
    os.utime(killed, (0, 0))
    live = incoming / ".incoming-live"  # another process writing now holds its lock
    with live.open("wb") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        os.utime(live, (0, 0))  # even a slow write is not taken for a leftover
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        (inbox / "a.txt").write_text(letter("Nội dung.", "3-CV/TU"), "utf-8")
        assert main(["--data", str(archive.settings.data_dir), "ingest", str(inbox)]) == 0
        assert not killed.exists() and live.exists()
    capsys.readouterr()
    assert _check(archive, "--json") == 1  # the lock is released: now a leftover
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["kind"], f["item"]) for f in findings] == [("leftover_temp", str(live))]
