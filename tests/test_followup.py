"""What follows archiving is resumed by the next run: a process killed after archiving
letters and before the archive-wide inference leaves it due, and any later run does it."""

from __future__ import annotations

from pathlib import Path

from archive.catalog import Catalog
from archive.settings import Settings
from archive.store import OriginalStore
from indexer.indexing import effective_metadata
from indexer.pipeline import ingest_bytes
from web.cli import main

SIGNED = "\n\nNơi nhận:\n- Như trên.\n\nT/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ\n\nHoàng Minh Đức\n"
STATED = "TỈNH ỦY NGHỆ AN\n*\nSố 12-CV/TU\nNghệ An, ngày 05 tháng 01 năm 2022\n\nNội dung." + SIGNED
UNSTATED = "Kính gửi: Các sở.\n\nKiểm tra việc thực hiện." + SIGNED


def test_inference_skipped_by_a_crash_is_done_by_the_next_run(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with Catalog(settings.catalog_path) as catalog:  # archived, then "killed": no follow-up
        store = OriginalStore(settings.originals_dir)
        ingest_bytes(catalog, store, STATED.encode(), "a.txt")
        unstated = ingest_bytes(catalog, store, UNSTATED.encode(), "b.txt").document_id or 0
        assert catalog.inference_due() is not None
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["--data", str(settings.data_dir), "ingest", str(empty)]) == 0  # any run
    with Catalog(settings.catalog_path) as catalog:
        record = catalog.get_document(unstated)
        assert record is not None
        metadata = effective_metadata(record, [])
        assert metadata["province"] == "Nghệ An"
        assert "cùng người ký Hoàng Minh Đức" in metadata["inferred"]["province"]["evidence"]
        assert catalog.inference_due() is None and catalog.pending_count() == 0
