"""Metadata accuracy: every field an archivist recorded, exact, on real and sample letters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.followup.evaluation import evaluate
from indexer.letter.metadata import FIELDS
from tests.conftest import SAMPLES_EXPECTED, Archive
from web.cli import main


def test_seed_letters_every_field(seeds_dir: Path) -> None:
    expected = json.loads((seeds_dir / "expected.json").read_text("utf-8"))
    report = evaluate(seeds_dir, expected)
    print("\n".join(report.lines()))
    assert report.mismatches == [] and report.missing == []
    listed = sum(len(set(fields) - {"notes"}) for fields in expected.values())
    assert sum(score.total for score in report.fields.values()) == listed


def test_sample_letters_every_field(
    sample_files: list[Path], samples_expected: dict[str, dict[str, object]]
) -> None:
    digital = {k: v for k, v in samples_expected.items() if not k.startswith("09_")}  # scans: OCR
    report = evaluate(sample_files[0].parent, digital)
    print("\n".join(report.lines()))
    assert report.mismatches == [] and report.missing == []
    assert report.fields["province"].total == len(digital)


def test_eval_metadata_command_reports_mismatches(
    tmp_path: Path, sample_files: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = {"01_tinh_uy_nghe_an_cv": {"number": "1246-CV/TU", "province": "Nghệ An"}}
    expected = tmp_path / "expected.json"
    expected.write_text(json.dumps(wrong, ensure_ascii=False), "utf-8")
    assert main(["eval-metadata", str(sample_files[0].parent), str(expected)]) == 1
    out = capsys.readouterr().out
    assert "number" in out and "0.0%" in out and "province" in out and "100.0%" in out
    assert "sai: 01_tinh_uy_nghe_an_cv: number: đọc được '1245-CV/TU', cần '1246-CV/TU'" in out


def test_seed_letters_are_searchable(each_engine: Archive, seeds_dir: Path) -> None:
    archive = each_engine
    for path in sorted(seeds_dir.glob("*.txt")):
        archive.add(path.name, path.read_bytes())
    archive.index()
    assert {h["filename"] for h in archive.search("dinh lap").hits} == {"002_bdcb37579fc0a953.txt"}
    assert [h["filename"] for h in archive.search("1879-CV/TU").hits] == [
        "002_bdcb37579fc0a953.txt"
    ]
    assert {h["filename"] for h in archive.search("68/NQ-CP").hits} == {"004_7f7b8d1f54fb288e.txt"}
    assert archive.search("thanh uy hue").total == 1


def test_sample_archive_covers_every_format(archive: Archive, sample_files: list[Path]) -> None:
    outcomes = [archive.add(path.name, path.read_bytes()) for path in sample_files]
    methods = {record.extraction for record in archive.catalog.iter_documents()}
    assert {o.outcome for o in outcomes} == {"archived", "needs_ocr"}
    assert {
        "txt:utf-8",
        "txt:utf-8-sig",
        "txt:utf-16",
        "txt:windows-1258",
        "docx",
        "pdf:text-layer",
        "ocr-pending",
        "docx+tcvn3",
        "txt:8-bit+vni",
    } <= methods
    assert len(sample_files) >= 8


def test_samples_expected_file_is_complete() -> None:
    expected = json.loads(SAMPLES_EXPECTED.read_text("utf-8"))
    for name, values in expected.items():
        assert {*FIELDS, "references"} <= set(values), name
