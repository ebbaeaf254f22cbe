"""Index work waiting for an engine that can take it (table `index_queue`)."""

from __future__ import annotations

from collections.abc import Iterable

from archive.catalog.connection import Connection, now_iso


class IndexQueue(Connection):
    """Index work waiting for an engine that can take it (table `index_queue`)."""

    def enqueue(self, document_ids: Iterable[int]) -> None:
        """Queue these letters for indexing; one already queued gets a newer version."""
        stamp = now_iso()
        with self._transaction():
            for document_id in document_ids:
                self._enqueue(document_id, stamp)

    def pending(self, limit: int = 1000) -> list[tuple[int, int]]:
        """(document id, version) of queued index work, oldest first."""
        rows = self.db.execute(
            "SELECT document_id, version FROM index_queue ORDER BY enqueued_at, document_id"
            " LIMIT ?",
            (limit,),
        )
        return [(int(r["document_id"]), int(r["version"])) for r in rows]

    def pending_count(self) -> int:
        """How many letters wait in the index queue."""
        return int(self.db.execute("SELECT count(*) FROM index_queue").fetchone()[0])

    def done(self, work: Iterable[tuple[int, int]]) -> None:
        """Remove applied work, unless it was queued again meanwhile (newer version)."""
        with self._transaction():
            self.db.executemany(
                "DELETE FROM index_queue WHERE document_id = ? AND version = ?", list(work)
            )
