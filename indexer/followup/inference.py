"""Inference across the archive: a letter with no province takes the province stated on
other letters by a signer of the same name and title, when they all agree; an unsure
number or an unknown date is taken from the letters citing it (`cited_as`) and bounded by
the issuer's register (`register`). Only the letters of signers a change touched, those
the changed letters cite and those awaiting a register they enter are looked at again.
Each value carries its evidence (the other letter) and is stored apart from what the
letter itself says.
"""

from __future__ import annotations

from typing import Any

from archive.catalog import Catalog
from indexer.followup.cited_as import cited_letters, from_citations
from indexer.followup.register import from_register, register_neighbours
from indexer.language.letter import Letter
from indexer.language.vietnamese import fold


def _signer_key(letter: Letter) -> str | None:
    if not letter.signer or not letter.signer_title:
        return None
    return f"{fold(letter.signer)}|{fold(letter.signer_title)}"


def _stated_province(letter: Letter) -> str | None:
    """The province the letter itself gives (read, inferred from its own text, or
    corrected), not one this inference gave it from another letter."""
    why = letter.inferred.get("province")
    return None if why is not None and why.from_archive else letter.province


def infer_across_archive(
    catalog: Catalog, changes: list[tuple[int, int]], letters: dict[int, Letter]
) -> int:
    """Province from letters signed by the same person with the same title, for the letters
    changed since the last run (`changes`, queue entries; `letters`, theirs as held) and the
    letters sharing their old or new signer (not the whole archive: at 100,000 letters a
    full pass after every upload took seconds).

    Stored apart from what the letter itself says, so it follows corrections and new
    letters; the changes are marked seen. Returns how many letters changed, which are
    queued for re-indexing.
    """
    # The letters these cite are looked at again too: their number or date may be in the
    # words of a new reply (`cited_as`).
    related = cited_letters(catalog, letters) | register_neighbours(catalog, letters)
    letters = {**letters, **catalog.letters(related)}
    # Every change at once: in batches, a signer of many letters would be read per batch.
    now = {i: _signer_key(letter) for i, letter in letters.items()}
    signers = {key for key in [*catalog.signer_keys_of(letters).values(), *now.values()] if key}
    others = catalog.letters(i for i in catalog.documents_signed(signers) if i not in letters)
    everyone = {**letters, **others}
    inferred = _provinces_by_signer(everyone, signers)
    for document_id, found in inferred.items():  # each letter's whole inference, rewritten
        found.update(from_citations(catalog, document_id, everyone[document_id]))
        found.update(from_register(catalog, document_id, everyone[document_id]))
    return len(catalog.record_inference(changes, now, inferred))


def _provinces_by_signer(
    letters: dict[int, Letter], signers: set[str]
) -> dict[int, dict[str, Any]]:
    """What the signers' other letters suggest for each of `letters` signed by one of
    `signers` (all their letters are given) or by nobody known (nothing)."""
    stated: dict[str, dict[str, int]] = {}
    for document_id, letter in letters.items():
        key = _signer_key(letter)
        province = _stated_province(letter)
        if key and province and "province" not in letter.inferred:
            stated.setdefault(key, {}).setdefault(province, document_id)
    inferred: dict[int, dict[str, Any]] = {}
    for document_id, letter in letters.items():
        key = _signer_key(letter)
        if key is not None and key not in signers:
            continue  # signed by someone else since: its own change will be seen
        found: dict[str, Any] = {}
        provinces = stated.get(key, {}) if key else {}
        if _stated_province(letter) is None and len(provinces) == 1:
            ((province, source_id),) = provinces.items()
            source = letters[source_id]
            named = source.number.text if source.number else f"văn bản #{source_id}"
            evidence = f"cùng người ký {letter.signer} ({letter.signer_title}) với {named}"
            found["province"] = {"value": province, "evidence": evidence, "document_id": source_id}
        inferred[document_id] = found
    return inferred
