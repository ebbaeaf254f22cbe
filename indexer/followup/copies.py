"""Copies of one letter drawn together again for the letters changed since the last pass
(a step of what follows an ingest): a correction that changes a number also moves its
letter. Each group is one letter in search, shown by its best copy (a digital text before a
scan, then the first archived); `indexer.intake.copies` says what makes two files copies.
"""

from __future__ import annotations

from archive.catalog import Catalog, CopyKeys
from indexer.intake.copies import agree, letter_keys, same_letter, text_fingerprint
from indexer.language.letter import Letter

_TEXTS_AT_ONCE = 500


def regroup(catalog: Catalog, letters: dict[int, Letter]) -> list[int]:
    """The changed letters' keys again, from the letters as held (a correction may change a
    number), then their groups; returns the letters whose group changed."""
    known = catalog.copy_keys(letters)
    fingerprints = {i: keys.fingerprint for i, keys in known.items()}
    missing = [i for i in letters if i not in known]  # catalogs from before the keys
    for start in range(0, len(missing), _TEXTS_AT_ONCE):
        for record in catalog.documents(missing[start : start + _TEXTS_AT_ONCE]):
            fingerprints[record.id] = text_fingerprint(record.text)
    changed = {i: letter_keys(letter, fingerprints[i]) for i, letter in letters.items()}
    catalog.set_copy_keys(changed)
    return group_copies(catalog, changed)


def group_copies(catalog: Catalog, changed: dict[int, CopyKeys]) -> list[int]:
    """Draw again the groups of the changed letters, given with their keys (and of the
    letters they were or now are copies of); returns the letters whose group changed, to
    be indexed again."""
    keys = dict(changed)
    alike: set[tuple[int, int]] = set()  # pairs `same_letter` joins
    seen: set[int] = set()
    frontier = set(changed) | set(catalog.copies_of_any(changed))
    while frontier:  # the groups are small: walk them to their ends
        seen |= frontier
        keys.update(catalog.copy_keys(frontier - keys.keys()))
        found = set()
        for document_id in frontier & keys.keys():
            for other, theirs in catalog.copy_candidates(keys[document_id]).items():
                if other != document_id and same_letter(keys[document_id], theirs):
                    alike.add((min(document_id, other), max(document_id, other)))
                    keys.setdefault(other, theirs)
                    found.add(other)
        frontier = found - seen
    return catalog.set_copies(_groups(catalog, keys, sorted(alike)))


def _groups(
    catalog: Catalog, keys: dict[int, CopyKeys], alike: list[tuple[int, int]]
) -> dict[int, int]:
    """Each letter's group, named by its best copy. Two letters `alike` join unless two
    members would then state different numbers, issuers or dates (a letter without a
    number is never the bridge between 41-CV and 42-CV of one template)."""
    groups: dict[int, list[int]] = {document_id: [document_id] for document_id in keys}
    for a, b in alike:
        if groups[a] is groups[b]:
            continue
        if all(agree(keys[x], keys[y]) for x in groups[a] for y in groups[b]):
            merged = groups[a] + groups[b]
            for member in merged:
                groups[member] = merged
    readings = catalog.readings(keys)
    return {
        member: min(group, key=lambda d: (_rank(*readings[d]), d))
        for member, group in groups.items()
    }


def _rank(extraction: str, status: str) -> int:
    """Which copy search shows: a digital text, then a recognised scan, then one waiting."""
    if status != "ready":
        return 2
    return 1 if extraction.startswith("ocr") else 0
