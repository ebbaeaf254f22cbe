"""Staff corrections of metadata: validated here, stored append-only in the catalog.

The extracted value is never overwritten: a correction is laid over it when the letter is
read, so it survives `congvan reindex` and any later re-extraction of the original.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from archive.catalog import Catalog, Citation
from indexer.indexing import effective_metadata
from indexer.metadata import FIELDS
from indexer.numbers import number_key, parse_number

AUTHORITIES = ("T/M", "K/T", "T/L", "T/U", "Q.")
LIST_FIELDS = ("references", "recipients", "distribution")
EDITABLE = (*FIELDS, *LIST_FIELDS)
MAX_AUTHOR = 100
MAX_VALUE = 2000


class CorrectionError(ValueError):
    """The correction cannot be taken; the message (Vietnamese) says why."""


def _number(value: str) -> str:
    number = parse_number(value)
    if number is None:
        raise CorrectionError(f"không phải số, ký hiệu văn bản: {value[:60]!r}")
    return number.text


def _clean_value(field: str, value: Any) -> Any:
    """The value as stored, or CorrectionError."""
    if field in LIST_FIELDS:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CorrectionError(f"{field}: cần một danh sách chuỗi")
        items = [v.strip() for v in value if v.strip()]
        return [_number(v) for v in items] if field == "references" else items
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or len(value) > MAX_VALUE:
        raise CorrectionError(f"{field}: cần một chuỗi (tối đa {MAX_VALUE} ký tự) hoặc null")
    value = value.strip()
    if field in ("date", "date_not_before"):
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise CorrectionError(f"{field}: cần ngày dạng YYYY-MM-DD") from None
    if field == "authority" and value not in AUTHORITIES:
        raise CorrectionError(f"authority: một trong {', '.join(AUTHORITIES)}")
    return _number(value) if field == "number" else value


def correct(catalog: Catalog, document_id: int, author: str, fields: dict[str, Any]) -> list[str]:
    """Record the changed fields; return their names (unchanged values are not recorded)."""
    record = catalog.get_document(document_id)
    if record is None:
        raise CorrectionError(f"không có văn bản #{document_id}")
    author = (author or "").strip()
    if not author or len(author) > MAX_AUTHOR:
        raise CorrectionError(f"author: cần tên người sửa (tối đa {MAX_AUTHOR} ký tự)")
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise CorrectionError(f"không sửa được trường: {', '.join(unknown)}")
    current = effective_metadata(record, catalog.corrections_of(document_id))
    changes = {}
    for field, value in fields.items():
        new = _clean_value(field, value)
        old = current.get(field) if field not in LIST_FIELDS else current.get(field) or []
        if new != old:
            changes[field] = (old, new)
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
