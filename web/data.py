"""The data behind each page: one dict, rendered as HTML or returned as JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from archive.catalog import Catalog, DocumentRecord
from archive.catalog.letter import readings_json, sources_json, value_to_json
from indexer.followup.references import cites, citing
from indexer.intake.scans import needs_review
from indexer.language.letter import BY_NAME, Letter
from indexer.language.numbers import DocumentNumber, parse_number
from indexer.search import EngineError, SearchEngine, SearchRequest, leaving_out
from indexer.search.indexing import hit_fields
from indexer.search.query import ParsedQuery


def search_data(
    engine: SearchEngine, catalog: Callable[[], Catalog], request: SearchRequest
) -> dict[str, Any]:
    """The search page and `/api/search` (and `congvan search`): hits, facets, the
    suggestion and the number panel, all from the request's one parse. The catalog is
    opened (`catalog()`) only for a number's panel."""
    result = leaving_out.search(engine, request)
    return {
        "total": result.total,
        "page": request.page,
        "per_page": request.per_page,
        "hits": result.hits,
        "facets": result.facets,
        # Few or no letters found and a word misspelt: the query corrected, else null.
        "suggestion": result.suggestion,
        # Nothing matched every word: the letters matching the others, and the words left.
        "left_out": list(result.left_out),
        # A query that is one document number: who bears it and who cites it, else null.
        "number": number_panel(catalog, request.parsed),
    }


def _hits(catalog: Catalog, records: list[DocumentRecord]) -> dict[int, dict[str, Any]]:
    """Each letter as a hit without a snippet, by id."""
    letters = catalog.letters(record.id for record in records)
    return {r.id: {**hit_fields(r, letters[r.id]), "snippet": None} for r in records}


def _cited_by(
    catalog: Catalog, letter: Letter, document_id: int
) -> tuple[int, list[dict[str, Any]]]:
    if letter.number is None:
        return 0, []
    total, found = citing(catalog, letter.number.key, bearer_id=document_id)
    return total, _citing_hits(catalog, found)


def _citing_hits(catalog: Catalog, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    hits = _hits(catalog, catalog.documents(item["id"] for item in found))
    return [{**hits[item["id"]], **{k: v for k, v in item.items() if k != "id"}} for item in found]


# A letter's page shows its text a part at a time: a 50 MB letter was 14 MB of HTML, and a
# few people reading it slowed everyone's searches.
TEXT_PAGE_CHARS = 200_000


def text_part(text: str, part: int) -> tuple[str, dict[str, int]]:
    """The `part`-th stretch of TEXT_PAGE_CHARS characters of a text (ending at a line
    break when one is near), and where it stands: {"page", "pages", "chars"}."""
    pages = max(1, -(-len(text) // TEXT_PAGE_CHARS))
    part = min(part, pages)
    shown = text[_part_start(text, part - 1) : _part_start(text, part)]
    return shown, {"page": part, "pages": pages, "chars": len(text)}


def _part_start(text: str, part: int) -> int:
    at = part * TEXT_PAGE_CHARS
    if part == 0 or at >= len(text):
        return min(at, len(text))
    line_end = text.find("\n", at, at + 10_000)
    return line_end + 1 if line_end >= 0 else at


def document_data(catalog: Catalog, document_id: int, text_page: int = 1) -> dict[str, Any] | None:
    """A letter's page: its fields as held, where each was read, its text (the part
    `text_page`) and pages, what it cites and who cites it, its copies and corrections."""
    record = catalog.document(document_id)
    letter = catalog.letter(document_id)
    if record is None or letter is None:
        return None
    cited_by_total, cited_by = _cited_by(catalog, letter, record.id)
    text, text_pages = text_part(record.text, text_page)
    return {
        **hit_fields(record, letter),
        "snippet": None,
        "text": text,
        "text_pages": text_pages,
        "recipients": list(letter.recipients),
        "distribution": list(letter.distribution),
        "status_message": record.status_message,
        "cites": cites(catalog, record.id, letter),
        "cited_by": cited_by,
        "cited_by_total": cited_by_total,
        "corrections": catalog.corrections_of(record.id),
        "signatures": [dict(s) for s in letter.signatures],
        "copies": copies_data(catalog, record.id),
        "sources": sources_json(letter.provenance.sources),  # field → where it was read
        "review": dict(letter.provenance.review),  # field → why a person should look
        "pages": [
            {
                "page": p["page"],
                "text": p["text"],
                "method": p["method"],
                "reason": p["reason"],
                "recognised": p["method"].startswith("ocr:"),
                "confidence": p["confidence"],
                "needs_review": needs_review(p["confidence"]),
            }
            for p in catalog.pages_of(record.id)
        ],
        "file": {
            "filename": record.filename,
            "sha256": record.sha256,
            "size": record.size,
            "mime": record.mime,
            "pages": record.pages,
            "extraction": record.extraction,
            "ingested_at": record.ingested_at,
        },
    }


def copies_data(catalog: Catalog, document_id: int) -> dict[str, Any]:
    """The other files of the same letter, and which one search shows."""
    letter_id, others = catalog.copies(document_id)
    records = {record.id: record for record in catalog.documents(others)}
    letters = catalog.letters(others)  # a corrected number shows as corrected
    return {
        "shown_in_search": letter_id,
        "others": [
            {
                "id": other,
                "filename": records[other].filename,
                "extraction": records[other].extraction,
                "status": records[other].status,
                "number": number.text if (number := letters[other].number) else None,
                "url": f"/documents/{other}",
            }
            for other in others
            if other in records
        ],
    }


def reference_data(catalog: Catalog, number: DocumentNumber) -> dict[str, Any]:
    """The archived letters bearing a number, and every letter citing it."""
    bearers = catalog.documents(catalog.documents_numbered(number.key))
    total, found = citing(catalog, number.key)
    return {
        "number": number.text,
        "documents": list(_hits(catalog, bearers).values()),
        "cited_by": _citing_hits(catalog, found),
        "cited_by_total": total,
        # Letters whose handwritten number may be this one: after the sure ones.
        "unsure": _unsure_hits(catalog, number),
    }


def _unsure_hits(catalog: Catalog, number: DocumentNumber) -> list[dict[str, Any]]:
    maybe = catalog.documents_maybe_numbered(number.key)
    hits = _hits(catalog, catalog.documents(i for i, _ in maybe))
    return [
        {**hits[i], "score": score, "mark": "số đọc chưa chắc chắn"}
        for i, score in maybe
        if i in hits
    ]


def number_panel(catalog: Callable[[], Catalog], parsed: ParsedQuery) -> dict[str, Any] | None:
    """For a query that is one document number: the letters bearing it and citing it."""
    if len(parsed.numbers) != 1 or parsed.words or parsed.phrases:
        return None
    number = parsed.numbers[0]
    if not number.complete:  # `NQ68` stands for several numbers: no one panel
        return None
    return _panel(catalog(), number)


def _panel(catalog: Catalog, number: DocumentNumber) -> dict[str, Any]:
    panel = reference_data(catalog, number)
    if not (panel["documents"] or panel["cited_by_total"] or panel["unsure"]):  # `1245/CV-TU`?
        key = catalog.number_key_loosely(number.match_key)
        written = parse_number(key) if key else None
        panel = reference_data(catalog, written) if written else panel
    return panel


def status_data(catalog: Catalog, document_id: int) -> dict[str, Any] | None:
    """Where a letter stands while its scan is recognised in the background (the upload
    page asks until `status` is no longer `needs_ocr`)."""
    state = catalog.status_of(document_id)
    if state is None:
        return None
    status, status_message, recognised, pages = state
    if status == "needs_ocr":
        progress = f" (xong {recognised}/{pages} trang)" if recognised and pages else ""
        message = f"{status_message or 'đang chờ nhận dạng chữ (OCR)'}{progress}"
    else:
        message = status_message or f"đã nhận dạng chữ xong (văn bản #{document_id})"
    return {
        "id": document_id,
        "status": status,
        "message": message,
        "pages": pages,
        "recognised_pages": recognised,
        "url": f"/documents/{document_id}",
    }


def health_data(engine: SearchEngine, catalog: Catalog) -> dict[str, Any]:
    """The service's state; "degraded" when the engine cannot answer (the archive can)."""
    state = engine.health()
    indexed = None
    if state["available"]:
        try:
            indexed = engine.count()
        except EngineError as error:
            state = {**state, "available": False, "message": str(error)}
    return {
        "status": "ok" if state["available"] else "degraded",
        "engine": engine.name,
        "engine_available": state["available"],
        "engine_message": state["message"],
        "documents": catalog.count_documents(),
        "indexed": indexed,
        "pending": catalog.pending_count(),
    }


ACCESS_PAGE = 100


def _id_param(args: Mapping[str, str], name: str) -> int | None:
    value = (args.get(name) or "").strip()
    return int(value) if value.isdigit() and len(value) <= 18 else None


def access_entries(catalog: Catalog, args: Mapping[str, str]) -> list[dict[str, Any]]:
    """Access log entries for the admin page and its JSON twin (newest first)."""
    return catalog.access_log(
        ACCESS_PAGE, before=_id_param(args, "before"), document_id=_id_param(args, "document")
    )


REVIEW_PAGE = 20  # letters on the review desk's JSON twin at once


def review_data(catalog: Catalog, after: int | None, limit: int = REVIEW_PAGE) -> dict[str, Any]:
    """The review desk: how many letters have each field left for a person, and the next
    `limit` of them, newest first (older than letter `after` when given), each field with
    its note, its value, the readings to choose from and the picture of where it sits."""
    queue = catalog.to_review(after, limit)
    ids = [document_id for document_id, _ in queue]
    records = {record.id: record for record in catalog.documents(ids)}
    letters = catalog.letters(ids)
    counts = catalog.review_counts()
    return {
        "counts": counts,
        "letters": [
            {
                **hit_fields(records[i], letters[i]),
                "url": f"/documents/{i}",
                "review_fields": [_to_review(i, letters[i], field) for field in fields],
            }
            for i, fields in queue
        ],
        "after": after,
    }


def _to_review(document_id: int, letter: Letter, field: str) -> dict[str, Any]:
    readings = letter.provenance.candidates.get(field, ())
    shown = BY_NAME.get(field)
    value = value_to_json(field, getattr(letter, field)) if shown else None
    return {
        "field": field,
        "label": shown.label if shown else field,
        "kind": shown.kind if shown else "text",
        "note": letter.provenance.review[field],
        "value": value,
        "candidates": readings_json(readings),
        # What the input starts with: the value held, else the best reading.
        "prefill": value if value is not None else (readings[0][0] if readings else None),
        "image": f"/api/documents/{document_id}/review/{field}.png",
    }
