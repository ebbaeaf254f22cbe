"""`congvan backup` and `congvan restore`: a round trip gives back every letter and every
original byte for byte; a damaged backup is refused; an archive is never overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive.catalog import Catalog
from archive.store import sha256_of
from tests.conftest import letter
from web.cli import main


def _archive(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(letter("Phòng chống dịch tại cửa khẩu.", "1-CV/TU"), "utf-8")
    (inbox / "b.txt").write_text(letter("Kiểm soát chợ đầu mối.", "2-CV/TU"), "utf-8")
    data = tmp_path / "data"
    assert main(["--data", str(data), "ingest", str(inbox)]) == 0
    return data


def test_backup_and_restore_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, saved, restored = _archive(tmp_path), tmp_path / "saved", tmp_path / "restored"
    assert main(["--data", str(data), "backup", str(saved)]) == 0
    assert main(["--data", str(data), "backup", str(saved)]) == 0  # originals copied once
    assert "(0 mới chép)" in capsys.readouterr().out
    assert main(["--data", str(restored), "restore", str(saved)]) == 0
    assert "Đã khôi phục 2 văn bản, 2 bản gốc" in capsys.readouterr().out
    with (
        Catalog(data / "catalog.sqlite3") as before,
        Catalog(restored / "catalog.sqlite3") as after,
    ):
        old = [(r.id, r.sha256, r.text) for r in before.iter_documents()]
        assert [(r.id, r.sha256, r.text) for r in after.iter_documents()] == old
    for _, sha256, _ in old:
        copy = restored / "originals" / sha256[:2] / sha256[2:4] / sha256
        assert sha256_of(copy.read_bytes()) == sha256
    assert main(["--data", str(restored), "check"]) == 0  # index rebuilt, all agrees
    assert main(["--data", str(restored), "search", "phong chong dich"]) == 0
    assert "1-CV/TU" in capsys.readouterr().out


def test_a_damaged_backup_or_a_full_folder_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, saved = _archive(tmp_path), tmp_path / "saved"
    assert main(["--data", str(data), "backup", str(saved)]) == 0
    assert main(["--data", str(data), "restore", str(saved)]) == 1  # never over an archive
    assert "đã có kho lưu trữ" in capsys.readouterr().err
    original = next(p for p in (saved / "originals").rglob("*") if p.is_file())
    original.chmod(0o644)
    original.write_bytes(original.read_bytes() + b"!")
    assert main(["--data", str(tmp_path / "new"), "restore", str(saved)]) == 1
    assert "không khớp mã băm" in capsys.readouterr().err
