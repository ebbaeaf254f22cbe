"""Backups of an archive: the catalog through SQLite's online-backup API, the originals,
and a manifest of their hashes; and restoring one into an empty data folder.

A backup folder holds any number of snapshots sharing one content-addressed store of
originals (an original is copied once, whatever the number of snapshots):

    BACKUP/originals/ab/cd/abcd…          the same layout as the archive's
    BACKUP/snapshots/20261201T230000.000000Z/catalog.sqlite3
    BACKUP/snapshots/20261201T230000.000000Z/manifest.json

Every original copied is hashed again after the copy, and so is every original restored:
a backup that does not hold what the manifest says is refused, never restored silently.
The search index is not backed up: it is rebuilt from the catalog after a restore.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from archive.catalog import Catalog, now_iso
from archive.store import OriginalStore, sha256_of_file


class BackupError(Exception):
    """The backup or restore cannot be done; the message (Vietnamese) says why."""


@dataclass(frozen=True)
class Snapshot:
    """A snapshot made or restored: its folder and what it holds."""

    folder: Path
    letters: int
    originals: int
    copied: int  # originals new to the backup folder (the others were there already)


def _copy_verified(source: Path, target: Path, sha256: str) -> None:
    """Copy beside the target, check the hash, then rename: never a partial original."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".incoming-{target.name}")
    shutil.copyfile(source, partial)
    if sha256_of_file(partial) != sha256:
        partial.unlink()
        raise BackupError(f"bản gốc {sha256} đọc ra không khớp mã băm khi sao chép")
    partial.chmod(0o444)
    partial.replace(target)


def backup(catalog: Catalog, store: OriginalStore, folder: Path) -> Snapshot:
    """A new snapshot of the archive in `folder` (created if needed)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%fZ")  # sorts by time
    snapshot = folder / "snapshots" / stamp
    snapshot.mkdir(parents=True, exist_ok=False)
    with sqlite3.connect(snapshot / "catalog.sqlite3") as target:
        catalog.db.backup(target)  # consistent even while the archive is being written
    target.close()
    shared = OriginalStore(folder / "originals")
    originals: dict[str, int] = {}
    copied = 0
    with Catalog(snapshot / "catalog.sqlite3") as copy:  # exactly the letters backed up
        for record in copy.iter_documents():
            originals[record.sha256] = record.size
            destination = shared.path(record.sha256)
            if not destination.exists():
                _copy_verified(store.path(record.sha256), destination, record.sha256)
                copied += 1
        letters = len(copy.document_ids())
    manifest = {"created_at": now_iso(), "letters": letters, "originals": originals}
    (snapshot / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return Snapshot(snapshot, letters, len(originals), copied)


def latest_snapshot(folder: Path) -> Path:
    """The newest snapshot in a backup folder; BackupError when it holds none."""
    snapshots = sorted((folder / "snapshots").glob("*/manifest.json"))
    if not snapshots:
        raise BackupError(f"không có bản sao lưu nào trong {folder}")
    return snapshots[-1].parent


def snapshot_named(folder: Path, name: str | None) -> Path:
    """The snapshot of that name in a backup folder, or its newest when no name is given."""
    return folder / "snapshots" / name if name else latest_snapshot(folder)


def restore(folder: Path, snapshot: Path, data_dir: Path) -> Snapshot:
    """The snapshot's catalog and originals into `data_dir`, which must hold no archive."""
    if (data_dir / "catalog.sqlite3").exists() or (data_dir / "originals").exists():
        raise BackupError(f"{data_dir} đã có kho lưu trữ; chỉ khôi phục vào thư mục trống")
    manifest = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
    shared, store = OriginalStore(folder / "originals"), OriginalStore(data_dir / "originals")
    for sha256 in manifest["originals"]:
        source = shared.path(sha256)
        if not source.is_file():
            raise BackupError(f"bản sao lưu thiếu bản gốc {sha256}")
        _copy_verified(source, store.path(sha256), sha256)
    data_dir.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(snapshot / "catalog.sqlite3") as source_db:
        with sqlite3.connect(data_dir / "catalog.sqlite3") as target:
            source_db.backup(target)
        target.close()
    source_db.close()
    originals = len(manifest["originals"])
    return Snapshot(snapshot, int(manifest["letters"]), originals, originals)
