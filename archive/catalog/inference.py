"""What the archive-wide inference has seen and found (tables `inference_queue`,
`signer_keys`; `documents.archive_inferred`)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from archive.catalog.connection import Connection, json_list, now_iso


class Inference(Connection):
    """What the archive-wide inference has seen and found (tables `inference_queue`,
    `signer_keys`; `documents.archive_inferred`)."""

    def inference_pending(self) -> int:
        """How many changed letters the archive-wide inference has not seen yet."""
        return int(self.db.execute("SELECT COUNT(*) FROM inference_queue").fetchone()[0])

    def inference_changes(self) -> list[tuple[int, int]]:
        """(document id, version) of the changed letters."""
        rows = self.db.execute("SELECT document_id, version FROM inference_queue")
        return [(int(row[0]), int(row[1])) for row in rows]

    def signer_keys_of(self, ids: Iterable[int]) -> dict[int, str]:
        """The signer each letter had when the inference last saw it."""
        rows = self.db.execute(
            "SELECT document_id, signer_key FROM signer_keys"
            " WHERE document_id IN (SELECT value FROM json_each(?))",
            (json_list(ids),),
        )
        return {int(row[0]): row[1] for row in rows}

    def documents_signed(self, keys: Iterable[str]) -> list[int]:
        """Letters last seen signed by one of these signers."""
        rows = self.db.execute(
            "SELECT document_id FROM signer_keys"
            " WHERE signer_key IN (SELECT value FROM json_each(?))",
            (json_list(keys),),
        )
        return [int(row[0]) for row in rows]

    def record_inference(
        self,
        seen: list[tuple[int, int]],
        signer_keys: dict[int, str | None],
        inferred: dict[int, dict[str, Any]],
    ) -> list[int]:
        """In one transaction: the signers seen, what other letters suggest for each letter
        (queued for re-indexing where it changed), and the changes seen, unless changed
        again meanwhile. Returns the letters whose inference changed."""
        changed = []
        with self._transaction():
            for document_id, key in signer_keys.items():
                if key is None:
                    self.db.execute("DELETE FROM signer_keys WHERE document_id = ?", (document_id,))
                else:
                    self.db.execute(
                        "INSERT OR REPLACE INTO signer_keys (document_id, signer_key) VALUES (?,?)",
                        (document_id, key),
                    )
            for document_id, found in inferred.items():
                value = json.dumps(found, ensure_ascii=False, sort_keys=True)
                cursor = self.db.execute(
                    "UPDATE documents SET archive_inferred = ?"
                    " WHERE id = ? AND archive_inferred != ?",
                    (value, document_id, value),
                )
                if cursor.rowcount:
                    changed.append(document_id)
                    self._enqueue(document_id, now_iso())
            self.db.executemany(
                "DELETE FROM inference_queue WHERE document_id = ? AND version = ?", seen
            )
        return changed
