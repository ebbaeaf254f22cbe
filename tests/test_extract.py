"""Extraction per format, with real files."""

from __future__ import annotations

import io
import re
import shutil
import unicodedata
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter

from indexer.language.vietnamese import clean
from indexer.pages.extract import ExtractionError, extract
from indexer.pages.legacy import to_unicode
from tests.samples.build import FONT, libreoffice_convert, to_cp1258, to_legacy

TEXT = "Tỉnh ủy Lạng Sơn yêu cầu các cấp ủy tăng cường phòng, chống dịch Covid-19."


def text_pdf(text: str = TEXT) -> bytes:
    pdf = FPDF()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.add_page()
    pdf.set_font("DejaVu", size=12)
    pdf.multi_cell(180, 8, text)
    return bytes(pdf.output())


def blank_pdf(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def malformed_docx() -> bytes:
    """A Word file whose package is sound but whose document XML is cut off."""
    import zipfile

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    broken = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return broken.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf())))
    writer.encrypt(user_password="mat-khau", owner_password="chu-so-huu")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "method"),
    [
        (TEXT.encode("utf-8"), "txt:utf-8"),
        (TEXT.encode("utf-8-sig"), "txt:utf-8-sig"),
        (TEXT.encode("utf-16"), "txt:utf-16"),
        (TEXT.encode("utf-16-le"), "txt:utf-16-le"),
        (to_cp1258(TEXT), "txt:windows-1258"),
    ],
)
def test_text_encodings(data: bytes, method: str) -> None:
    extraction = extract("thu.txt", data)
    assert extraction.method == method
    assert unicodedata.normalize("NFC", extraction.text) == TEXT


def test_non_vietnamese_8bit_text_is_refused() -> None:
    with pytest.raises(ExtractionError, match="bảng mã"):
        extract("la.txt", bytes(range(128, 256)) * 20)


def test_pdf_text_layer() -> None:
    extraction = extract("cv.pdf", text_pdf())
    assert extraction.method == "pdf:text-layer" and extraction.pages == 1
    assert "Lạng Sơn" in extraction.text


def test_pdf_without_text_needs_ocr() -> None:
    extraction = extract("scan.pdf", blank_pdf(2))
    assert extraction.needs_ocr and extraction.pages == 2 and extraction.text == ""


def test_image_needs_ocr() -> None:
    assert extract("trang.png", b"\x89PNG\r\n\x1a\n...").needs_ocr


HEADER = ["ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NAM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"]


def header_docx(path: Path) -> Path:
    """A Word letter whose header is a two-column table, then one paragraph."""
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "\n".join(HEADER[:2])
    table.rows[0].cells[1].text = HEADER[2]
    document.add_paragraph(TEXT)
    document.save(str(path))
    return path


def test_docx_reads_header_table_by_column(tmp_path: Path) -> None:
    path = header_docx(tmp_path / "cv.docx")
    lines = [line for line in extract("cv.docx", path.read_bytes()).text.split("\n") if line]
    assert lines == [*HEADER, TEXT]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("rong.txt", lambda: b"", "tệp rỗng"),
        ("bang.xlsx", lambda: b"PK\x03\x04", "định dạng không hỗ trợ (.xlsx)"),
        ("hong.pdf", lambda: b"%PDF-1.7\n1 0 obj << /Type /Catalog", "PDF hỏng"),
        ("gia.pdf", lambda: b"khong phai pdf", "không phải tệp PDF"),
        ("khoa.pdf", encrypted_pdf, "PDF được mã hóa"),
        ("hong.docx", lambda: b"PK\x03\x04 not really a zip", "tệp Word hỏng"),
        ("xml_hong.docx", malformed_docx, "tệp Word hỏng, không đọc được (XMLSyntaxError)"),
    ],
)
def test_bad_files_have_a_reason(name: str, data: Callable[[], bytes], reason: str) -> None:
    with pytest.raises(ExtractionError, match=re.escape(reason)):
        extract(name, data())


def test_truncated_pdf_is_corrupt() -> None:
    with pytest.raises(ExtractionError, match="PDF hỏng"):
        extract("cut.pdf", text_pdf()[:300])


LETTER = (
    Path(__file__).parent / "samples" / "letters" / "10_tinh_uy_cao_bang_tcvn3.txt"
).read_text("utf-8")


@pytest.mark.parametrize("encoding", ["tcvn3", "vni"])
def test_legacy_text_round_trips(encoding: str) -> None:
    # TCVN3 has no capitals with tones (headings use the .VnTimeH font and read lowercase),
    # so its text is compared in lowercase; VNI has both cases.
    source = LETTER.lower() if encoding == "tcvn3" else LETTER
    extraction = extract("cu.txt", to_legacy(source, encoding).encode("latin-1"))
    assert extraction.method == f"txt:8-bit+{encoding}"
    assert clean(extraction.text) == clean(source)


@pytest.mark.parametrize(
    ("legacy", "unicode_text"),
    [
        (
            "Ban Th\xadêng vô TØnh ñy yªu cÇu c¸c cÊp ñy thùc hiÖn nghiªm",
            "Ban Thường vụ Tỉnh ủy yêu cầu các cấp ủy thực hiện nghiêm",
        ),
        ("TØnh ñy nh©n d©n", "Tỉnh ủy nhân dân"),
        ("ngöôøi daân ngöôøi lao ñoäng", "người dân người lao động"),
    ],
)
def test_known_legacy_strings(legacy: str, unicode_text: str) -> None:
    converted, encoding = to_unicode(legacy)
    assert encoding in ("tcvn3", "vni") and clean(converted) == clean(unicode_text)


def test_unicode_and_other_languages_are_left_alone() -> None:
    assert to_unicode(TEXT) == (TEXT, None)
    spanish = "El niño comió jamón y piña en la señorita's café: ¿qué más? ¡Añejo!"
    assert to_unicode(spanish) == (spanish, None)


def test_legacy_word_file_is_converted(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph(
        to_legacy("Tỉnh ủy Cao Bằng yêu cầu các cấp ủy thực hiện nghiêm.", "tcvn3")
    )
    path = tmp_path / "cu.docx"
    document.save(str(path))
    extraction = extract("cu.docx", path.read_bytes())
    assert extraction.method == "docx+tcvn3"
    assert "Tỉnh ủy Cao Bằng yêu cầu các cấp ủy" in extraction.text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is absent")
@pytest.mark.parametrize(("suffix", "target"), [(".rtf", "rtf"), (".odt", "odt")])
def test_rtf_and_opendocument_read_like_word(tmp_path: Path, suffix: str, target: str) -> None:
    source = header_docx(tmp_path / "cv.docx")
    converted = libreoffice_convert(source, target, tmp_path)
    extraction = extract(converted.name, converted.read_bytes())
    assert extraction.method == target
    assert [line for line in extraction.text.split("\n") if line] == [*HEADER, TEXT]


def test_libreoffice_profiles_are_not_left_behind(tmp_path: Path) -> None:
    """Each process converting Word files makes a profile; it is gone when the process
    ends, and one a killed process left is removed by the next converter."""
    import subprocess
    import sys
    import tempfile

    left = Path(tempfile.gettempdir()) / "congvan-libreoffice-999999999"  # no such process
    left.mkdir(exist_ok=True)
    script = "from indexer.pages.word import _profile; import sys; print(_profile())"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent, check=True)  # fmt: skip
    profile = Path(run.stdout.strip())
    assert profile.name.startswith("congvan-libreoffice-")
    assert not profile.exists() and not left.exists()
