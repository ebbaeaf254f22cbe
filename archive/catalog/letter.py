"""The letter as the catalog keeps it: `Letter` to and from the JSON of `documents.metadata`,
and the letter as held, the one place where archive inference and staff corrections are
laid over what was read.

Order of strength: what the letter states (and what its own text lets one infer), then
what other letters suggest for fields still unknown (`documents.archive_inferred`), then
staff corrections over both (the latest correction of a field wins, and a corrected field
is no longer marked inferred).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, get_type_hints

from indexer.language.letter import TABLE, Inferred, Letter, Provenance, Source
from indexer.language.numbers import DocumentNumber, held_number


def _shapes() -> dict[str, str]:
    """Each field's JSON shape, from its type in `Letter`: a number, numbers, texts, a value."""
    hints = get_type_hints(Letter)
    shapes = {
        DocumentNumber | None: "number",
        tuple[DocumentNumber, ...]: "numbers",
        tuple[str, ...]: "texts",
    }
    return {f.name: shapes.get(hints[f.name], "value") for f in TABLE}


SHAPES = _shapes()


def value_to_json(name: str, value: Any) -> Any:
    """A field's value as the catalog and the API write it (a number as its text)."""
    shape = SHAPES[name]
    if shape == "number":
        return value.text if value is not None else None
    if shape == "numbers":
        return [number.text for number in value]
    if shape == "texts":
        return list(value)
    return value


def value_from_json(name: str, value: Any) -> Any:
    """A field's value from the JSON the catalog holds (a read value or a correction)."""
    shape = SHAPES[name]
    if shape == "number":
        return held_number(value) if value else None
    if shape == "numbers":
        return tuple(held_number(text) for text in value or ())
    if shape == "texts":
        return tuple(value or ())
    return value


def fields_json(letter: Letter) -> dict[str, Any]:
    """The letter's fields, in the field table's order, as JSON values."""
    return {f.name: value_to_json(f.name, getattr(letter, f.name)) for f in TABLE}


def inferred_json(inferred: Mapping[str, Inferred]) -> dict[str, dict[str, Any]]:
    """Each inferred field's evidence as the API shows it."""
    return {
        name: {"document_id": why.document_id, "evidence": why.evidence}
        if why.from_archive
        else {"evidence": why.evidence}
        for name, why in inferred.items()
    }


def sources_json(sources: Mapping[str, Source]) -> dict[str, dict[str, Any]]:
    """Where each field was read, as the API shows it."""
    return {name: {"page": s.page, "method": s.method} for name, s in sources.items()}


def readings_json(readings: Sequence[tuple[str, float]]) -> list[dict[str, Any]]:
    """One unsure field's readings, best first, as the API shows them."""
    return [{"value": value, "score": score} for value, score in readings]


def candidates_json(
    candidates: Mapping[str, tuple[tuple[str, float], ...]],
) -> dict[str, list[dict[str, Any]]]:
    """Each unsure field's readings (`readings_json`)."""
    return {name: readings_json(readings) for name, readings in candidates.items()}


def letter_to_json(letter: Letter) -> dict[str, Any]:
    """The letter as `documents.metadata` stores it (keys in the order readers wrote them)."""
    stored = {
        **fields_json(letter),  # the table's order: the scalars, then the lists
        "inferred": inferred_json(letter.provenance.inferred),
        "sources": sources_json(letter.provenance.sources),
        "review": dict(letter.provenance.review),
        "central": letter.central,
    }
    if letter.provenance.candidates:
        stored["candidates"] = candidates_json(letter.provenance.candidates)
    if letter.signatures:
        stored["signatures"] = [dict(s) for s in letter.signatures]
    if letter.page_starts is not None:
        stored["page_starts"] = list(letter.page_starts)
    return stored


def letter_from_json(stored: Mapping[str, Any]) -> Letter:
    """A letter from `documents.metadata`; keys an older catalog lacks take their default."""
    fields = {f.name: value_from_json(f.name, stored.get(f.name)) for f in TABLE}
    provenance = Provenance(
        sources={n: Source(s["page"], s["method"]) for n, s in _map(stored, "sources").items()},
        review=dict(_map(stored, "review")),
        inferred={
            n: Inferred(why.get("evidence", ""), why.get("document_id"))
            for n, why in _map(stored, "inferred").items()
        },
        candidates={
            n: tuple((c["value"], c["score"]) for c in readings)
            for n, readings in _map(stored, "candidates").items()
        },
    )
    starts = stored.get("page_starts")
    return Letter(
        **fields,
        provenance=provenance,
        central=bool(stored.get("central")),
        signatures=tuple(stored.get("signatures") or ()),
        page_starts=tuple(starts) if starts is not None else None,
    )


def _map(stored: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    return stored.get(key) or {}


def held(
    read: Letter, archive_inferred: Mapping[str, Any], corrections: Iterable[tuple[str, Any]]
) -> Letter:
    """The letter as the archive holds it: `read`, then what other letters suggest
    (`documents.archive_inferred`: field → value, evidence, the other letter) for fields
    still unknown, and what they flag for review (its "review": field → note), then the
    corrections (field, JSON value), oldest first. A corrected field
    is no longer for review: a person has read it."""
    changes: dict[str, Any] = {}
    inferred = dict(read.provenance.inferred)
    for name, suggestion in archive_inferred.items():
        if name in SHAPES and getattr(read, name) is None:
            changes[name] = value_from_json(name, suggestion["value"])
            inferred[name] = Inferred(suggestion["evidence"], suggestion.get("document_id"))
    review, candidates = dict(read.provenance.review), dict(read.provenance.candidates)
    for name, note in _map(archive_inferred, "review").items():  # what other letters flag
        review[name] = f"{review[name]}; {note}" if review.get(name) else note
    for name, value in corrections:
        if name in SHAPES:  # a field the table no longer has is history only
            changes[name] = value_from_json(name, value)
            inferred.pop(name, None)
            review.pop(name, None)  # a person has read it
            candidates.pop(name, None)
    if not changes and review == read.provenance.review:
        return read
    provenance = replace(read.provenance, inferred=inferred, review=review, candidates=candidates)
    return replace(read, **changes, provenance=provenance)
