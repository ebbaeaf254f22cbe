"""The connection every part of the catalog shares, and its transaction helper."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from archive.catalog.schema import LOOSE, SCHEMA, SCHEMA_VERSION


def now_iso() -> str:
    """The time now, in UTC, to the second (ISO 8601), as every table records it."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def json_list(values: Iterable[int] | Iterable[str]) -> str:
    """Values for `IN (SELECT value FROM json_each(?))`: one parameter, however many."""
    return json.dumps(sorted(set(values)), ensure_ascii=False)


class Connection:
    """One connection to the catalog and what every concern shares: its transaction
    helper and the two queues a change writes to (index work, archive-wide inference)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        # Every request opens the catalog: the schema is applied only when it changed.
        if self.db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            self.db.executescript(SCHEMA)
            self._migrate()
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _migrate(self) -> None:
        """Columns added and indexes replaced since the first catalogs were made."""
        self.db.execute("DROP INDEX IF EXISTS citations_number_key")  # citations_cited_by
        columns = {row["name"] for row in self.db.execute("PRAGMA table_info(documents)")}
        if "archive_inferred" not in columns:
            self.db.execute(
                "ALTER TABLE documents ADD COLUMN archive_inferred TEXT NOT NULL DEFAULT '{}'"
            )
        page_columns = {row["name"] for row in self.db.execute("PRAGMA table_info(pages)")}
        for column, kind in (("reason", "TEXT"), ("layout", "BLOB")):
            if column not in page_columns:
                self.db.execute(f"ALTER TABLE pages ADD COLUMN {column} {kind}")
        for table in ("documents", "citations"):  # queried on this very expression
            self.db.execute(f"CREATE INDEX IF NOT EXISTS {table}_number_loose ON {table} ({LOOSE})")
        # Catalogs from before the queue, or before copies were grouped: every letter is
        # looked at once by the next follow-up.
        if not self._state("copies_grouped"):
            with self._transaction():
                self.db.execute(
                    "INSERT OR IGNORE INTO inference_queue (document_id) SELECT id FROM documents"
                )
                self.db.execute("INSERT INTO state (key, value) VALUES ('copies_grouped', 1)")

    def close(self) -> None:
        """Close the connection to the catalog."""
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db)

    def all_or_nothing(self) -> _Transaction:
        """One transaction around several writes (a batch correction): a failure, or the
        process killed, leaves none of them."""
        return _Transaction(self.db)

    def _state(self, key: str) -> int:
        row = self.db.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return int(row["value"]) if row else 0

    def _enqueue(self, document_id: int, stamp: str) -> None:
        self.db.execute(
            "INSERT INTO index_queue (document_id, enqueued_at) VALUES (?, ?)"
            " ON CONFLICT(document_id) DO UPDATE SET version = version + 1,"
            " enqueued_at = excluded.enqueued_at",
            (document_id, stamp),
        )

    def _inference_due(self, document_id: int) -> None:
        self.db.execute(
            "INSERT INTO inference_queue (document_id) VALUES (?)"
            " ON CONFLICT(document_id) DO UPDATE SET version = version + 1",
            (document_id,),
        )


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on error (the connection is in autocommit).
    Inside another transaction it joins that one: the outer one commits or rolls back all."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.outer = False

    def __enter__(self) -> None:
        self.outer = not self.db.in_transaction
        if self.outer:
            self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if self.outer:
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")
