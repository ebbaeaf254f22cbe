"""Staff corrections (table `corrections`, append-only), laid over what was read."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from archive.catalog.citations import Citations
from archive.catalog.connection import json_list, now_iso
from indexer.language.letter import Citation
from indexer.language.numbers import held_number


class Corrections(Citations):
    """Staff corrections (table `corrections`, append-only), laid over what was read."""

    def corrections_of(self, document_id: int) -> list[dict[str, Any]]:
        """A letter's corrections, oldest first: field, old and new value, who, when."""
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

    def _corrected_values(self, ids: Iterable[int]) -> dict[int, list[tuple[str, Any]]]:
        """Each letter's corrections as (field, new value), oldest first."""
        found: dict[int, list[tuple[str, Any]]] = {}
        for row in self.db.execute(
            "SELECT document_id, field, new_value FROM corrections"
            " WHERE document_id IN (SELECT value FROM json_each(?)) ORDER BY id",
            (json_list(ids),),
        ):
            value = json.loads(row["new_value"] or "null")
            found.setdefault(int(row["document_id"]), []).append((row["field"], value))
        return found

    def add_corrections(
        self,
        document_id: int,
        author: str,
        changes: dict[str, tuple[Any, Any]],
        citations: Sequence[Citation] | None = None,
    ) -> None:
        """Append corrections (field → (old, new), JSON values) and queue re-indexing,
        atomically.

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
                new_number = changes["number"][1]
                key = held_number(new_number).key if new_number else None
                self.db.execute(
                    "UPDATE documents SET number_key = ? WHERE id = ?", (key, document_id)
                )
            if citations is not None:
                self._write_citations(document_id, citations)
            self._enqueue(document_id, stamp)
            self._inference_due(document_id)
