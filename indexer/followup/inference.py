"""Inference across the archive: a letter with no province takes the province stated on
other letters by a signer of the same name and title, when they all agree; only the letters
of signers a change touched are looked at again. Each value carries its evidence (the other
letter) and is stored apart from what the letter itself says.
"""

from __future__ import annotations

from typing import Any

from archive.catalog import Catalog
from indexer.language.vietnamese import fold


def _signer_key(metadata: dict[str, Any]) -> str | None:
    if not metadata.get("signer") or not metadata.get("signer_title"):
        return None
    return f"{fold(metadata['signer'])}|{fold(metadata['signer_title'])}"


def infer_across_archive(
    catalog: Catalog, changes: list[tuple[int, int]], metadata: dict[int, dict[str, Any]]
) -> int:
    """Province from letters signed by the same person with the same title, for the letters
    changed since the last run (`changes`, queue entries; `metadata`, theirs with
    corrections) and the letters sharing their old or new signer (not the whole archive: at
    100,000 letters a full pass after every upload took seconds).

    Stored apart from what the letter itself says, so it follows corrections and new
    letters; the changes are marked seen. Returns how many letters changed, which are
    queued for re-indexing.
    """
    # Every change at once: in batches, a signer of many letters would be read per batch.
    now = {i: _signer_key(m) for i, m in metadata.items()}
    signers = {key for key in [*catalog.signer_keys_of(metadata).values(), *now.values()] if key}
    others = [i for i in catalog.documents_signed(signers) if i not in metadata]
    letters = {**metadata, **catalog.corrected_metadata(others)}
    inferred = _provinces_by_signer(letters, signers)
    return len(catalog.record_inference(changes, now, inferred))


def _provinces_by_signer(
    letters: dict[int, dict[str, Any]], signers: set[str]
) -> dict[int, dict[str, Any]]:
    """What the signers' other letters suggest for each of `letters` signed by one of
    `signers` (all their letters are given) or by nobody known (nothing)."""
    stated: dict[str, dict[str, int]] = {}
    for document_id, metadata in letters.items():
        key = _signer_key(metadata)
        if key and metadata.get("province") and "province" not in metadata["inferred"]:
            stated.setdefault(key, {}).setdefault(metadata["province"], document_id)
    inferred: dict[int, dict[str, Any]] = {}
    for document_id, metadata in letters.items():
        key = _signer_key(metadata)
        if key is not None and key not in signers:
            continue  # signed by someone else since: its own change will be seen
        found: dict[str, Any] = {}
        provinces = stated.get(key, {}) if key else {}
        if metadata.get("province") is None and len(provinces) == 1:
            ((province, source_id),) = provinces.items()
            source = letters[source_id]
            named = source.get("number") or f"văn bản #{source_id}"
            evidence = (
                f"cùng người ký {metadata['signer']} ({metadata['signer_title']}) với {named}"
            )
            found["province"] = {"value": province, "evidence": evidence, "document_id": source_id}
        inferred[document_id] = found
    return inferred
