"""Text extraction, one function per format, chosen by a plain dict.

Each extractor gets the original bytes and returns an `Extraction`: the raw text as the
format gives it (normalization happens later, in one place), the page count where the
format has pages, and how the text was obtained. A file that cannot be read raises
`ExtractionError` with a one-line reason in Vietnamese, shown to the user as is.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any

from archive.catalog import PageRow
from indexer.pages.errors import ExtractionError
from indexer.pages.layout import Line, PageLayout, Word, pack
from indexer.pages.legacy import convert_layout, detect_legacy, to_unicode
from indexer.pages.ocr import OcrError, count_pages
from indexer.pages.pdf import PdfPage, read_pages
from indexer.pages.textlayer import judge
from indexer.pages.word import to_docx


@dataclass(frozen=True)
class Extraction:
    """What reading one file gave: its raw text, method, pages, and whether it waits for OCR."""

    text: str
    method: str  # e.g. "txt:utf-8", "pdf:text-layer", "docx", "ocr-pending"
    mime: str
    pages: int | None = None
    needs_ocr: bool = False
    page_rows: tuple[PageRow, ...] = ()  # pages read now, with their positions
    signatures: tuple[dict[str, Any], ...] = ()  # signing certificates (signature fields)
    ocr_reason: str = "tệp không có lớp văn bản"  # why it waits for OCR, when it does


# --- plain text ---------------------------------------------------------------------------

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _looks_like_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: ASCII-range text leaves a NUL in every other byte."""
    sample = data[:4000]
    if len(sample) < 4:
        return None
    even_nuls = sample[0::2].count(0) / len(sample[0::2])
    odd_nuls = sample[1::2].count(0) / len(sample[1::2])
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _is_vietnamese_cp1258(text: str) -> bool:
    """Whether a Windows-1258 decoding reads as Vietnamese rather than as noise.

    Windows-1258 writes tones as combining marks after the vowel; real Vietnamese text has
    many of them, and after NFC few marks remain uncomposed and few symbols appear.
    """
    composed = unicodedata.normalize("NFC", text)
    letters = sum(ch.isalpha() for ch in composed)
    if letters == 0:
        return False
    marked = sum(ch.isalpha() and not ch.isascii() for ch in composed)
    loose_marks = sum(unicodedata.category(ch) == "Mn" for ch in composed)
    odd = sum(
        unicodedata.category(ch) in ("Cc", "Co", "Cn", "So", "Sk") and ch not in "\n\r\t"
        for ch in composed
    )
    return marked / letters > 0.05 and loose_marks / letters < 0.01 and odd / letters < 0.01


def _decode_text(data: bytes) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    utf16 = _looks_like_utf16(data)
    if utf16:
        try:
            return data.decode(utf16), utf16
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # 8-bit text: a legacy Vietnamese font encoding (converted here, once)
    # is tried before Windows-1258, which would otherwise accept TCVN3 bytes as noise.
    converted, legacy = to_unicode(data.decode("latin-1"))
    if legacy:
        return converted, f"8-bit+{legacy}"
    try:
        text = data.decode("cp1258")
    except UnicodeDecodeError:
        text = ""
    if text and _is_vietnamese_cp1258(text):
        return text, "windows-1258"
    raise ExtractionError(
        "không nhận ra bảng mã của văn bản (không phải UTF-8, UTF-16 hay Windows-1258)"
    )


def extract_txt(data: bytes) -> Extraction:
    """Plain text in any of the encodings Vietnamese offices produce."""
    text, encoding = _decode_text(data)
    if "\x00" in text:
        raise ExtractionError("tệp văn bản chứa dữ liệu nhị phân")
    charsets = {"utf-8-sig": "utf-8", "utf-16-le": "utf-16le", "utf-16-be": "utf-16be"}
    charset = charsets.get(encoding, encoding)
    # A legacy font encoding has no registered charset name: the bytes are served as is.
    mime = "text/plain" if encoding.startswith("8-bit") else f"text/plain; charset={charset}"
    return Extraction(text=text, method=f"txt:{encoding}", mime=mime)


# --- PDF ----------------------------------------------------------------------------------


def _pdf_error(error: Exception) -> ExtractionError:
    reason = str(error).lower()
    if "password" in reason or "crypt" in reason or "security" in reason:
        return ExtractionError("PDF được mã hóa, cần mật khẩu để mở")
    return ExtractionError(f"PDF hỏng, không đọc được ({type(error).__name__})")


def read_pdf(data: bytes) -> list[PdfPage]:
    """Every page of a PDF with its text and positions; ExtractionError when unreadable."""
    if b"%PDF-" not in data[:1024]:
        raise ExtractionError("không phải tệp PDF hợp lệ (thiếu phần đầu %PDF)")
    try:
        return list(read_pages(data))
    except Exception as error:  # PDFium reports every damage as PdfiumError; be safe
        raise _pdf_error(error) from error


def _page_layout(page: PdfPage) -> tuple[PageLayout, str | None]:
    """A page's lines, with a legacy font encoding (TCVN3, VNI) converted word by word."""
    layout = PageLayout(page.number, tuple(page.lines))
    legacy = detect_legacy(page.layer_text)
    return (convert_layout(layout, legacy), legacy) if legacy else (layout, None)


def decide_pages(pages: list[PdfPage]) -> tuple[list[PageRow], dict[int, str]]:
    """The single rule for each PDF page: its own text, kept with positions, or OCR.

    Returns the rows of pages read now and, for every page left to OCR, the reason.
    """
    rows: list[PageRow] = []
    waiting: dict[int, str] = {}
    for page in pages:
        layout, legacy = _page_layout(page)
        verdict = judge(layout.text if legacy else page.layer_text)
        if verdict.trusted:
            method = "pdf:text-layer" + ("+signature-field" if page.field_words else "")
            method += f"+{legacy}" if legacy else ""
            packed = pack([layout])
            rows.append(PageRow(page.number, layout.text, None, method, verdict.reason, packed))
        else:
            waiting[page.number] = verdict.reason
    if rows:  # a born-digital letter: its pages with no mark at all are blank, not scans
        for page in pages:
            if page.number in waiting and not (page.has_drawing or page.layer_text.strip()):
                del waiting[page.number]
                empty = pack([PageLayout(page.number, ())])
                rows.append(PageRow(page.number, "", None, "pdf:blank", "trang trắng", empty))
        rows.sort(key=lambda row: row.page)
    return rows, waiting


def extract_pdf(data: bytes) -> Extraction:
    """Pages whose text layer is the letter keep it; the others are left to OCR.

    No trusted page at all: the whole PDF waits for OCR. Some: their text is used at once
    and the letter also waits for OCR of the rest. Signing certificates from signature
    fields are kept apart, as signing metadata.
    """
    pages = read_pdf(data)
    if not pages:
        raise ExtractionError("PDF không có trang nào")
    rows, waiting = decide_pages(pages)
    signatures = tuple(signature for page in pages for signature in page.signatures)
    text = "\n\n".join(row.text for row in rows)
    if not waiting:
        fields = any("signature-field" in row.method for row in rows)
        method = "pdf:text-layer+signature-field" if fields else "pdf:text-layer"
        return Extraction(text, method, "application/pdf", len(pages), False, tuple(rows),
                          signatures)  # fmt: skip
    method = "pdf:mixed" if any(row.text for row in rows) else "ocr-pending"
    reasons = "; ".join(dict.fromkeys(waiting.values()))
    return Extraction(text, method, "application/pdf", len(pages), True, tuple(rows), signatures,
                      reasons)  # fmt: skip


# --- Word -----------------------------------------------------------------------------------

_DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class _WordPage:
    """A Word file's text in reading order, and a layout built from its structure.

    Word files have no fixed positions, but a header or signature table says which column
    each line stands in: a cell of column c of n spans c/n to (c+1)/n of the width, and
    each paragraph takes one line of height, rows of a table starting together.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.boxes: list[tuple[str, float, float, int]] = []  # text, x0, x1, row
        self.row = 0

    def paragraph(
        self, text: str, x0: float = 0.0, x1: float = 1.0, row: int | None = None
    ) -> None:
        self.boxes.append((text, x0, x1, self.row if row is None else row))
        if row is None:
            self.row += 1

    def table(self, table: Any) -> None:
        cells_by_row = [_unique_cells(row) for row in table.rows]
        columns = max((len(cells) for cells in cells_by_row), default=0)
        for column in range(columns):  # text: column by column keeps each side together
            for cells in cells_by_row:
                if column < len(cells):
                    self.lines.extend(p.text for p in cells[column].paragraphs)
        self.lines.append("")
        for cells in cells_by_row:  # layout: rows start together, cells side by side
            start, end = self.row, self.row
            for column, cell in enumerate(cells):
                for offset, paragraph in enumerate(cell.paragraphs):
                    left, right = column / len(cells), (column + 1) / len(cells)
                    self.paragraph(paragraph.text, left, right, start + offset)
                end = max(end, start + len(cell.paragraphs))
            self.row = end

    def layout(self) -> PageLayout:
        rows = max(self.row, 1)
        lines = []
        for text, x0, x1, row in self.boxes:
            words = text.split()
            if not words:
                continue
            width, position, placed = (x1 - x0) / max(len(text), 1), 0, []
            for word in words:
                position = text.index(word, position)
                left = x0 + position * width
                right = left + len(word) * width
                placed.append(Word(word, left, row / rows, right, (row + 0.8) / rows))
                position += len(word)
            lines.append(Line(tuple(placed)))
        return PageLayout(1, tuple(lines))


def _unique_cells(row: Any) -> list[Any]:
    """A table row's cells, a merged cell once."""
    seen: list[Any] = []
    for cell in row.cells:
        if not any(cell._tc is other._tc for other in seen):
            seen.append(cell)
    return seen


def _keep_soft_hyphens(document: Any) -> None:
    """Soft hyphens as U+00AD text. TCVN3 stores ư as that byte; Word and LibreOffice write
    it as a `w:softHyphen` element, which python-docx's text leaves out ("Sương" → "Sơng")."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    for hyphen in list(document.element.body.iter(qn("w:softHyphen"))):
        text = OxmlElement("w:t")
        text.text = "\u00ad"
        hyphen.addprevious(text)
        hyphen.getparent().remove(hyphen)


MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # a Word file's parts, unpacked (a zip bomb's are GB)


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a Word file whose parts would unpack beyond `MAX_UNPACKED_BYTES`, before any
    is unpacked (the sizes are in the zip's directory)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ExtractionError("tệp Word hỏng, không đọc được (không phải tệp nén ZIP)") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ExtractionError(
            f"tệp Word bung ra quá lớn ({unpacked} byte; tối đa {MAX_UNPACKED_BYTES}): bom nén?"
        )


def _read_docx(data: bytes) -> _WordPage:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    _check_unpacked_size(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # zip, XML (lxml) and package errors alike
        raise ExtractionError(f"tệp Word hỏng, không đọc được ({type(error).__name__})") from error
    _keep_soft_hyphens(document)
    page = _WordPage()
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            page.lines.append(block.text)
            page.paragraph(block.text)
        elif isinstance(block, Table):
            page.table(block)
    return page


def _word_extraction(data: bytes, method: str, mime: str) -> Extraction:
    page = _read_docx(data)
    text, legacy = to_unicode("\n".join(page.lines))  # detected once, for text and words
    layout = page.layout()
    if legacy:  # .VnTime fonts: the page's words are converted like its text
        layout = convert_layout(layout, legacy)
        method += f"+{legacy}"
    row = PageRow(1, layout.text, None, method, "văn bản Word", pack([layout]))
    return Extraction(text, method, mime, page_rows=(row,))


def extract_docx(data: bytes) -> Extraction:
    """Paragraphs and tables in document order; a table is read column by column.

    The header of a State letter is a two-column table (issuer and number on the left,
    motto, place and date on the right): reading by column keeps each side together.
    """
    return _word_extraction(data, "docx", _DOCX_MIME)


def _converted_extractor(suffix: str, mime: str) -> Callable[[bytes], Extraction]:
    """Word 97–2003, RTF and OpenDocument files, converted to .docx by LibreOffice."""

    def extract_converted(data: bytes) -> Extraction:
        return _word_extraction(to_docx(data, suffix), suffix.lstrip("."), mime)

    return extract_converted


# --- images: archived now, recognised by the OCR step ---------------------------------------


def _image_extractor(mime: str) -> Callable[[bytes], Extraction]:
    def extract_image(data: bytes) -> Extraction:
        try:  # a multi-page TIFF counts its frames; a broken image is reported by OCR
            pages: int | None = count_pages(data, mime)
        except OcrError:
            pages = None
        return Extraction("", "ocr-pending", mime, pages, needs_ocr=True)

    return extract_image


# --- the formats ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Format:
    """A kind of file the archive reads: its suffixes, how to read it, how its bytes begin,
    and what the upload page says of it (Vietnamese)."""

    suffixes: tuple[str, ...]
    read: Callable[[bytes], Extraction]
    starts: tuple[bytes, ...] = ()  # how the bytes begin; () when not checked that way
    note: str = ""  # shown after the suffix on the upload page


_ZIP = b"PK\x03\x04"
_TIFF = (b"II*\x00", b"MM\x00*")
# One row a format: a new format is a row here (and its reader, where it needs its own).
FORMATS = (
    Format((".pdf",), extract_pdf, note="cả bản quét"),  # `read_pdf` checks the header
    Format((".docx",), extract_docx, (_ZIP,)),
    Format((".doc",), _converted_extractor(".doc", "application/msword"),
           (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",), "Word 97–2003"),
    Format((".rtf",), _converted_extractor(".rtf", "application/rtf"), (b"{\\rtf",)),
    Format((".odt",), _converted_extractor(".odt", "application/vnd.oasis.opendocument.text"),
           (_ZIP,)),
    Format((".txt",), extract_txt),
    Format((".png",), _image_extractor("image/png"), (b"\x89PNG\r\n\x1a\n",), "ảnh quét"),
    Format((".jpg", ".jpeg"), _image_extractor("image/jpeg"), (b"\xff\xd8\xff",), "ảnh quét"),
    Format((".tif", ".tiff"), _image_extractor("image/tiff"), _TIFF, "ảnh quét, nhiều trang"),
)  # fmt: skip
EXTRACTORS = {suffix: f for f in FORMATS for suffix in f.suffixes}


def _check_signature(suffix: str, data: bytes) -> None:
    """Refuse a file whose bytes are not the format its name says (random bytes named .doc
    would otherwise reach LibreOffice and be archived as a letter of garbage)."""
    starts = EXTRACTORS[suffix].starts
    if starts and not any(data.startswith(start) for start in starts):
        raise ExtractionError(f"nội dung không phải tệp {suffix} (tên tệp nói khác với nội dung)")


def extract(filename: str, data: bytes) -> Extraction:
    """Extract the text of one file, choosing the extractor by its suffix."""
    suffix = PurePath(filename).suffix.lower()
    found = EXTRACTORS.get(suffix)
    if found is None:
        supported = ", ".join(sorted(EXTRACTORS))
        raise ExtractionError(
            f"định dạng không hỗ trợ ({suffix or 'không có đuôi'}); nhận {supported}"
        )
    if not data:
        raise ExtractionError("tệp rỗng (0 byte)")
    _check_signature(suffix, data)
    extraction = found.read(data)
    text, legacy = to_unicode(extraction.text)
    if legacy is None:
        return extraction
    return replace(extraction, text=text, method=f"{extraction.method}+{legacy}")
