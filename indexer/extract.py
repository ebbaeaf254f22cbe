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

from indexer.legacy import to_unicode
from indexer.ocr import OcrError, count_pages

# A PDF page with fewer visible characters than this is taken to have no text layer.
MIN_CHARS_PER_PAGE = 40


class ExtractionError(Exception):
    """The file cannot be read; the message is the reason, for the user."""


@dataclass(frozen=True)
class Extraction:
    text: str
    method: str  # e.g. "txt:utf-8", "pdf:text-layer", "docx", "ocr-pending"
    mime: str
    pages: int | None = None
    needs_ocr: bool = False


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


def has_text_layer(page_text: str) -> bool:
    """The single rule for whether a PDF page's own text can be used instead of OCR."""
    return len("".join(page_text.split())) >= MIN_CHARS_PER_PAGE


def pdf_pages(data: bytes) -> list[tuple[str, bool]]:
    """(text layer, has images) of each page of a PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if b"%PDF-" not in data[:1024]:
        raise ExtractionError("không phải tệp PDF hợp lệ (thiếu phần đầu %PDF)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ExtractionError("PDF được mã hóa, cần mật khẩu để mở")
        return [(page.extract_text() or "", _has_images(page)) for page in reader.pages]
    except ExtractionError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, IndexError) as error:
        raise ExtractionError(f"PDF hỏng, không đọc được ({type(error).__name__})") from error
    except Exception as error:  # pypdf raises many internal types on damaged files
        if "crypt" in str(error).lower() or "password" in str(error).lower():
            raise ExtractionError("PDF được mã hóa, cần mật khẩu để mở") from error
        raise ExtractionError(f"PDF hỏng, không đọc được ({type(error).__name__})") from error


def _has_images(page: Any) -> bool:
    try:
        return bool(page.images)
    except Exception:  # an unreadable image is still an image to recognise
        return True


def extract_pdf(data: bytes) -> Extraction:
    """The text layer; pages without one (scans) are left to OCR, page by page.

    No usable text at all: the whole PDF waits for OCR. Some pages scanned: the text of the
    others is used at once and the letter also waits for OCR of the scanned pages.
    """
    pages = pdf_pages(data)
    if not pages:
        raise ExtractionError("PDF không có trang nào")
    usable = [text for text, _ in pages if has_text_layer(text)]
    scanned = [has_images for text, has_images in pages if not has_text_layer(text)]
    if not usable:
        return Extraction("", "ocr-pending", "application/pdf", len(pages), needs_ocr=True)
    if any(scanned):
        text = "\n\n".join(usable)
        return Extraction(text, "pdf:mixed", "application/pdf", len(pages), needs_ocr=True)
    return Extraction("\n\n".join(text for text, _ in pages), "pdf:text-layer",
                      "application/pdf", len(pages))  # fmt: skip


# --- Word -----------------------------------------------------------------------------------

_DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def extract_docx(data: bytes) -> Extraction:
    """Paragraphs and tables in document order; a table is read column by column.

    The header of a State letter is a two-column table (issuer and number on the left,
    motto, place and date on the right): reading by column keeps each side together.
    """
    import docx
    from docx.document import Document as DocxDocument
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document: DocxDocument = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ExtractionError(f"tệp Word hỏng, không đọc được ({type(error).__name__})") from error
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for column in range(len(block.columns)):
                for row in block.rows:
                    cell = row.cells[column] if column < len(row.cells) else None
                    if cell is not None:
                        lines.extend(p.text for p in cell.paragraphs)
            lines.append("")
    return Extraction("\n".join(lines), "docx", _DOCX_MIME)


# --- images: archived now, recognised by the OCR step ---------------------------------------

_IMAGE_MIMES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}


def _image_extractor(mime: str) -> Callable[[bytes], Extraction]:
    def extract_image(data: bytes) -> Extraction:
        try:  # a multi-page TIFF counts its frames; a broken image is reported by OCR
            pages: int | None = count_pages(data, mime)
        except OcrError:
            pages = None
        return Extraction("", "ocr-pending", mime, pages, needs_ocr=True)

    return extract_image


EXTRACTORS: dict[str, Callable[[bytes], Extraction]] = {
    ".txt": extract_txt,
    ".pdf": extract_pdf,
    ".docx": extract_docx,
    **{suffix: _image_extractor(mime) for suffix, mime in _IMAGE_MIMES.items()},
}


def extract(filename: str, data: bytes) -> Extraction:
    """Extract the text of one file, choosing the extractor by its suffix."""
    suffix = PurePath(filename).suffix.lower()
    extractor = EXTRACTORS.get(suffix)
    if extractor is None:
        supported = ", ".join(sorted(EXTRACTORS))
        raise ExtractionError(
            f"định dạng không hỗ trợ ({suffix or 'không có đuôi'}); nhận {supported}"
        )
    if not data:
        raise ExtractionError("tệp rỗng (0 byte)")
    extraction = extractor(data)
    text, legacy = to_unicode(extraction.text)
    if legacy is None:
        return extraction
    return replace(extraction, text=text, method=f"{extraction.method}+{legacy}")
