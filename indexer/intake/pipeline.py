"""Ingestion: a file goes into the archive and comes out catalogued and queued for indexing.

Steps, in order: name the file safely, refuse empty or unsupported files, hash, skip what is
already archived, extract text, normalize it, read metadata and citations, store the
original, catalogue everything in one transaction. A failure at any step is reported for
that file only; nothing already archived is touched.
"""

from __future__ import annotations

import atexit
import errno
import os
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path, PurePosixPath

from archive.catalog import Catalog, NewDocument
from archive.settings import MAX_FILE_BYTES
from archive.store import OriginalStore, sha256_of
from indexer.intake.copies import archived_copy, copy_warning, letter_keys, text_fingerprint
from indexer.intake.disk import read_file
from indexer.language.vietnamese import clean, normalize_document, strip_markup
from indexer.letter.file_name import weigh_file_name
from indexer.letter.inference import infer_from_text
from indexer.letter.metadata import parse_metadata
from indexer.letter.zones import Zones, zones_from_pages, zones_from_text
from indexer.pages.extract import EXTRACTORS, Extraction, ExtractionError, extract

# The formats the archive takes, for the upload page (the web layer reads no file itself).
from indexer.pages.extract import FORMATS as FORMATS
from indexer.pages.isolation import Readers
from indexer.pages.layout import unpack

# About 5,000 pages: longer is not a letter's text. The original is kept whole; what is read,
# stored as text and indexed stops there, so no file can take the server's memory.
MAX_TEXT_CHARS = 10_000_000

ARCHIVED, NEEDS_OCR, DUPLICATE, FAILED = "archived", "needs_ocr", "duplicate", "failed"
NOT_READ = "not_read"  # files a batch stopped before (the disk is full)
DISK_FULL = "đĩa chứa kho đã đầy, không ghi được gì nữa"
WRITE_FAILED = (
    "không ghi được vào thư mục dữ liệu {folder} (đĩa đầy hoặc lỗi đĩa); giải phóng chỗ"
    " trống rồi chạy lại, không có gì đã lưu bị mất"
)


class DiskFull(Exception):
    """The disk holding the archive is full: the batch stops, its summary is printed.
    Nothing half-written stays: SQLite rolls back, an original is written whole or not."""

    def __init__(self, outcome: IngestOutcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


def cannot_write(error: BaseException) -> bool:
    """Whether an error says the data folder cannot be written: a full disk, or SQLite's
    I/O error (what opening the catalog on a full disk gives)."""
    if isinstance(error, sqlite3.OperationalError) and "disk I/O error" in str(error):
        return True
    return disk_full(error)


def disk_full(error: BaseException) -> bool:
    """Whether an error says the disk (or the catalog's database) is full."""
    if isinstance(error, sqlite3.OperationalError):
        return "disk is full" in str(error)  # "database or disk is full"
    return isinstance(error, OSError) and error.errno == errno.ENOSPC


@dataclass(frozen=True)
class IngestOutcome:
    """What became of one file: its outcome, the message for the user, the letter."""

    source: str
    outcome: str  # ARCHIVED, NEEDS_OCR, DUPLICATE or FAILED
    message: str
    document_id: int | None = None
    copy_of: int | None = None  # an archived letter this file seems another copy of

    @property
    def failed(self) -> bool:
        """Whether the file could not be archived."""
        return self.outcome == FAILED

    def line(self) -> str:
        """One line for the user: the file, then what happened to it."""
        return f"{self.source}: {self.message}"


def unexpected(error: BaseException) -> str:
    """An unexpected error in one line: its type and the first line of its message."""
    message = str(error).strip().splitlines()
    return f"{type(error).__name__}: {message[0][:200]}" if message else type(error).__name__


def display_name(name: str) -> str:
    """The bare file name, whatever path (`../`, backslashes) came with it, on one printable
    line (a newline or a control character is shown escaped: it could not be a header)."""
    bare = _printable(PurePosixPath(name.replace("\\", "/")).name)
    return bare if bare not in ("", ".", "..") else "không-tên"


def _printable(text: str) -> str:
    """Each character a terminal, a log or a header cannot show (newline, control
    character) written as its escape (`\\n`)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def letter_zones(extraction: Extraction) -> Zones:
    """The zones metadata is read from: by position when the pages have them."""
    laid = [(page, row.method) for row in extraction.page_rows if row.layout
            for page in unpack(row.layout)]  # fmt: skip
    if laid:
        return zones_from_pages(laid)
    return zones_from_text(strip_markup(clean(extraction.text)), extraction.method)


def read_letter(filename: str, data: bytes, digest: str, extraction: Extraction) -> NewDocument:
    """Everything the archive records about a file's text: normalized text, metadata read
    and inferred, citations (the same for digital letters and recognised scans)."""
    extraction, cut = _bounded(extraction)
    text = normalize_document(extraction.text)
    reading = parse_metadata(letter_zones(extraction), text)
    letter = weigh_file_name(infer_from_text(reading.letter, text), filename)
    letter = replace(letter, signatures=extraction.signatures)
    needs_ocr = extraction.needs_ocr
    status_message = f"cần nhận dạng chữ (OCR): {extraction.ocr_reason}" if needs_ocr else cut
    return NewDocument(
        sha256=digest,
        size=len(data),
        mime=extraction.mime,
        filename=filename,
        status="needs_ocr" if needs_ocr else "ready",
        status_message=status_message,
        extraction=extraction.method,
        pages=extraction.pages,
        text=text,
        letter=letter,
        citations=reading.citations,  # a table of their own, where "cited by" is asked
        page_rows=extraction.page_rows,
        copy_keys=letter_keys(letter, text_fingerprint(text)),
    )


def _bounded(extraction: Extraction) -> tuple[Extraction, str | None]:
    """The extraction with its text cut at `MAX_TEXT_CHARS` (at a line end), and a note
    saying so: every later step, the catalog and the index then stay bounded."""
    if len(extraction.text) <= MAX_TEXT_CHARS:
        return extraction, None
    end = extraction.text.rfind("\n", 0, MAX_TEXT_CHARS)
    cut = extraction.text[: end if end > 0 else MAX_TEXT_CHARS]
    note = (
        f"văn bản rất dài ({len(extraction.text):,} ký tự): chỉ {len(cut):,} ký tự đầu được"
        " đọc và tìm kiếm; bản gốc được lưu đầy đủ"
    ).replace(",", ".")
    return replace(extraction, text=cut), note


def read_file_data(name: str, data: bytes, digest: str) -> NewDocument:
    """Extract and read one file (run in the isolated reader: see `reader`)."""
    return read_letter(name, data, digest, extract(name, data))


@cache
def reader() -> Readers:
    """The processes that read files for this one, within time and memory limits (one per
    core, so a slow file leaves the others going); started on first use, stopped at exit."""
    readers = Readers(count=max(2, os.cpu_count() or 1))
    atexit.register(readers.close)
    return readers


def ingest_bytes(
    catalog: Catalog, store: OriginalStore, data: bytes, filename: str, source: str | None = None
) -> IngestOutcome:
    """Archive one file given as bytes; never raises for bad input."""
    name = display_name(filename)
    source = source or name
    digest = sha256_of(data) if data else None
    try:
        if len(data) > MAX_FILE_BYTES:
            raise ExtractionError(f"tệp quá lớn ({len(data)} byte; tối đa {MAX_FILE_BYTES})")
        existing = catalog.document_id_for_sha(digest) if digest else None
        if existing is not None:
            outcome = _duplicate(source, existing)
        else:
            new = reader().call(read_file_data, name, data, digest or "")
            store.put(data)
            try:
                document_id = catalog.add_document(new)
            except sqlite3.IntegrityError:
                # The same file archived meanwhile by another upload or process: a copy
                # already kept, not a failure.
                existing = catalog.document_id_for_sha(new.sha256)
                if existing is None:
                    raise
                return _logged(catalog, _duplicate(source, existing), digest)
            message = f"đã lưu trữ (văn bản #{document_id})"
            copy = archived_copy(catalog, document_id, new.copy_keys) if new.copy_keys else None
            if copy:
                message += f"; {copy_warning(copy)}"
            if new.status == "needs_ocr":
                message += f", {new.status_message}"
            kind = NEEDS_OCR if new.status == "needs_ocr" else ARCHIVED
            outcome = IngestOutcome(source, kind, message, document_id, copy[0] if copy else None)
    except DiskFull:
        raise
    except ExtractionError as error:
        outcome = IngestOutcome(source, FAILED, f"lỗi: {error}")
    except Exception as error:  # one file's failure stays its own: the batch goes on
        if disk_full(error):
            raise DiskFull(IngestOutcome(source, FAILED, f"lỗi: {DISK_FULL}")) from error
        outcome = IngestOutcome(source, FAILED, f"lỗi: không đọc được tệp ({unexpected(error)})")
    return _logged(catalog, outcome, digest)


def _duplicate(source: str, existing: int) -> IngestOutcome:
    return IngestOutcome(source, DUPLICATE, f"đã có trong kho (văn bản #{existing})", existing)


def _logged(catalog: Catalog, outcome: IngestOutcome, digest: str | None) -> IngestOutcome:
    """The outcome, once written to the ingest log (DiskFull when it cannot be)."""
    try:
        catalog.log_ingest(
            outcome.source, outcome.outcome, outcome.message, digest, outcome.document_id
        )
    except sqlite3.OperationalError as error:
        if not disk_full(error):
            raise
        raise DiskFull(outcome) from error
    return outcome


def ingest_path(
    catalog: Catalog, store: OriginalStore, path: Path, within: Path | None = None,
    private: frozenset[tuple[int, int]] = frozenset(),
) -> IngestOutcome:  # fmt: skip
    """Archive one file from disk (`disk.read_file`: never one of `private`, never out of
    `within` by a link); what cannot be read is reported, not raised."""
    source = display_path(path)
    try:
        data = read_file(path, within, private)
    except Exception as error:  # a link loop, a vanished file…: that file's line only
        reason = str(error) if isinstance(error, ExtractionError) else unexpected(error)
        return _logged(catalog, IngestOutcome(source, FAILED, f"lỗi: {reason}"), None)
    return ingest_bytes(catalog, store, data, display_path(Path(path.name)), source=source)


def ingest_files(
    catalog: Catalog, store: OriginalStore, files: Sequence[tuple[Path, Path | None]],
    on_outcome: Callable[[IngestOutcome], None] = lambda outcome: None,
    private: frozenset[tuple[int, int]] = frozenset(),
) -> Counter[str]:  # fmt: skip
    """Archive the files `iter_files` found, one after another, after removing what a run
    killed while writing an original left in the store; how many had each outcome. No
    file of `private` (the data folder's own, `Settings.private_files`) is read. A full
    disk stops the batch: the files after it are counted as NOT_READ."""
    store.remove_leftovers()
    counts: Counter[str] = Counter()
    for done, (path, within) in enumerate(files):
        try:
            outcome = ingest_path(catalog, store, path, within, private)
        except DiskFull as full:
            counts[FAILED] += 1
            on_outcome(full.outcome)
            counts[NOT_READ] = len(files) - done - 1
            return counts
        counts[outcome.outcome] += 1
        on_outcome(outcome)
    return counts


def display_path(path: Path) -> str:
    """A path as one printable line: a newline or a byte that is not UTF-8 in a file name
    is shown escaped, never written raw to a terminal, a log or the catalog."""
    return _printable(os.fsencode(path).decode("utf-8", "backslashreplace"))


def _letter_like(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in EXTRACTORS


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, Path | None]]:
    """Each file to ingest and the folder it was found in: files named, and everything
    inside folders named (recursively, sorted, hidden skipped; links not descended into,
    they are reported by `read_file`)."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            for root, dirs, files in os.walk(path):
                # Reported, not entered: links (never followed out) and folders named like
                # a letter ("thu.pdf"), which an operator took for files.
                odd = {d for d in dirs if os.path.islink(os.path.join(root, d)) or _letter_like(d)}
                for name in sorted(odd):
                    yield Path(root) / name, path
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in odd)
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name, path
        else:
            yield path, None
