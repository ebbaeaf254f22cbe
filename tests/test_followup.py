"""What follows archiving is resumed by the next run: a process killed after archiving
letters and before the archive-wide inference leaves it due, and any later run does it."""

from __future__ import annotations

from pathlib import Path

from archive.catalog import Catalog
from archive.catalog.letter import letter_to_json
from archive.settings import Settings
from archive.store import OriginalStore
from indexer.followup.corrections import correct
from indexer.followup.steps import relate_changed
from indexer.intake.pipeline import ingest_bytes
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
        assert catalog.inference_pending() == 2
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["--data", str(settings.data_dir), "ingest", str(empty)]) == 0  # any run
    with Catalog(settings.catalog_path) as catalog:
        letter = catalog.letter(unstated)
        assert letter is not None
        metadata = letter_to_json(letter)
        assert metadata["province"] == "Nghệ An"
        assert "cùng người ký Hoàng Minh Đức" in metadata["inferred"]["province"]["evidence"]
        assert catalog.inference_pending() == 0 and catalog.pending_count() == 0


def _inferred_province(catalog: Catalog, document_id: int) -> str | None:
    letter = catalog.letter(document_id)
    assert letter is not None
    metadata = letter_to_json(letter)
    return metadata["province"] if "province" in metadata["inferred"] else None


def test_inference_looks_again_only_at_the_signers_a_change_touched(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    other = SIGNED.replace("Hoàng Minh Đức", "Lê Văn Tám")
    with Catalog(settings.catalog_path) as catalog:
        store = OriginalStore(settings.originals_dir)
        ids = [
            ingest_bytes(catalog, store, text.encode(), name).document_id or 0
            for name, text in [
                ("stated.txt", STATED),
                ("unstated.txt", UNSTATED),
                ("other.txt", UNSTATED.replace(SIGNED, other) + "Khác."),
                (
                    "other-stated.txt",
                    STATED.replace(SIGNED, other)
                    .replace("NGHỆ AN", "HÀ TĨNH")
                    .replace("Nghệ An", "Hà Tĩnh"),
                ),
            ]
        ]
        stated, unstated, other_unstated, other_stated = ids
        assert relate_changed(catalog) == (0, 2)
        assert _inferred_province(catalog, unstated) == "Nghệ An"
        assert _inferred_province(catalog, other_unstated) == "Hà Tĩnh"
        assert catalog.inference_pending() == 0
        # The stating letter's signer is corrected: its old signer's letters lose the
        # province they took from it, its new signer's letters gain it.
        correct(catalog, stated, "kiểm tra", {"signer": "Lê Văn Tám"})
        assert catalog.inference_pending() == 1
        assert relate_changed(catalog) == (0, 2)
        assert _inferred_province(catalog, unstated) is None
        # Lê Văn Tám now states two provinces: they disagree, so nothing is inferred.
        assert _inferred_province(catalog, other_unstated) is None
        assert _inferred_province(catalog, other_stated) is None


def test_a_catalog_from_before_the_queue_is_inferred_once_whole(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data")
    with Catalog(settings.catalog_path) as catalog:
        store = OriginalStore(settings.originals_dir)
        ingest_bytes(catalog, store, STATED.encode(), "a.txt")
        unstated = ingest_bytes(catalog, store, UNSTATED.encode(), "b.txt").document_id or 0
        relate_changed(catalog)
        # As an older catalog: no queue yet, no signers seen, no inference stored.
        catalog.db.execute("PRAGMA user_version = 0")  # catalogs made before it was kept
        catalog.db.execute("DELETE FROM state WHERE key = 'copies_grouped'")
        catalog.db.execute("DELETE FROM signer_keys")
        catalog.db.execute("DELETE FROM copy_keys")
        catalog.db.execute("UPDATE documents SET archive_inferred = '{}'")
    with Catalog(settings.catalog_path) as catalog:
        assert catalog.inference_pending() == 2
        relate_changed(catalog)
        assert _inferred_province(catalog, unstated) == "Nghệ An"
        assert set(catalog.copy_keys([unstated])) == {unstated}
