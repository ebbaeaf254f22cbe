"""Scanned letters: degraded 300-dpi renders of real and sample letters, recognised by real
Tesseract, must read like their digital versions."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from rapidfuzz.distance import Levenshtein

from archive.catalog import Catalog
from indexer.language.vietnamese import normalize_document
from indexer.pages.ocr import repair, tesseract_ready
from synthetic.scans import write_scan
from tests.conftest import SAMPLES_EXPECTED, SEEDS, Archive
from tests.samples.build import LETTERS
from web.cli import main

pytestmark = pytest.mark.skipif(
    not tesseract_ready(), reason="tesseract with the Vietnamese model is not installed"
)
MAX_CER = 0.02


def _letters() -> list[tuple[str, str]]:
    samples = [(p.stem, p.read_text("utf-8")) for p in sorted(LETTERS.glob("*.txt"))]
    seeds = (
        [(p.stem, p.read_text("utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
        if SEEDS.exists()
        else []
    )
    return samples + seeds


def _words(text: str) -> list[str]:
    return normalize_document(text).split()


@pytest.fixture(scope="module")
def recognised(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every letter scanned, ingested and recognised in one batch: name → (text, metadata)."""
    root = tmp_path_factory.mktemp("scans")
    inbox = root / "inbox"
    inbox.mkdir()
    for index, (name, text) in enumerate(_letters()):
        write_scan(text, inbox / name, as_pdf=index % 2 == 0, seed=index)
    assert main(["--data", str(root / "data"), "ingest", str(inbox)]) == 0
    from archive.catalog import Catalog
    from indexer.search.indexing import effective_metadata

    out = {}
    with Catalog(root / "data" / "catalog.sqlite3") as catalog:
        for record in catalog.iter_documents():
            assert record.status == "ready" and record.extraction == "ocr:tesseract-vie"
            metadata = effective_metadata(record, [])
            out[Path(record.filename).stem] = (record.text, metadata)
    return out


def test_character_error_rate(recognised: dict[str, tuple[str, dict[str, Any]]]) -> None:
    report = {}
    for name, source in _letters():
        text, _ = recognised[name]
        reference, hypothesis = " ".join(_words(source)), " ".join(_words(text))
        cer = Levenshtein.distance(reference, hypothesis) / len(reference)
        wer = Levenshtein.distance(_words(source), _words(text)) / len(_words(source))
        report[name] = {"cer": round(cer, 4), "wer": round(wer, 4)}
    print(json.dumps(report, indent=1))
    assert all(scores["cer"] <= MAX_CER for scores in report.values()), report


# The seal is stamped over the title and name of the signer: report how they read there.
UNDER_THE_SEAL = ("signer", "signer_title")


def _expected() -> dict[str, dict[str, Any]]:
    """What the digital letters read as (their accuracy tests hold them to these)."""
    expected = {}
    for path in (SAMPLES_EXPECTED, SEEDS / "expected.json"):
        if path.exists():
            for name, fields in json.loads(path.read_text("utf-8")).items():
                expected[Path(name).stem] = fields
    return expected


def test_numbers_and_metadata_match_the_digital_letter(
    recognised: dict[str, tuple[str, dict[str, Any]]],
) -> None:
    expected, under_seal = _expected(), {}
    for name, _source in _letters():
        _, scanned = recognised[name]
        for field, value in expected[name].items():
            if field in ("notes", "inferred"):
                continue
            if field in UNDER_THE_SEAL:
                under_seal[f"{name}.{field}"] = scanned[field] == value
            assert scanned[field] == value, (name, field)
    print(f"signer fields read under the seal: {sum(under_seal.values())}/{len(under_seal)}")


@pytest.mark.parametrize(
    ("ocr_text", "repaired"),
    [
        ("Nghị quyết số 128 / NQ - CP ngày 06/ 11/2021", "Nghị quyết số 128/NQ-CP ngày 06/11/2021"),
        ("dịch Covid- 19 và Công điện 1063/CĐÐ-TTg", "dịch Covid-19 và Công điện 1063/CĐ-TTg"),
        ("Công điện số 1063/CĐ-T Tg ngày 02/12/2021", "Công điện số 1063/CĐ-TTg ngày 02/12/2021"),
        ("Công văn 5123/UBND-KGVX ngày 12", "Công văn 5123/UBND-KGVX ngày 12"),
    ],
)
def test_repair_of_numbers_and_dates(ocr_text: str, repaired: str) -> None:
    assert repair(ocr_text) == repaired


def test_missing_tesseract_leaves_scans_pending(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (LETTERS / "09_ban_scan.txt").read_text("utf-8")
    scan = write_scan(text, tmp_path / "scan", as_pdf=True)
    data = str(tmp_path / "data")
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))  # the real binary is not found
    assert main(["--data", data, "ingest", str(scan)]) == 0
    assert "congvan ocr --pending" in capsys.readouterr().out
    assert main(["--data", data, "ocr", "--pending"]) == 2
    monkeypatch.undo()
    assert shutil.which("tesseract")
    assert main(["--data", data, "ocr", "--pending"]) == 0
    assert main(["--data", data, "search", "702-CV/TU", "--json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("{") :])["total"] == 1


def test_scan_is_searchable_with_page_text(archive: Archive, tmp_path: Path) -> None:
    text = (LETTERS / "09_ban_scan.txt").read_text("utf-8")
    scan = write_scan(text, tmp_path / "scan", as_pdf=True)
    outcome = archive.add(scan.name, scan.read_bytes())
    assert outcome.outcome == "needs_ocr"
    from indexer.intake.scans import recognise

    result = recognise(archive.catalog, archive.store, outcome.document_id or 0, max_pages=10)
    assert "đã nhận dạng 1 trang" in result.message
    (page,) = archive.catalog.pages_of(outcome.document_id or 0)
    assert page["page"] == 1 and page["confidence"] > 80 and "702-CV/TU" in page["text"]
    archive.index()
    assert archive.ids("kiem tra cong tac") == [outcome.document_id]


def _blank_pdf(pages: int) -> bytes:
    from tests.test_extract import blank_pdf

    return blank_pdf(pages)


def _bomb_png() -> bytes:
    """A small PNG whose header claims 20,000 × 20,000 pixels (400 Mpx)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" + b"\xff" * 20_000)  # one row; the rest is missing
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


def test_bad_scans_get_a_clear_line_and_the_batch_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = write_scan(
        (LETTERS / "09_ban_scan.txt").read_text("utf-8"), inbox / "d_tot", as_pdf=False
    )
    png = good.read_bytes()
    (inbox / "a_bom.png").write_bytes(_bomb_png())
    (inbox / "b_cut.png").write_bytes(png[: len(png) // 3])
    (inbox / "c_trang.pdf").write_bytes(_blank_pdf(3))
    (inbox / "e_khong_trang.pdf").write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>"
    )
    data = tmp_path / "data"
    assert main(["--data", str(data), "ingest", str(inbox)]) == 1
    out = capsys.readouterr().out
    assert "a_bom.png: lỗi OCR: ảnh quá lớn (hơn 60.000.000 điểm ảnh), nghi là bom giải nén" in out
    assert "b_cut.png: lỗi OCR: ảnh hỏng" in out
    assert "c_trang.pdf: không tìm thấy chữ nào trên 3 trang" in out
    assert "e_khong_trang.pdf: lỗi:" in out  # refused at extraction: no pages
    assert "d_tot.png: đã nhận dạng 1 trang" in out
    from archive.catalog import Catalog

    with Catalog(data / "catalog.sqlite3") as catalog:
        kept = {r.filename: r for r in catalog.iter_documents()}
    assert set(kept) == {"a_bom.png", "b_cut.png", "c_trang.pdf", "d_tot.png"}  # originals kept
    assert kept["a_bom.png"].status == "needs_ocr" and "bom" in (
        kept["a_bom.png"].status_message or ""
    )
    assert kept["d_tot.png"].status == "ready" and "702-CV/TU" in kept["d_tot.png"].text


def test_page_limit_is_configurable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "dai.pdf").write_bytes(_blank_pdf(12))
    monkeypatch.setenv("CONGVAN_MAX_PAGES", "10")
    assert main(["--data", str(tmp_path / "data"), "ingest", str(tmp_path / "dai.pdf")]) == 1
    assert "quá nhiều trang (12; giới hạn 10, đặt CONGVAN_MAX_PAGES)" in capsys.readouterr().out


def test_thousand_page_pdf_is_refused_by_default_and_the_batch_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a_nghin_trang.pdf").write_bytes(_blank_pdf(1000))
    write_scan((LETTERS / "01_tinh_uy_nghe_an_cv.txt").read_text("utf-8"), inbox / "b_tot", False)
    assert main(["--data", str(tmp_path / "data"), "ingest", str(inbox)]) == 1
    out = capsys.readouterr().out
    assert "a_nghin_trang.pdf: lỗi OCR: quá nhiều trang (1000; giới hạn 500" in out
    assert "b_tot.png: đã nhận dạng 1 trang" in out


def test_pages_are_rendered_one_at_a_time_and_recognition_holds_few() -> None:
    """A 1,000-page PDF is opened once and rendered page by page; recognition never holds
    more than two pages per worker, so memory stays bounded however long the file is."""
    from PIL import Image

    from indexer.pages.ocr import ScanPages, recognise_pages

    with ScanPages(_blank_pdf(1000), "application/pdf") as pages:
        assert pages.count == 1000
        assert pages.render(1000, dpi=30).size == (248, 351)  # the last page, alone
    pulled, held = 0, []

    def blank_pages() -> Any:
        nonlocal pulled
        for number in range(1, 41):
            pulled += 1
            yield number, Image.new("RGB", (200, 120), "white")

    recognised = []
    for page in recognise_pages(blank_pages(), workers=2):
        held.append(pulled - len(recognised))
        recognised.append(page.number)
    assert recognised == list(range(1, 41))  # in page order
    assert max(held) <= 4, held


def test_interrupted_recognition_resumes_without_redoing_pages(
    archive: Archive, tmp_path: Path
) -> None:
    text = (LETTERS / "01_tinh_uy_nghe_an_cv.txt").read_text("utf-8")
    scan = write_scan(text + "\n" * 40 + text, tmp_path / "hai_trang", as_pdf=True)
    outcome = archive.add(scan.name, scan.read_bytes())
    document_id = outcome.document_id or 0
    from indexer.intake.scans import recognise

    def stop_after_first(page: object) -> None:
        raise KeyboardInterrupt  # Ctrl-C, or the process told to stop, after one page

    with pytest.raises(KeyboardInterrupt):
        recognise(archive.catalog, archive.store, document_id, 10, on_page=stop_after_first)
    first = archive.catalog.pages_of(document_id)
    assert len(first) == 1
    seen: list[int] = []
    recognise(
        archive.catalog, archive.store, document_id, 10, on_page=lambda p: seen.append(p.number)
    )  # type: ignore[attr-defined]
    pages = archive.catalog.pages_of(document_id)
    done_first = first[0]["page"]
    assert len(pages) >= 2
    assert sorted(seen) == [n for n in range(1, len(pages) + 1) if n != done_first]
    assert pages[done_first - 1] == first[0]  # the finished page was not redone


def test_hit_says_which_page_and_page_images_are_served(
    archive: Archive, client: FlaskClient, tmp_path: Path
) -> None:
    first = (LETTERS / "01_tinh_uy_nghe_an_cv.txt").read_text("utf-8")
    second = (LETTERS / "04_ubnd_lang_son_qd.txt").read_text("utf-8")
    scan = write_scan(first + "\n" * 45 + second, tmp_path / "hai_van_ban", as_pdf=True)
    outcome = archive.add(scan.name, scan.read_bytes())
    digital = archive.add("so.txt", (LETTERS / "07_tinh_uy_lang_son_ct_cu.txt").read_text("utf-8"))
    from indexer.intake.scans import recognise

    recognise(archive.catalog, archive.store, outcome.document_id or 0, 10)
    archive.index()
    pages = {hit["id"]: hit["page"] for hit in archive.search("Nham Dan").hits}
    assert pages == {outcome.document_id: 1}
    pages = {hit["id"]: hit["page"] for hit in archive.search("Chi Lang").hits}
    assert pages[outcome.document_id] >= 2 and pages[digital.document_id] is None
    body = client.get(f"/api/documents/{outcome.document_id}").get_json()
    assert [p["page"] for p in body["pages"]] == list(range(1, len(body["pages"]) + 1))
    image = client.get(f"/api/documents/{outcome.document_id}/pages/1.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
    assert client.get(f"/api/documents/{outcome.document_id}/pages/99.png").status_code == 404
    page = client.get(f"/documents/{outcome.document_id}").get_data(as_text=True)
    assert f'src="/api/documents/{outcome.document_id}/pages/1.png"' in page
    html = client.get("/?q=Chi+Lang").get_data(as_text=True)
    assert f'href="/documents/{outcome.document_id}?q=Chi%20Lang#trang-' in html


def test_mixed_pdf_keeps_text_pages_and_recognises_the_scanned_one(
    archive: Archive, tmp_path: Path
) -> None:
    from fpdf import FPDF

    from indexer.intake.scans import recognise
    from synthetic.scans import render_scan
    from tests.samples.build import FONT

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_page()
    pdf.set_font("DejaVu", size=12)
    pdf.multi_cell(180, 7, (LETTERS / "07_tinh_uy_lang_son_ct_cu.txt").read_text("utf-8"))
    pdf.add_page()
    pdf.image(render_scan((LETTERS / "09_ban_scan.txt").read_text("utf-8"))[0], x=0, y=0, w=210)
    outcome = archive.add("tron.pdf", bytes(pdf.output()))
    record = archive.catalog.get_document(outcome.document_id or 0)
    assert record is not None and record.status == "needs_ocr" and record.extraction == "pdf:mixed"
    archive.index()
    assert archive.ids("huu nghi") == [outcome.document_id]  # the text page, before any OCR
    recognise(archive.catalog, archive.store, outcome.document_id or 0, 10)
    pages = archive.catalog.pages_of(outcome.document_id or 0)
    assert [p["method"] for p in pages] == ["pdf:text-layer", "ocr:tesseract-vie"]
    record = archive.catalog.get_document(outcome.document_id or 0)
    assert record is not None and record.status == "ready"
    assert record.extraction == "ocr:tesseract-vie+pdf:text-layer"
    assert "Hữu Nghị" in record.text and "702-CV/TU" in record.text


def test_jpeg_and_multipage_tiff_scans(archive: Archive, tmp_path: Path) -> None:
    from indexer.intake.scans import recognise
    from synthetic.scans import render_scan

    short = (LETTERS / "09_ban_scan.txt").read_text("utf-8")
    page = render_scan(short, seed=5)[0]
    page.save(tmp_path / "trang.jpg", quality=80)
    page.save(tmp_path / "hai.tif", save_all=True, append_images=[render_scan(short, seed=6)[0]])
    for name, pages in (("trang.jpg", 1), ("hai.tif", 2)):
        outcome = archive.add(name, (tmp_path / name).read_bytes())
        result = recognise(archive.catalog, archive.store, outcome.document_id or 0, 10)
        assert result.message.startswith(f"đã nhận dạng {pages} trang"), result.message
        record = archive.catalog.get_document(outcome.document_id or 0)
        assert record is not None and record.metadata["number"] == "702-CV/TU"


def test_poorly_read_page_is_flagged_for_checking(
    archive: Archive, client: FlaskClient, tmp_path: Path
) -> None:
    """A page blurred until tones slip scores low and is flagged; a clean one is not."""
    from PIL import ImageFilter

    from indexer.intake.scans import recognise
    from synthetic.scans import render_scan

    page = render_scan((LETTERS / "01_tinh_uy_nghe_an_cv.txt").read_text("utf-8"), 1)[0]
    blurred = page.filter(ImageFilter.GaussianBlur(3.5))
    scan = tmp_path / "mo.pdf"
    page.save(scan, "PDF", resolution=300, save_all=True, append_images=[blurred])
    outcome = archive.add(scan.name, scan.read_bytes())
    result = recognise(archive.catalog, archive.store, outcome.document_id or 0, 10)
    assert result.message.endswith("trang 2 nhận dạng kém, nên đối chiếu bản gốc")
    body = client.get(f"/api/documents/{outcome.document_id}").get_json()
    assert [p["needs_review"] for p in body["pages"]] == [False, True]
    html = client.get(f"/documents/{outcome.document_id}").get_data(as_text=True)
    assert html.count("nhận dạng kém, nên đối chiếu bản gốc") == 1


def test_an_unexpected_failure_in_one_scan_fails_that_scan_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Tesseract that answers nonsense (a broken install, a truncated output) makes the
    scans fail one by one with a clear line; the letters stay archived, waiting for OCR."""
    text = (LETTERS / "09_ban_scan.txt").read_text("utf-8")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_scan(text, inbox / "a_scan", as_pdf=True)
    write_scan(text, inbox / "b_scan", as_pdf=False)
    tools = tmp_path / "tools"
    tools.mkdir()
    broken = tools / "tesseract"
    broken.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--list-langs" ]; then echo vie; exit 0; fi\n'
        "cat >/dev/null\n"
        "printf 'level\\tpage\\n5\\t1\\t1\\t1\\t1\\t1\\t0\\t0\\t9\\t9\\tnot-a-number\\tchữ\\n'\n"
    )
    broken.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:{os.environ['PATH']}")
    data = tmp_path / "data"
    assert main(["--data", str(data), "ingest", str(inbox)]) == 1
    out = capsys.readouterr().out
    for name in ("a_scan.pdf", "b_scan.png"):
        assert f"{name}: lỗi OCR: ValueError: could not convert string to float" in out
    with Catalog(data / "catalog.sqlite3") as catalog:
        records = list(catalog.iter_documents())
        assert [r.status for r in records] == ["needs_ocr", "needs_ocr"]
        assert all("OCR không thành công: ValueError" in (r.status_message or "") for r in records)
