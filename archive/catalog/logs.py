"""The append-only logs: who opened which original (`access_log`), every ingest
attempt (`ingest_log`)."""

from __future__ import annotations

from typing import Any

from archive.catalog.connection import Connection, now_iso


class Logs(Connection):
    """The append-only logs: who opened which original (`access_log`), every ingest
    attempt (`ingest_log`)."""

    def log_access(self, document_id: int, action: str, who: str | None, address: str) -> None:
        """Record that `who` (None: not signed in) did `action` on a letter's original."""
        self.db.execute(
            "INSERT INTO access_log (document_id, action, who, address, at) VALUES (?,?,?,?,?)",
            (document_id, action, who, address, now_iso()),
        )

    def access_log(
        self, limit: int, before: int | None = None, document_id: int | None = None
    ) -> list[dict[str, Any]]:
        """The newest entries first (older ones: `before` the last id shown)."""
        rows = self.db.execute(
            "SELECT a.*, f.filename FROM access_log a"
            " LEFT JOIN documents d ON d.id = a.document_id"
            " LEFT JOIN files f ON f.sha256 = d.sha256"
            " WHERE (? IS NULL OR a.id < ?) AND (? IS NULL OR a.document_id = ?)"
            " ORDER BY a.id DESC LIMIT ?",
            (before, before, document_id, document_id, limit),
        )
        return [dict(row) for row in rows]

    def log_ingest(
        self, source: str, outcome: str, message: str, sha256: str | None, document_id: int | None
    ) -> None:
        """Record one ingest attempt: source, outcome, message, and the file and letter if any."""
        self.db.execute(
            "INSERT INTO ingest_log (logged_at, source, sha256, outcome, message, document_id)"
            " VALUES (?,?,?,?,?,?)",
            (now_iso(), source, sha256, outcome, message, document_id),
        )
