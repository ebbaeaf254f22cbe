"""Staff corrections (table `corrections`, append-only), laid over what was read."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from archive.catalog.citations import Citation, Citations
from archive.catalog.connection import json_list, now_iso


def corrected(metadata: dict[str, Any], corrections: list[dict[str, Any]]) -> dict[str, Any]:
    """Metadata with staff corrections laid over it: the latest correction of a field wins,
    and a corrected field is no longer marked inferred."""
    result = dict(metadata)
    inferred = dict(result.get("inferred") or {})
    for correction in corrections:
        result[correction["field"]] = correction["new_value"]
        inferred.pop(correction["field"], None)
    result["inferred"] = inferred
    return result


class Corrections(Citations):
    """Staff corrections (table `corrections`, append-only), laid over what was read."""

    def corrections_of(self, document_id: int) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT field, old_value, new_value, author, corrected_at FROM corrections"
            " WHERE document_id = ? ORDER BY id",
            (document_id,),
        )
        return [
            {
                **dict(r),
                "old_value": json.loads(r["old_value"] or "null"),
                "new_value": json.loads(r["new_value"] or "null"),
            }
            for r in rows
        ]

    def add_corrections(
        self,
        document_id: int,
        author: str,
        changes: dict[str, tuple[Any, Any]],
        number_key: str | None = None,
        citations: list[Citation] | None = None,
    ) -> None:
        """Append corrections (field → (old, new)) and queue re-indexing, atomically.

        A corrected number also moves the document's number key; corrected references
        replace its citations, so "cited by" follows the correction.
        """
        stamp = now_iso()
        with self._transaction():
            self.db.executemany(
                "INSERT INTO corrections (document_id, field, old_value, new_value, author,"
                " corrected_at) VALUES (?,?,?,?,?,?)",
                [
                    (
                        document_id,
                        field,
                        json.dumps(old, ensure_ascii=False),
                        json.dumps(new, ensure_ascii=False),
                        author,
                        stamp,
                    )
                    for field, (old, new) in changes.items()
                ],
            )
            if "number" in changes:
                self.db.execute(
                    "UPDATE documents SET number_key = ? WHERE id = ?", (number_key, document_id)
                )
            if citations is not None:
                self._write_citations(document_id, citations)
            self._enqueue(document_id, stamp)
            self._inference_due(document_id)

    def corrected_metadata(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Metadata with corrections of these documents, without archive inferences."""
        wanted = json_list(ids)
        corrections: dict[int, list[dict[str, Any]]] = {}
        for row in self.db.execute(
            "SELECT document_id, field, new_value FROM corrections"
            " WHERE document_id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (wanted,),
        ):
            corrections.setdefault(int(row["document_id"]), []).append(
                {"field": row["field"], "new_value": json.loads(row["new_value"] or "null")}
            )
        rows = self.db.execute(
            "SELECT id, metadata FROM documents WHERE id IN (SELECT value FROM json_each(?))",
            (wanted,),
        )
        return {
            int(row["id"]): corrected(json.loads(row["metadata"]), corrections.get(row["id"], []))
            for row in rows
        }
