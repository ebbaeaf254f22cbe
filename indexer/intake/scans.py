"""Scanned letters: recognise the pages of archived scans, then read them like digital letters.

Every page is stored in the catalog as soon as it is recognised; running again skips the
pages already there, so an interrupted batch loses nothing and redoes nothing. When all
pages of a letter are done its text is normalized and its metadata read exactly as for a
digital letter, and the letter is queued for indexing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from archive.catalog import Catalog, PageRow
from archive.store import OriginalStore
from indexer.intake.copies import archived_copy, copy_warning
from indexer.intake.pipeline import read_letter, unexpected
from indexer.language.letter import BY_NAME
from indexer.language.vietnamese import normalize_document
from indexer.pages.extract import Extraction, ExtractionError, decide_pages, read_pdf
from indexer.pages.layout import pack, unpack
from indexer.pages.ocr import OcrError, PageText, page_part_png, page_png, recognise_document

# What the web layer asks of OCR, through the intake (it never reads a file itself).
from indexer.pages.ocr import tesseract_ready as tesseract_ready

METHOD = "ocr:tesseract-vie"
# Below this mean word confidence a page is flagged for checking against the original: on
# degraded test scans clean pages score 93–96 and read almost without error, while a page
# blurred until tones slip ("phòng" → "phông") scores 71–80.
REVIEW_BELOW = 90.0

def needs_review(confidence: float | None) -> bool:
    """Whether a recognised page should be checked against the original by a person."""
    return confidence is not None and confidence < REVIEW_BELOW


@dataclass(frozen=True)
class OcrOutcome:
    """What recognising one scanned letter came to: its message, and whether it failed."""

    document_id: int
    filename: str
    message: str
    failed: bool = False

    def line(self) -> str:
        """The outcome as one line of a report: the file name, then the message."""
        return f"{self.filename}: {self.message}"


def page_starts(text: str, page_texts: list[str]) -> list[int]:
    """Where each page begins in the letter's normalized text (pages are joined there)."""
    starts, position = [], 0
    for page_text in page_texts:
        opening = normalize_document(page_text)[:40]
        found = text.find(opening, position) if opening else -1
        position = found if found >= 0 else position
        starts.append(position)
    return starts


def _ocr_reasons(catalog: Catalog, document_id: int, data: bytes, mime: str) -> dict[int, str]:
    """Why each page not yet read goes to OCR; pages whose own text is kept are stored
    (archives made before text layers were stored at ingest have none yet)."""
    if mime != "application/pdf":
        return {}
    try:
        rows, waiting = decide_pages(read_pdf(data))
    except ExtractionError:
        return {}  # an unreadable PDF is reported by rendering, which tries it whole
    done = {page["page"] for page in catalog.pages_of(document_id)}
    for row in rows:
        if row.page not in done:
            catalog.save_page(document_id, row)
    return waiting


def page_image(catalog: Catalog, store: OriginalStore, document_id: int, page: int) -> bytes:
    """A page of an archived scan as PNG; OcrError when there is no such page."""
    record = catalog.document(document_id)
    if record is None:
        raise OcrError(f"không có văn bản #{document_id}")
    return page_png(store.read(record.sha256), record.mime, page)


# Where a field under review sits when no blank of it was located: (page, box), page -1
# the last; the number and date stand in the header, the signer at the foot.
_FIELD_PLACES = {"number": (1, (0.0, 0.0, 1.0, 0.3)), "date": (1, (0.0, 0.0, 1.0, 0.3)),
                 "signer": (-1, (0.0, 0.5, 1.0, 1.0))}  # fmt: skip
_FIELD_BLANKS = {"number": {"number"}, "date": {"day", "month"}}
_AROUND = (4.0, 0.8)  # the blanks' box widened by these line heights, across and down


def field_place(catalog: Catalog, document_id: int, field: str) -> tuple[int, tuple[float, ...]]:
    """Where on its pages a person reads a field: its handwritten blanks with the words
    around them when the scan's reader located them, else where the field stands on a
    letter (the header, the foot). (page, box in page fractions)."""
    rows = catalog.page_rows_of(document_id)
    first = unpack(rows[0].layout) if rows and rows[0].layout else []
    boxes = [b.box for p in first for b in p.blanks if b.field in _FIELD_BLANKS.get(field, ())]
    if boxes:
        x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
        across, down = ((y1 - y0) * share for share in _AROUND)
        return 1, (x0 - across, y0 - down, x1 + across, y1 + down)
    page, box = _FIELD_PLACES.get(field, (1, (0.0, 0.0, 1.0, 1.0)))
    return (len(rows) or 1) if page == -1 else page, box


def field_image(catalog: Catalog, store: OriginalStore, document_id: int, field: str) -> bytes:
    """The part of a scan's page where a field is read (`field_place`), as PNG; OcrError
    when the field is not one of the table's, or the letter is not a scan or has no such
    page."""
    if field not in BY_NAME:
        raise OcrError(f"không có trường {field[:40]!r}")
    record = catalog.document(document_id)
    if record is None:
        raise OcrError(f"không có văn bản #{document_id}")
    if not (record.mime.startswith("application/pdf") or record.mime.startswith("image/")):
        raise OcrError(f"văn bản #{document_id} không phải bản quét hay PDF, không có ảnh trang")
    page, box = field_place(catalog, document_id, field)
    return page_part_png(store.read(record.sha256), record.mime, page, box)


def recognise(
    catalog: Catalog, store: OriginalStore, document_id: int, max_pages: int,
    on_page: Callable[[PageText], None] = lambda page: None,
) -> OcrOutcome:  # fmt: skip
    """Recognise one archived scan and store what it says."""
    record = catalog.document(document_id)
    if record is None:
        raise KeyError(document_id)
    data = store.read(record.sha256)
    reasons = _ocr_reasons(catalog, document_id, data, record.mime)
    done = {page["page"] for page in catalog.pages_of(document_id)}

    def store_page(page: PageText) -> None:
        method = "ocr:blank" if page.blank else METHOD
        reason = "trang trắng, bỏ qua" if page.blank else reasons.get(page.number, "bản quét")
        layout = pack([page.layout]) if page.layout else None
        catalog.save_page(
            document_id, PageRow(page.number, page.text, page.confidence, method, reason, layout)
        )
        on_page(page)

    try:
        pages = recognise_document(data, record.mime, done, store_page, max_pages)
    except Exception as error:  # one scan's failure stays its own; the batch goes on
        reason = str(error) if isinstance(error, OcrError) else unexpected(error)
        catalog.set_status_message(document_id, f"OCR không thành công: {reason}")
        return OcrOutcome(document_id, record.filename, f"lỗi OCR: {reason}", failed=True)
    stored = catalog.pages_of(document_id)
    page_texts = [page["text"] for page in stored]
    text = "\n\n".join(page_texts)
    method = "+".join(sorted({page["method"] for page in stored if page["text"]})) or METHOD
    read = catalog.as_read(document_id)
    signatures = tuple(dict(s) for s in read.signatures) if read else ()  # read at ingest, kept
    rows = tuple(catalog.page_rows_of(document_id))
    extraction = Extraction(text, method, record.mime, pages, page_rows=rows, signatures=signatures)
    new = read_letter(record.filename, data, record.sha256, extraction)
    starts = tuple(page_starts(new.text, page_texts))
    new = replace(new, letter=replace(new.letter, page_starts=starts))
    message = f"đã nhận dạng {pages} trang (văn bản #{document_id})"
    doubtful = [str(page["page"]) for page in stored if needs_review(page["confidence"])]
    if doubtful:
        message += f"; trang {', '.join(doubtful)} nhận dạng kém, nên đối chiếu bản gốc"
    if not text.strip():
        message = f"không tìm thấy chữ nào trên {pages} trang (trang trắng?)"
        new = replace(new, status_message=message)
    catalog.replace_extraction(document_id, new)
    copy = archived_copy(catalog, document_id, new.copy_keys) if new.copy_keys else None
    if copy:  # its number is known now: warn as ingest does for a digital file
        message += f"; {copy_warning(copy)}"
    return OcrOutcome(document_id, record.filename, message)


def recognise_pending(
    catalog: Catalog, store: OriginalStore, max_pages: int,
    on_page: Callable[[PageText], None] = lambda page: None,
    on_document: Callable[[OcrOutcome], None] = lambda outcome: None,
) -> list[OcrOutcome]:  # fmt: skip
    """Recognise every archived letter still waiting for OCR, one after another."""
    outcomes = []
    for document_id in catalog.documents_needing_ocr():
        outcome = recognise(catalog, store, document_id, max_pages, on_page)
        on_document(outcome)
        outcomes.append(outcome)
    return outcomes
