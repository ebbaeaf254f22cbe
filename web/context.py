"""Per-request access to the catalog, the engine and the original store."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import current_app, g, request
from werkzeug.datastructures import FileStorage

from archive.catalog import Catalog
from archive.store import OriginalStore
from indexer.followup.corrections import confirm_review, correct, correct_many
from indexer.intake.pipeline import (
    DISK_FULL,
    NEEDS_OCR,
    NOT_READ,
    DiskFull,
    IngestOutcome,
    ingest_bytes,
)
from indexer.search import SearchEngine
from indexer.search.indexing import try_apply_pending

log = logging.getLogger(__name__)


def get_catalog() -> Catalog:
    """The request's catalog connection, opened on first use."""
    if "catalog" not in g:
        g.catalog = Catalog(current_app.config["SETTINGS"].catalog_path)
    catalog: Catalog = g.catalog
    return catalog


def get_engine() -> SearchEngine:
    """The app's search engine, shared by every request."""
    engine: SearchEngine = current_app.extensions["congvan_engine"]
    return engine


def get_store() -> OriginalStore:
    """The app's store of originals, shared by every request."""
    store: OriginalStore = current_app.extensions["congvan_store"]
    return store


def close_catalog(_error: BaseException | None) -> None:
    """Close the request's catalog connection, if it opened one (at teardown)."""
    catalog = g.pop("catalog", None)
    if catalog is not None:
        catalog.close()


def apply_now(catalog: Catalog, engine: SearchEngine) -> None:
    """Apply queued index work at once so a change shows in search; if another process
    holds the writer, or the index cannot be written (a full disk), the work stays queued
    and the background worker applies it later."""
    try:
        try_apply_pending(catalog, engine)
    except Exception as error:  # what was archived is kept; only the index waits
        log.warning("the index could not be updated now: %s", error)


def record_correction(
    document_id: int, author: str, fields: dict[str, object], reviewed: bool = False
) -> bool:
    """Correct a letter's metadata and show it in search at once; False if there is no such
    letter. A rejected correction raises CorrectionError with the reason. `reviewed` (the
    review desk's save): the fields left as they were are recorded as read too
    (`confirm_review`)."""
    catalog = get_catalog()
    if catalog.document(document_id) is None:
        return False
    changed = correct(catalog, document_id, author, fields)
    if reviewed:
        confirm_review(catalog, document_id, author, [n for n in fields if n not in changed])
    apply_now(catalog, get_engine())
    return True


def record_corrections(
    document_ids: list[int], author: str, fields: dict[str, object]
) -> dict[int, list[str]]:
    """The same corrections over a batch of letters, shown in search at once; all or none
    (CorrectionError says why none)."""
    catalog = get_catalog()
    changed = correct_many(catalog, document_ids, author, fields)
    apply_now(catalog, get_engine())
    return changed


def background_work() -> dict[str, threading.Event]:
    """Events the server's workers wait on: "ocr" (scans wait for recognition)."""
    events: dict[str, threading.Event] = current_app.extensions["congvan_due"]
    return events


def unreadable_upload() -> str | None:
    """Why a form with a body gave nothing at all, when it did: a file name that is not
    UTF-8 (the whole form cannot be read then), or a broken form. None when the form was
    read (it only held no file)."""
    empty = not request.files and not request.form
    if empty and request.mimetype == "multipart/form-data" and (request.content_length or 0):
        return (
            "không đọc được tệp gửi lên: tên tệp không phải UTF-8 hoặc biểu mẫu hỏng;"
            " hãy đổi tên tệp (chỉ chữ, số) rồi tải lên lại"
        )
    return None


def archive_uploads(files: list[FileStorage], uploader: str) -> tuple[list[dict[str, Any]], int]:
    """Archive uploaded files one by one (a bad file is reported, the others go on), then
    index them at once so they are found in search right after. With the outcomes, the
    HTTP status: 507 when the disk filled up, the file it stopped at and those after it
    said so (the files before it stay archived)."""
    catalog, store = get_catalog(), get_store()
    results = []
    for position, upload in enumerate(files):
        name = upload.filename or "không tên"
        try:
            data = upload.read()
        finally:  # large uploads are spooled to a temporary file: close it at once
            upload.close()
        try:
            outcome = ingest_bytes(catalog, store, data, name, f"{name} (tải lên: {uploader})")
        except DiskFull as full:
            results.append(_answer(name, full.outcome))
            unread = [later.filename or "không tên" for later in files[position + 1 :]]
            results.extend(
                _answer(n, IngestOutcome(n, NOT_READ, f"chưa đọc: {DISK_FULL}")) for n in unread
            )
            return results, 507
        results.append(_answer(name, outcome))
    apply_now(catalog, get_engine())
    outcomes = {result["outcome"] for result in results}
    # New scans wake the OCR worker; copies and inference follow in the index worker.
    if NEEDS_OCR in outcomes:
        background_work()["ocr"].set()
    return results, 200


def _answer(name: str, outcome: IngestOutcome) -> dict[str, Any]:
    """What an upload answers for one file."""
    return {
        "filename": name,
        "outcome": outcome.outcome,
        "message": outcome.message,
        "document_id": outcome.document_id,
        "url": f"/documents/{outcome.document_id}" if outcome.document_id else None,
        "copy_of": outcome.copy_of,
    }
