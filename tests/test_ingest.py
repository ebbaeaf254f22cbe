"""Ingestion: bad input gets one clear line, the batch goes on, nothing archived is lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archive.catalog import Catalog
from archive.catalog.letter import letter_to_json
from archive.store import OriginalStore, sha256_of
from tests.conftest import Archive, letter
from tests.samples.build import to_cp1258
from tests.test_extract import encrypted_pdf, malformed_docx, text_pdf
from web.cli import main

GOOD = letter("Ban Thường vụ Tỉnh ủy yêu cầu tăng cường phòng, chống dịch.", "12-CV/TU")


def test_bad_inputs_in_one_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    earlier = tmp_path / "earlier.txt"
    earlier.write_text(GOOD, encoding="utf-8")
    assert main(["--data", str(data), "ingest", str(earlier)]) == 0
    with Catalog(data / "catalog.sqlite3") as catalog:
        before = catalog.document(1)
    capsys.readouterr()

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    files = {
        "a_rong.txt": b"",
        "b_bang_tinh.xlsx": b"PK\x03\x04 spreadsheet",
        "c_hong.pdf": b"%PDF-1.7\n1 0 obj << /Type /Catalog",
        "d_khoa.pdf": encrypted_pdf(),
        "e_la.txt": bytes(range(128, 256)) * 20,
        "f_công văn số 5 Đình Lập.txt": to_cp1258(GOOD.replace("12-CV/TU", "13-CV/TU")),
        "g_ban_sao.txt": GOOD.encode("utf-8"),
        "h_tot.pdf": text_pdf(),
        "i_xml_hong.docx": malformed_docx(),
        "j_hong.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        "k_tot_sau.txt": GOOD.replace("12-CV/TU", "14-CV/TU").encode("utf-8"),
    }
    for name, content in files.items():
        (inbox / name).write_bytes(content)

    assert main(["--data", str(data), "ingest", str(inbox)]) == 1
    lines = capsys.readouterr().out.splitlines()

    def line_for(name: str) -> str:
        (found,) = [line for line in lines if line.startswith(str(inbox / name) + ": ")]
        return found

    assert "lỗi: tệp rỗng (0 byte)" in line_for("a_rong.txt")
    assert "lỗi: định dạng không hỗ trợ (.xlsx)" in line_for("b_bang_tinh.xlsx")
    assert "lỗi: PDF hỏng" in line_for("c_hong.pdf")
    assert "lỗi: PDF được mã hóa, cần mật khẩu" in line_for("d_khoa.pdf")
    assert "lỗi: không nhận ra bảng mã" in line_for("e_la.txt")
    assert "đã lưu trữ" in line_for("f_công văn số 5 Đình Lập.txt")
    assert "đã có trong kho (văn bản #1)" in line_for("g_ban_sao.txt")
    assert "đã lưu trữ" in line_for("h_tot.pdf")
    # A Word file whose XML is broken (lxml XMLSyntaxError) fails alone; later files go on.
    assert "lỗi: tệp Word hỏng, không đọc được (XMLSyntaxError)" in line_for("i_xml_hong.docx")
    if shutil.which("soffice"):
        assert "lỗi: tệp .doc hỏng, LibreOffice không đọc được" in line_for("j_hong.doc")
    assert "đã lưu trữ" in line_for("k_tot_sau.txt")
    assert any("7 lỗi" in line for line in lines)

    with Catalog(data / "catalog.sqlite3") as catalog:
        assert catalog.count_documents() == 4
        assert catalog.document(1) == before
        names = {r.filename for r in catalog.iter_documents()}
    assert names == {"earlier.txt", "f_công văn số 5 Đình Lập.txt", "h_tot.pdf", "k_tot_sau.txt"}
    store = OriginalStore(data / "originals")
    assert store.verify(sha256_of(GOOD.encode("utf-8")))
    stored = [p for p in (data / "originals").rglob("*") if p.is_file()]
    assert len(stored) == 4  # the duplicate is stored once, failures not at all


def test_duplicate_is_stored_once(archive: Archive) -> None:
    first = archive.add("mot.txt", GOOD)
    second = archive.add("hai.txt", GOOD)
    assert (first.outcome, second.outcome) == ("archived", "duplicate")
    assert second.document_id == first.document_id
    assert archive.catalog.count_documents() == 1


def test_file_name_with_parent_path_stays_inside_the_archive(archive: Archive) -> None:
    outcome = archive.add("../../ngoai/../../etc/cong-van.txt", GOOD)
    record = archive.catalog.document(outcome.document_id or 0)
    assert record is not None and record.filename == "cong-van.txt"
    root = archive.settings.data_dir.resolve()
    assert archive.store.path(record.sha256).resolve().is_relative_to(root)
    assert not (archive.settings.data_dir.parent / "etc").exists()


def test_path_with_dot_dot_components_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "thu.txt").write_text(GOOD, encoding="utf-8")
    path = tmp_path / "a" / ".." / "b" / "thu.txt"
    assert main(["--data", str(tmp_path / "data"), "ingest", str(path)]) == 0
    assert "đã lưu trữ (văn bản #1)" in capsys.readouterr().out


def test_originals_are_read_only_and_unchanged(archive: Archive) -> None:
    data = GOOD.encode("utf-16")
    outcome = archive.add("utf16.txt", data)
    record = archive.catalog.document(outcome.document_id or 0)
    assert record is not None
    path = archive.store.path(record.sha256)
    assert path.read_bytes() == data
    assert path.stat().st_mode & 0o222 == 0


def test_scan_is_archived_as_needing_ocr(archive: Archive) -> None:
    outcome = archive.add("trang-1.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert outcome.outcome == "needs_ocr"
    assert "cần nhận dạng chữ (OCR)" in outcome.message
    archive.index()
    (hit,) = archive.search().hits
    assert hit["status"] == "needs_ocr" and hit["filename"] == "trang-1.png"


def test_a_very_long_text_is_read_and_indexed_up_to_a_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from indexer.intake import pipeline
    from indexer.pages.extract import extract

    monkeypatch.setattr(pipeline, "MAX_TEXT_CHARS", 2000)  # 10 million in use: same rule
    raw = letter("Nội dung dài.\n" + "Thực hiện chỉ đạo của Tỉnh ủy.\n" * 500, "5-CV/TU")
    new = pipeline.read_letter("dai.txt", raw.encode(), "a" * 64, extract("dai.txt", raw.encode()))
    assert len(new.text) <= 2000 and new.text.endswith("Tỉnh ủy.")
    assert letter_to_json(new.letter)["number"] == "5-CV/TU" and new.status == "ready"
    assert new.status_message and "chỉ 1." in new.status_message
    assert "bản gốc được lưu đầy đủ" in new.status_message
