"""Real letters nobody here wrote (`../shared/real/`): their whole text, with positions.

E-signed PDFs read their number and date from signature fields, text layers that are not
the letter go to OCR, Word 97–2003 files read, and every page keeps its line and word
boxes in the catalog.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from archive.catalog import Catalog
from indexer.language.vietnamese import clean, fold, normalize_document
from indexer.pages.extract import Extraction, extract
from indexer.pages.layout import PageLayout, unpack
from indexer.pages.ocr import ScanPages, is_blank, preprocess, tesseract_ready
from tests.conftest import ROOT, Archive
from web.cli import main

REAL = ROOT.parent / "shared" / "real"
LETTERS = REAL / "letters"
pytestmark = pytest.mark.skipif(
    not LETTERS.exists(), reason="../shared/real/ (real letters) is absent"
)
TRUTH: dict[str, dict[str, Any]] = (
    json.loads((REAL / "truth.json").read_text("utf-8")) if LETTERS.exists() else {}
)
TEXT_PDFS = sorted(name for name, truth in TRUTH.items() if truth["format"] == "pdf-text")
# Born-digital, e-signed letters whose text layer is the letter (R030's is mojibake: OCR).
E_SIGNED = [name for name in TEXT_PDFS if not TRUTH[name]["text_layer"].startswith("mojibake")]
WORD = sorted(name for name in TRUTH if name.endswith((".doc", ".docx")))
needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (libreoffice-writer-nogui) is absent"
)


def _extract(name: str) -> Extraction:
    return extract(name, (LETTERS / name).read_bytes())


def _date_line(iso: str) -> re.Pattern[str]:
    """The header date as printed, leading zeros optional: `ngày 09 tháng 4 năm 2026`."""
    year, month, day = (int(part) for part in iso.split("-"))
    return re.compile(rf"ngày 0?{day} tháng 0?{month} năm {year}")


@pytest.mark.parametrize("name", ["R015.pdf", "R022.pdf", "R030.pdf"])
def test_text_layers_that_are_not_the_letter_go_to_ocr(name: str) -> None:
    extraction = _extract(name)
    assert extraction.needs_ocr
    assert not any(row.method.startswith("pdf:text-layer") for row in extraction.page_rows)
    assert "lớp chữ" not in extraction.text  # nothing of the bad layer is indexed


@pytest.mark.parametrize("name", ["R006.pdf", "R007.pdf", "R008.pdf", "R023.pdf", "R028.pdf"])
def test_good_text_layers_are_kept(name: str) -> None:
    extraction = _extract(name)
    assert not extraction.needs_ocr
    assert extraction.method.startswith("pdf:text-layer")
    assert all(row.reason for row in extraction.page_rows)


@pytest.mark.parametrize("name", E_SIGNED)
def test_e_signed_pdfs_read_their_number_and_date_whole(name: str) -> None:
    """The number and day/month stamped into signature fields land in their blanks."""
    truth = TRUTH[name]
    text = normalize_document(_extract(name).text)
    assert f"Số: {truth['number']}" in text
    assert _date_line(truth["date"]).search(text), text[:400]


def test_signature_certificates_are_signing_metadata_not_text() -> None:
    portal = _extract("R002.pdf")
    assert portal.signatures[0]["signer"] == "CỔNG THÔNG TIN ĐIỆN TỬ CHÍNH PHỦ"
    assert portal.signatures[0]["organisation"] == "VĂN PHÒNG CHÍNH PHỦ"
    assert portal.signatures[0]["signed_at"].startswith("28.04.2026 15:49")
    assert "Người ký" not in portal.text
    copy = _extract("R016.pdf")
    assert copy.signatures[0]["kind"] == "sao y"
    assert copy.signatures[0]["organisation"] == "Bộ Công an"
    assert copy.needs_ocr and "SAO Y" not in copy.text


def test_header_and_bottom_blocks_keep_their_sides() -> None:
    """Positions tell the header's columns and the bottom blocks apart (NĐ 30/2020)."""
    layout = unpack(_extract("R006.pdf").page_rows[0].layout or b"")[0]
    assert _side(layout, "Số: 173/KH-UBND") == "left"
    assert _side(layout, "Hà Nội, ngày 28 tháng 4 năm 2026") == "right"
    signature_page = unpack(_extract("R023.pdf").page_rows[0].layout or b"")[0]
    assert _side(signature_page, "Nơi nhận:") == "left"
    assert _side(signature_page, "KT. BỘ TRƯỞNG") == "right"
    lines = [line.text for line in layout.lines]
    # Reading order: the left column, then the right one, then what follows the header.
    assert lines.index("THÀNH PHỐ HÀ NỘI") < lines.index("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert lines.index("Số: 173/KH-UBND") < lines.index("Hà Nội, ngày 28 tháng 4 năm 2026")


def _side(layout: PageLayout, text: str) -> str:
    line = next(line for line in layout.lines if line.text == text)
    return layout.side(line)


@needs_libreoffice
@pytest.mark.parametrize("name", WORD)
def test_word_files_read_with_header_columns_together(name: str) -> None:
    truth = TRUTH[name]
    extraction = _extract(name)
    text = normalize_document(extraction.text)
    if truth["number"]:
        assert truth["number"] in text.replace("Số:", "Số: ").replace("Số ", "Số: ")
    assert fold(truth["signer"] or "") in fold(text)
    row = extraction.page_rows[0]
    assert row.layout and unpack(row.layout)[0].lines


@needs_libreoffice
def test_tcvn3_doc_is_converted_like_a_docx(tmp_path: Path) -> None:
    """A .doc set in .VnTime (TCVN3) reads as Unicode, ư (a soft hyphen in TCVN3) too."""
    import docx

    from tests.samples.build import libreoffice_convert, to_legacy

    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = to_legacy("ỦY BAN NHÂN DÂN\nXÃ NAM SƯƠNG", "tcvn3")
    table.rows[0].cells[1].text = to_legacy("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "tcvn3")
    body = "Ủy ban nhân dân xã thông báo lịch trực phòng, chống bão."
    document.add_paragraph(to_legacy(body, "tcvn3"))
    document.add_paragraph("")
    source = tmp_path / "thong-bao.docx"
    document.save(str(source))
    converted = libreoffice_convert(source, "doc:MS Word 97", tmp_path)
    extraction = extract(converted.name, converted.read_bytes())
    assert extraction.method == "doc+tcvn3"
    lines = [line for line in clean(extraction.text).split("\n") if line]
    assert lines[:3] == ["ủy ban nhân dân", "xã nam sương", "cộng hòa xã hội chủ nghĩa việt nam"]
    assert "lịch trực phòng, chống bão" in extraction.text


def test_blank_back_page_of_a_scan_is_recognised_as_blank() -> None:
    with ScanPages((LETTERS / "R016.pdf").read_bytes(), "application/pdf") as pages:
        assert not is_blank(preprocess(pages.render(1, dpi=150)))
        assert is_blank(preprocess(pages.render(2, dpi=150)))


def test_positions_are_catalogued_and_every_file_archives(tmp_path: Path) -> None:
    """The born-digital and Word letters archive in one batch with their page layouts."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in E_SIGNED + (WORD if shutil.which("soffice") else []):
        shutil.copy(LETTERS / name, inbox / name)
    data = tmp_path / "data"
    assert main(["--data", str(data), "ingest", str(inbox)]) == 0
    with Catalog(data / "catalog.sqlite3") as catalog:
        records = list(catalog.iter_documents())
        assert len(records) == len(list(inbox.iterdir()))
        for record in records:
            assert record.status == "ready", record.filename
            layouts = [r.layout for r in catalog.page_rows_of(record.id) if r.layout]
            assert len(layouts) == (record.pages or 1)
            first = unpack(layouts[0])[0]
            assert first.lines and all(0 <= w.x0 <= w.x1 <= 1 for w in first.lines[0].words)


@pytest.mark.skipif(not tesseract_ready(), reason="tesseract with the Vietnamese model is absent")
def test_bad_layers_are_recognised_with_their_reason(archive: Archive) -> None:
    from indexer.intake.scans import recognise_pending

    outcome = archive.add("R030.pdf", (LETTERS / "R030.pdf").read_bytes())
    assert outcome.outcome == "needs_ocr"
    assert "cần nhận dạng chữ (OCR): lớp chữ lỗi mã" in outcome.message
    recognise_pending(archive.catalog, archive.store, max_pages=10)
    record = archive.catalog.document(outcome.document_id or 0)
    assert record is not None and record.status == "ready"
    assert "Số: 1894/TB-SCT" in record.text  # digits survived the mojibake; words did not
    assert "Độc lập - Tự do - Hạnh phúc" in record.text
    pages = archive.catalog.pages_of(record.id)
    assert pages[0]["method"] == "ocr:tesseract-vie"
    assert "lỗi mã" in pages[0]["reason"]
    assert unpack(archive.catalog.page_rows_of(record.id)[0].layout or b"")[0].lines


@pytest.mark.skipif(not tesseract_ready(), reason="tesseract with the Vietnamese model is absent")
def test_signing_metadata_and_blank_back_page_survive_recognition(
    archive: Archive, client: FlaskClient
) -> None:
    from indexer.intake.scans import recognise_pending

    outcome = archive.add("R016.pdf", (LETTERS / "R016.pdf").read_bytes())
    recognise_pending(archive.catalog, archive.store, max_pages=10)
    body = client.get(f"/api/documents/{outcome.document_id}").get_json()
    assert [(s["kind"], s["organisation"]) for s in body["signatures"]] == [("sao y", "Bộ Công an")]
    assert [(p["method"], p["reason"]) for p in body["pages"]] == [
        ("ocr:tesseract-vie", "không có lớp chữ"),
        ("ocr:blank", "trang trắng, bỏ qua"),
    ]
    html = client.get(f"/documents/{outcome.document_id}").get_data(as_text=True)
    assert "Sao y (ký số)" in html and "Bộ Công an" in html
