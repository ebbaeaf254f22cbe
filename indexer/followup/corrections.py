"""Staff corrections of metadata: validated here, stored append-only in the catalog.

The extracted value is never overwritten: a correction is laid over it when the letter is
read, so it survives `congvan reindex` and any later re-extraction of the original.
"""

from __future__ import annotations

from typing import Any

from archive.catalog import Catalog, Citation
from indexer.language.fields import BY_NAME, EDITABLE, LISTS, FieldError
from indexer.language.numbers import number_key
from indexer.search.indexing import effective_metadata

MAX_AUTHOR = 100
MAX_BATCH = 1000  # letters corrected at once


class CorrectionError(ValueError):
    """The correction cannot be taken; the message (Vietnamese) says why, naming the field
    by its label; `field` is the field's name when one value is at fault (for the form)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def _cleaned(fields: dict[str, Any]) -> dict[str, Any]:
    """Every value as stored, or CorrectionError naming the field by its label."""
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise CorrectionError(f"không sửa được trường: {', '.join(unknown)}")
    cleaned = {}
    for name, value in fields.items():
        try:
            cleaned[name] = BY_NAME[name].clean(value)
        except FieldError as problem:
            raise CorrectionError(f"{BY_NAME[name].label}: {problem}", name) from None
    return cleaned


def _author(author: str) -> str:
    author = (author or "").strip()
    if not author or len(author) > MAX_AUTHOR:
        raise CorrectionError(f"người sửa: cần tên người sửa (tối đa {MAX_AUTHOR} ký tự)")
    return author


def _record_changes(
    catalog: Catalog, document_id: int, author: str, new: dict[str, Any]
) -> list[str]:
    record = catalog.get_document(document_id)
    assert record is not None
    current = effective_metadata(record, catalog.corrections_of(document_id))
    changes = {}
    for field, value in new.items():
        old = current.get(field) if field not in LISTS else current.get(field) or []
        if value != old:
            changes[field] = (old, value)
    if not changes:
        return []
    citations = None
    if "references" in changes:
        kept = {c.number_key: c for c in catalog.citations_of(document_id)}
        numbers = changes["references"][1]
        citations = [kept.get(number_key(n)) or Citation(n, number_key(n)) for n in numbers]
    new_number = changes.get("number", (None, None))[1]
    catalog.add_corrections(
        document_id,
        author,
        changes,
        number_key=number_key(new_number) if new_number else None,
        citations=citations,
    )
    return list(changes)


def _same(value: Any, current: Any) -> bool:
    """Whether a submitted value is the one the letter has (as a form sends it back)."""
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()] == (current or [])
    return isinstance(value, str) and value.strip() == (current or "")


def correct(catalog: Catalog, document_id: int, author: str, fields: dict[str, Any]) -> list[str]:
    """Record the changed fields; return their names (unchanged values are not recorded).

    Values equal to the letter's own are left out before any is checked: the document
    page's form sends every field, and a value read before its field had a list of choices
    (an unusual type code) must not stop a person correcting another field."""
    record = catalog.get_document(document_id)
    if record is not None:
        current = effective_metadata(record, catalog.corrections_of(document_id))
        fields = {name: v for name, v in fields.items() if not _same(v, current.get(name))}
    return correct_many(catalog, [document_id], author, fields)[document_id]


def correct_many(
    catalog: Catalog, document_ids: list[int], author: str, fields: dict[str, Any]
) -> dict[int, list[str]]:
    """Lay the same corrections over a batch of letters (a wrongly read issuer on every
    letter of one scan run): everything is checked before anything is written, so a bad
    value or an unknown letter changes none of them. Returns each letter's changed fields."""
    author = _author(author)
    ids = list(dict.fromkeys(document_ids))
    if not ids or len(ids) > MAX_BATCH:
        raise CorrectionError(f"cần từ 1 đến {MAX_BATCH} văn bản")
    missing = [i for i in ids if catalog.get_document(i) is None]
    if missing:
        raise CorrectionError(f"không có văn bản #{', #'.join(map(str, missing))}")
    cleaned = _cleaned(fields)
    return {
        document_id: _record_changes(catalog, document_id, author, cleaned) for document_id in ids
    }
