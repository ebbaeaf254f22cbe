"""From catalog to engine: the one path by which the search index is written.

Ingestion records pending work in the catalog (`index_queue`) in the same transaction that
catalogues the letter; `apply_pending` turns that work into engine writes. Whoever can take
the engine's writer applies it, the CLI right after ingesting or the running server in the
background, so ingesting while serving neither fails nor loses a letter.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from archive.catalog import Catalog, DocumentRecord, corrected
from indexer.language.numbers import number_key
from indexer.search import HIT_FIELDS, EngineError, IndexDocument, SearchEngine

BATCH = 500


def effective_metadata(record: DocumentRecord, corrections: list[dict[str, Any]]) -> dict[str, Any]:
    """What the archive holds for a letter: what it says, then what other letters suggest
    for fields still unknown, then staff corrections over both."""
    metadata = dict(record.metadata)
    inferred = dict(metadata.get("inferred") or {})
    for field, suggestion in record.archive_inferred.items():
        if metadata.get(field) is None:
            metadata[field] = suggestion["value"]
            inferred[field] = {k: v for k, v in suggestion.items() if k != "value"}
    metadata["inferred"] = inferred
    return corrected(metadata, corrections)


def hit_fields(record: DocumentRecord, metadata: dict[str, Any]) -> dict[str, Any]:
    """The fields of a search hit (without the snippet), in API order."""
    values = {
        **metadata,
        "id": record.id,
        "filename": record.filename,
        "status": record.status,
        "references": list(metadata.get("references") or []),
    }
    return {name: values.get(name) for name in HIT_FIELDS}


def index_document(catalog: Catalog, record: DocumentRecord) -> IndexDocument:
    metadata = effective_metadata(record, catalog.corrections_of(record.id))
    hit = hit_fields(record, metadata)
    if record.metadata.get("page_starts"):  # scans: where each page's text begins
        hit["page_starts"] = record.metadata["page_starts"]
    meta_words = [
        hit.get(name) or ""
        for name in ("number", "issuer", "signer", "place", "province", "filename")
    ]
    return IndexDocument(
        id=record.id,
        key=record.sha256,
        hit=hit,
        text=record.text,
        number_key=number_key(hit["number"]) if hit.get("number") else None,
        reference_keys=tuple(dict.fromkeys(number_key(r) for r in hit["references"])),
        searchable_meta=" ".join(meta_words),
    )


def apply_pending(catalog: Catalog, engine: SearchEngine) -> int:
    """Apply queued index work in batches; return how many documents were written.

    Raises `EngineError` (`IndexBusy`, `EngineUnavailable`…) when the engine cannot take
    the work: what was not written stays queued.
    """
    if engine.needs_rebuild():  # a new, empty index (its schema changed): fill it all
        return reindex(catalog, engine)
    applied = 0
    while True:
        work = catalog.pending(BATCH)
        if not work:
            return applied
        ids = [document_id for document_id, _ in work]
        hidden = catalog.hidden_copies(ids)  # search shows each letter by its best copy
        records = {r.id: r for r in catalog.get_documents(ids) if r.id not in hidden}
        upserts = [index_document(catalog, records[i]) for i in ids if i in records]
        deletes = [i for i in ids if i not in records]
        engine.write(upserts, deletes)
        catalog.done(work)
        applied += len(work)


def try_apply_pending(catalog: Catalog, engine: SearchEngine) -> tuple[int, EngineError | None]:
    """Like `apply_pending`, but reports why the engine could not take the work instead of
    raising: (applied, None) or (0, the error)."""
    try:
        return apply_pending(catalog, engine), None
    except EngineError as error:
        return 0, error


def _all_documents(catalog: Catalog) -> Iterator[IndexDocument]:
    hidden = catalog.hidden_copies()
    for record in catalog.iter_documents():
        if record.id not in hidden:
            yield index_document(catalog, record)


def reindex(catalog: Catalog, engine: SearchEngine) -> int:
    """Rebuild the whole index from the catalog, without re-extracting any file."""
    queued = catalog.pending(10**9)
    count = engine.rebuild(_all_documents(catalog))
    catalog.done(queued)
    return count
