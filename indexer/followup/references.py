"""Resolving citations to archived letters.

Numbering restarts each year (State) or term (Party), so a number alone may belong to
several archived letters. Ties are broken by the date the citation gives, then by the
citing letter's own date (a cited letter is never later) and province; when that still
leaves several, the citation is "ambiguous" rather than linked to the wrong letter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive.catalog import Catalog
from indexer.language.letter import Citation, Letter


@dataclass(frozen=True)
class Resolution:
    """The archived letter a citation refers to; None, with the candidates when several remain."""

    document_id: int | None
    ambiguous: tuple[int, ...] = ()


def _narrow(candidates: list[int], keep: Any) -> list[int]:
    narrowed = [c for c in candidates if keep(c)]
    return narrowed if narrowed else candidates


def resolve(catalog: Catalog, citation: Citation, citing: Letter, citing_id: int) -> Resolution:
    """The archived letter a citation refers to, if it can be told."""
    candidates = [i for i in catalog.documents_numbered(citation.number_key) if i != citing_id]
    if len(candidates) <= 1:
        return Resolution(candidates[0] if candidates else None)
    held = catalog.letters(candidates)
    cited_date = citation.details.get("date")
    if cited_date:
        candidates = _narrow(candidates, lambda c: held[c].date == cited_date)
    bound = citing.date or citing.date_not_before
    if bound and len(candidates) > 1:
        candidates = _narrow(candidates, lambda c: (held[c].date or "9999") <= bound)
    if citing.province and len(candidates) > 1:
        candidates = _narrow(candidates, lambda c: held[c].province == citing.province)
    if len(candidates) == 1:
        return Resolution(candidates[0])
    return Resolution(None, tuple(candidates))


def cites(catalog: Catalog, document_id: int, letter: Letter) -> list[dict[str, Any]]:
    """The letter's citations, each with the archived letter it resolves to."""
    out = []
    for citation in catalog.citations_of(document_id):
        resolution = resolve(catalog, citation, letter, document_id)
        out.append(
            {
                "number": citation.number.text,
                "document_id": resolution.document_id,
                "ambiguous": list(resolution.ambiguous),
                "relation": citation.relation,
                **citation.details,
            }
        )
    return out


CITED_BY_LIMIT = 100


def citing(
    catalog: Catalog, number_key: str, bearer_id: int | None = None, limit: int = CITED_BY_LIMIT
) -> tuple[int, list[dict[str, Any]]]:
    """How many letters cite a number, and the first `limit` of them (by id) as dicts with
    relation, the citation's details and its resolution.

    With `bearer_id`, only citations that resolve to that letter, or are ambiguous between
    it and others, count. When at most one archived letter bears the number (the usual
    case) every citation resolves to it, and no letter needs to be read to count them.
    """
    bearers = catalog.documents_numbered(number_key)
    if len(bearers) <= 1:  # count in SQL, read only the letters shown
        only = bearers[0] if bearers else None
        total = catalog.count_documents_citing(number_key, excluding=bearer_id)
        rows = catalog.documents_citing(number_key, limit + 1)
        rows = [(i, relation) for i, relation in rows if i != bearer_id][:limit]
        kept = [(i, relation, Resolution(only if only != i else None)) for i, relation in rows]
        citations = catalog.citations_naming(number_key, (i for i, _ in rows))
    else:
        rows = [(i, r) for i, r in catalog.documents_citing(number_key) if i != bearer_id]
        citing_letters = catalog.letters(i for i, _ in rows)
        citations = catalog.citations_naming(number_key, citing_letters)
        kept = []
        for document_id, relation in rows:
            citation = citations[document_id]
            resolution = resolve(catalog, citation, citing_letters[document_id], document_id)
            if bearer_id is None or bearer_id in (resolution.document_id, *resolution.ambiguous):
                kept.append((document_id, relation, resolution))
        total = len(kept)
    shown = []
    for document_id, relation, resolution in kept[:limit]:
        # The citation's own words (type, date, issuer of the cited letter) stay apart from
        # the citing letter's fields, which they would otherwise overwrite.
        shown.append({"id": document_id, "relation": relation,
                      "resolves_to": resolution.document_id,
                      "ambiguous": list(resolution.ambiguous),
                      "citation": citations[document_id].details})  # fmt: skip
    return total, shown
