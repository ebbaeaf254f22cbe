"""The data behind each page: one dict, rendered as HTML or returned as JSON."""

from __future__ import annotations

from typing import Any

from archive.catalog import Catalog, DocumentRecord
from indexer.engine import SearchEngine, SearchRequest
from indexer.indexing import effective_metadata, hit_fields
from indexer.numbers import number_key


def search_data(engine: SearchEngine, request: SearchRequest) -> dict[str, Any]:
    result = engine.search(request)
    return {
        "total": result.total,
        "page": request.page,
        "per_page": request.per_page,
        "hits": result.hits,
        "facets": result.facets,
    }


def _hit(catalog: Catalog, record: DocumentRecord) -> dict[str, Any]:
    metadata = effective_metadata(record, catalog.corrections_of(record.id))
    return {**hit_fields(record, metadata), "snippet": None}


def _cites(catalog: Catalog, document_id: int) -> list[dict[str, Any]]:
    cites = []
    for citation in catalog.citations_of(document_id):
        bearers = [i for i in catalog.documents_numbered(citation.number_key) if i != document_id]
        cites.append(
            {
                "number": citation.number,
                "document_id": bearers[0] if len(bearers) == 1 else None,
                "ambiguous": bearers if len(bearers) > 1 else [],
                "relation": citation.relation,
                **citation.details,
            }
        )
    return cites


def _cited_by(catalog: Catalog, number: str | None, document_id: int) -> list[dict[str, Any]]:
    if not number:
        return []
    citing = dict(catalog.documents_citing(number_key(number)))
    citing.pop(document_id, None)
    records = catalog.get_documents(citing)
    return [{**_hit(catalog, r), "relation": citing[r.id]} for r in records]


def document_data(catalog: Catalog, document_id: int) -> dict[str, Any] | None:
    record = catalog.get_document(document_id)
    if record is None:
        return None
    hit = _hit(catalog, record)
    metadata = effective_metadata(record, catalog.corrections_of(record.id))
    return {
        **hit,
        "text": record.text,
        "recipients": metadata.get("recipients") or [],
        "distribution": metadata.get("distribution") or [],
        "status_message": record.status_message,
        "cites": _cites(catalog, record.id),
        "cited_by": _cited_by(catalog, hit["number"], record.id),
        "corrections": catalog.corrections_of(record.id),
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


def health_data(engine: SearchEngine, catalog: Catalog) -> dict[str, Any]:
    return {
        "status": "ok",
        "engine": engine.name,
        "documents": catalog.count_documents(),
        "indexed": engine.count(),
        "pending": catalog.pending_count(),
    }
