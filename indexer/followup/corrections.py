"""Staff corrections of metadata: validated here, stored append-only in the catalog.

The extracted value is never overwritten: a correction is laid over it when the letter is
read, so it survives `congvan reindex` and any later re-extraction of the original.
"""

from __future__ import annotations

from typing import Any

from archive.catalog import Catalog
from archive.catalog.letter import fields_json
from indexer.language.letter import BY_NAME, EDITABLE, Citation, FieldError
from indexer.language.numbers import held_number

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
    letter = catalog.letter(document_id)
    assert letter is not None
    current = fields_json(letter)
    changes = {}
    for field, value in new.items():
        if value != current[field]:
            changes[field] = (current[field], value)
    if not changes:
        return []
    citations = None
    if "references" in changes:
        kept = {c.number_key: c for c in catalog.citations_of(document_id)}
        numbers = [held_number(text) for text in changes["references"][1]]
        citations = [kept.get(number.key) or Citation(number) for number in numbers]
    catalog.add_corrections(document_id, author, changes, citations=citations)
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
    letter = catalog.letter(document_id)
    if letter is not None:
        current = fields_json(letter)
        fields = {name: v for name, v in fields.items() if not _same(v, current.get(name))}
    return correct_many(catalog, [document_id], author, fields)[document_id]


def correct_many(
    catalog: Catalog, document_ids: list[int], author: str, fields: dict[str, Any]
) -> dict[int, list[str]]:
    """Lay the same corrections over a batch of letters (a wrongly read issuer on every
    letter of one scan run): everything is checked before anything is written, so a bad
    value or an unknown letter changes none of them, and the batch is written in one
    transaction, so a process killed midway leaves none either. Returns each letter's
    changed fields."""
    author = _author(author)
    ids = list(dict.fromkeys(document_ids))
    if not ids or len(ids) > MAX_BATCH:
        raise CorrectionError(f"cần từ 1 đến {MAX_BATCH} văn bản")
    held = catalog.letters(ids)
    missing = [i for i in ids if i not in held]
    if missing:
        raise CorrectionError(f"không có văn bản #{', #'.join(map(str, missing))}")
    cleaned = _cleaned(fields)
    with catalog.all_or_nothing():
        return {
            document_id: _record_changes(catalog, document_id, author, cleaned)
            for document_id in ids
        }


def confirm_review(catalog: Catalog, document_id: int, author: str, names: list[str]) -> list[str]:
    """Record that a person read these fields of the review desk and found the letter's
    value right as it is (most often: the page shows none, the blank was never filled).
    Each is recorded as a correction to the value it has, so history says who read it and
    the field leaves the desk. Only fields under review count; returns their names."""
    author = _author(author)
    letter = catalog.letter(document_id)
    if letter is None:
        return []
    current = fields_json(letter)
    read = [name for name in names if name in letter.provenance.review and name in current]
    if read:
        catalog.add_corrections(document_id, author, {n: (current[n], current[n]) for n in read})
    return read
