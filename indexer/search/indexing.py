"""From catalog to engine: the one path by which the search index is written.

Ingestion records pending work in the catalog (`index_queue`) in the same transaction that
catalogues the letter; `apply_pending` turns that work into engine writes. Whoever can take
the engine's writer applies it, the CLI right after ingesting or the running server in the
background, so ingesting while serving neither fails nor loses a letter.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from archive.catalog import Catalog, DocumentRecord
from archive.catalog.letter import fields_json, inferred_json
from indexer.language.letter import Letter
from indexer.search import HIT_FIELDS, EngineError, IndexDocument, SearchEngine

BATCH = 500


def hit_fields(record: DocumentRecord, letter: Letter) -> dict[str, Any]:
    """The fields of a search hit (without the snippet), in API order."""
    values = {
        **fields_json(letter),
        "id": record.id,
        "filename": record.filename,
        "status": record.status,
        "inferred": inferred_json(letter.inferred),
    }
    return {name: values.get(name) for name in HIT_FIELDS}


def index_document(record: DocumentRecord, letter: Letter) -> IndexDocument:
    """A letter as the engines index it, from its record and the letter as held."""
    hit = hit_fields(record, letter)
    meta_words = [
        hit.get(name) or ""
        for name in ("number", "issuer", "signer", "place", "province", "filename")
    ]
    return IndexDocument(
        id=record.id,
        key=record.sha256,
        hit=hit,
        text=record.text,
        number_key=letter.number_key,
        reference_keys=tuple(dict.fromkeys(number.key for number in letter.references)),
        searchable_meta=" ".join(meta_words),
        page_starts=letter.page_starts or (),
    )


def _index_documents(catalog: Catalog, records: list[DocumentRecord]) -> list[IndexDocument]:
    letters = catalog.letters(record.id for record in records)
    return [index_document(record, letters[record.id]) for record in records]


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
        records = {r.id: r for r in catalog.documents(ids) if r.id not in hidden}
        upserts = _index_documents(catalog, [records[i] for i in ids if i in records])
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


def all_documents(catalog: Catalog) -> Iterator[IndexDocument]:
    """Every letter search shows (each by its best copy), as the engines index it."""
    hidden = catalog.hidden_copies()
    shown = (record for record in catalog.iter_documents() if record.id not in hidden)
    while records := list(islice(shown, BATCH)):
        yield from _index_documents(catalog, records)


def reindex(catalog: Catalog, engine: SearchEngine) -> int:
    """Rebuild the whole index from the catalog, without re-extracting any file."""
    queued = catalog.pending(10**9)
    count = engine.rebuild(all_documents(catalog))
    catalog.done(queued)
    return count
