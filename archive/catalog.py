"""The SQLite catalog: files, documents, their text and metadata, citations, index work.

The catalog is the source of truth; every search index is derived from it. Metadata is
kept as the extractor produced it (`metadata`, JSON); staff corrections go to an
append-only table and are laid over it when read, so re-extraction never loses them.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    filename TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE REFERENCES files(sha256),
    status TEXT NOT NULL CHECK (status IN ('ready', 'needs_ocr')),
    status_message TEXT,
    extraction TEXT NOT NULL,
    pages INTEGER,
    text TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL DEFAULT '{}',
    archive_inferred TEXT NOT NULL DEFAULT '{}',
    number_key TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_number_key ON documents(number_key);
CREATE TABLE IF NOT EXISTS citations (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    position INTEGER NOT NULL,
    number TEXT NOT NULL,
    number_key TEXT NOT NULL,
    relation TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (document_id, position)
);
-- Covering: who cites a number, letter by letter, without reading the rows (cited-by
-- counts and lists: 126 ms → 10 ms for a number cited by 32,763 of 100,000 letters).
CREATE INDEX IF NOT EXISTS citations_cited_by ON citations(number_key, document_id, relation);
CREATE TABLE IF NOT EXISTS corrections (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    author TEXT NOT NULL,
    corrected_at TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS corrections_append_only_update
    BEFORE UPDATE ON corrections BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
CREATE TRIGGER IF NOT EXISTS corrections_append_only_delete
    BEFORE DELETE ON corrections BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
CREATE TABLE IF NOT EXISTS pages (
    document_id INTEGER NOT NULL REFERENCES documents(id),
    page INTEGER NOT NULL,
    text TEXT NOT NULL,
    confidence REAL,
    method TEXT NOT NULL,
    recognised_at TEXT NOT NULL,
    reason TEXT,
    layout BLOB,
    PRIMARY KEY (document_id, page)
);
CREATE TABLE IF NOT EXISTS index_queue (
    document_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,
    enqueued_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    is_admin INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
-- Signed-in sessions: the cookie holds the token; signing out or a new password ends them.
CREATE TABLE IF NOT EXISTS sessions (
    token TEXT PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE,
    created_at TEXT NOT NULL
);
-- Who opened which original, and when (Nghị định 30/2020 Phụ lục VI): append-only.
CREATE TABLE IF NOT EXISTS access_log (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    who TEXT,
    address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS access_log_document ON access_log (document_id, id);
CREATE TRIGGER IF NOT EXISTS access_log_kept BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS access_log_never_deleted BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
-- Letters added, re-read or corrected since the archive-wide inference last saw them,
-- written with the change itself, so no crash can skip the inference they need.
CREATE TABLE IF NOT EXISTS inference_queue (
    document_id INTEGER PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1
);
-- Each letter's signer (name and title, folded) when the inference last saw it: a change
-- re-infers only the letters of its old and new signer, not the whole archive.
CREATE TABLE IF NOT EXISTS signer_keys (
    document_id INTEGER PRIMARY KEY,
    signer_key TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS signer_keys_key ON signer_keys (signer_key);
-- What copies of one letter share (number, issuer and date; a fingerprint of the text,
-- also cut into four 16-bit bands to find near ones by index), and the letter each file
-- is a copy of: its group's best copy (itself when alone), the one search shows.
CREATE TABLE IF NOT EXISTS copy_keys (
    document_id INTEGER PRIMARY KEY,
    number_key TEXT,
    issuer TEXT,
    date TEXT,
    fingerprint INTEGER,
    band0 INTEGER, band1 INTEGER, band2 INTEGER, band3 INTEGER,
    letter_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS copy_keys_stated ON copy_keys (number_key, issuer, date);
CREATE INDEX IF NOT EXISTS copy_keys_band0 ON copy_keys (band0);
CREATE INDEX IF NOT EXISTS copy_keys_band1 ON copy_keys (band1);
CREATE INDEX IF NOT EXISTS copy_keys_band2 ON copy_keys (band2);
CREATE INDEX IF NOT EXISTS copy_keys_band3 ON copy_keys (band3);
CREATE INDEX IF NOT EXISTS copy_keys_letter ON copy_keys (letter_id);
-- Flags of one-time migrations.
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
-- Wrong passwords, for throttling guesses (by account and by address).
CREATE TABLE IF NOT EXISTS login_failures (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL COLLATE NOCASE,
    address TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS login_failures_at ON login_failures (at);
CREATE TABLE IF NOT EXISTS ingest_log (
    id INTEGER PRIMARY KEY,
    logged_at TEXT NOT NULL,
    source TEXT NOT NULL,
    sha256 TEXT,
    outcome TEXT NOT NULL,
    message TEXT NOT NULL,
    document_id INTEGER
);
"""


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Citation:
    number: str
    number_key: str
    relation: str = "mentions"
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PageRow:
    """One page as read: its text, how and why it was read that way, and its positions."""

    page: int  # from 1
    text: str
    confidence: float | None  # OCR's mean word confidence; None for a text layer
    method: str  # "pdf:text-layer", "ocr:tesseract-vie", "docx", …
    reason: str | None = None  # why this source was used, in Vietnamese
    layout: bytes | None = None  # lines and word boxes, packed by the indexer


@dataclass(frozen=True)
class DocumentRecord:
    id: int
    sha256: str
    status: str
    status_message: str | None
    extraction: str
    pages: int | None
    text: str
    metadata: dict[str, Any]
    archive_inferred: dict[str, Any]
    filename: str
    size: int
    mime: str
    ingested_at: str


@dataclass(frozen=True)
class CopyKeys:
    """What copies of one letter share (see `indexer.intake.copies`)."""

    number_key: str | None
    issuer: str | None  # folded
    date: str | None
    fingerprint: int | None  # 64-bit SimHash of the text


def _keys_row(keys: CopyKeys) -> tuple[Any, ...]:
    fingerprint = keys.fingerprint
    signed = (
        fingerprint - (1 << 64) if fingerprint is not None and fingerprint >> 63 else fingerprint
    )
    bands = [None if fingerprint is None else fingerprint >> (16 * i) & 0xFFFF for i in range(4)]
    return (keys.number_key, keys.issuer, keys.date, signed, *bands)


def _keys(row: sqlite3.Row) -> CopyKeys:
    fingerprint = row["fingerprint"]
    unsigned = fingerprint % (1 << 64) if fingerprint is not None else None
    return CopyKeys(row["number_key"], row["issuer"], row["date"], unsigned)


@dataclass(frozen=True)
class NewDocument:
    """Everything the indexer learnt about one file, ready to be catalogued."""

    sha256: str
    size: int
    mime: str
    filename: str
    status: str
    status_message: str | None
    extraction: str
    pages: int | None
    text: str
    metadata: dict[str, Any]
    number_key: str | None
    citations: list[Citation]
    page_rows: tuple[PageRow, ...] = ()  # pages read at once (text layers, Word files)
    copy_keys: CopyKeys | None = None


# A number's runs of letters and digits joined by dots, from its key (`1245-cv/tu` →
# `1245.cv.tu`): numbers typed with their separators swapped are found by it (indexed).
_LOOSE = "replace(replace(number_key, '-', '.'), '/', '.')"


def _json_list(values: Iterable[int] | Iterable[str]) -> str:
    """Values for `IN (SELECT value FROM json_each(?))`: one parameter, however many."""
    return json.dumps(sorted(set(values)), ensure_ascii=False)

_DOCUMENT_SELECT = """
SELECT d.id, d.sha256, d.status, d.status_message, d.extraction, d.pages, d.text,
       d.metadata, d.archive_inferred, f.filename, f.size, f.mime, f.ingested_at
FROM documents d JOIN files f ON f.sha256 = d.sha256
"""


def _reading(new: NewDocument, stamp: str) -> tuple[Any, ...]:
    """The document columns that one reading of a file sets, in the order the SQL uses."""
    metadata = json.dumps(new.metadata, ensure_ascii=False)
    return (
        new.status,
        new.status_message,
        new.extraction,
        new.pages,
        new.text,
        metadata,
        new.number_key,
        stamp,
    )


def _record(row: sqlite3.Row) -> DocumentRecord:
    values = dict(row)
    values["metadata"] = json.loads(values["metadata"])
    values["archive_inferred"] = json.loads(values["archive_inferred"])
    return DocumentRecord(**values)


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


class Catalog:
    """One connection to the catalog; cheap to open, one per thread or request."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)
        self._migrate()

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
            self.db.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_number_loose ON {table} ({_LOOSE})"
            )
        # Catalogs from before the queue, or before copies were grouped: every letter is
        # looked at once by the next follow-up.
        if not self._state("copies_grouped"):
            with self._transaction():
                self.db.execute(
                    "INSERT OR IGNORE INTO inference_queue (document_id) SELECT id FROM documents"
                )
                self.db.execute("INSERT INTO state (key, value) VALUES ('copies_grouped', 1)")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- documents -------------------------------------------------------------------

    def document_id_for_sha(self, sha256: str) -> int | None:
        row = self.db.execute("SELECT id FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return int(row["id"]) if row else None

    def add_document(self, new: NewDocument) -> int:
        """Catalogue a new file and its document, and queue it for indexing, atomically."""
        stamp = now_iso()
        with self._transaction():
            self.db.execute(
                "INSERT INTO files (sha256, size, mime, filename, ingested_at) VALUES (?,?,?,?,?)",
                (new.sha256, new.size, new.mime, new.filename, stamp),
            )
            cursor = self.db.execute(
                "INSERT INTO documents (status, status_message, extraction, pages, text,"
                " metadata, number_key, updated_at, sha256) VALUES (?,?,?,?,?,?,?,?,?)",
                (*_reading(new, stamp), new.sha256),
            )
            document_id = int(cursor.lastrowid or 0)
            self._write_citations(document_id, new.citations)
            for row in new.page_rows:
                self.save_page(document_id, row)
            if new.copy_keys is not None:
                self._write_copy_keys(document_id, new.copy_keys)
            self._enqueue(document_id, stamp)
            self._inference_due(document_id)
        return document_id

    def _write_citations(self, document_id: int, citations: list[Citation]) -> None:
        self.db.execute("DELETE FROM citations WHERE document_id = ?", (document_id,))
        self.db.executemany(
            "INSERT INTO citations (document_id, position, number, number_key, relation, details)"
            " VALUES (?,?,?,?,?,?)",
            [
                (
                    document_id,
                    i,
                    c.number,
                    c.number_key,
                    c.relation,
                    json.dumps(c.details, ensure_ascii=False),
                )
                for i, c in enumerate(citations)
            ],
        )

    def get_document(self, document_id: int) -> DocumentRecord | None:
        row = self.db.execute(_DOCUMENT_SELECT + " WHERE d.id = ?", (document_id,)).fetchone()
        return _record(row) if row else None

    def get_documents(self, ids: Iterable[int]) -> list[DocumentRecord]:
        wanted = list(ids)
        if not wanted:
            return []
        marks = ",".join("?" * len(wanted))
        rows = self.db.execute(_DOCUMENT_SELECT + f" WHERE d.id IN ({marks})", wanted)
        return [_record(row) for row in rows]

    def iter_documents(self, batch: int = 1000) -> Iterator[DocumentRecord]:
        last = 0
        while True:
            rows = self.db.execute(
                _DOCUMENT_SELECT + " WHERE d.id > ? ORDER BY d.id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _record(row)
            last = int(rows[-1]["id"])

    def count_documents(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM documents").fetchone()[0])

    # --- citations ---------------------------------------------------------------------

    def citations_of(self, document_id: int) -> list[Citation]:
        rows = self.db.execute(
            "SELECT number, number_key, relation, details FROM citations"
            " WHERE document_id = ? ORDER BY position",
            (document_id,),
        )
        return [
            Citation(r["number"], r["number_key"], r["relation"], json.loads(r["details"]))
            for r in rows
        ]

    def documents_citing(self, number_key: str, limit: int = -1) -> list[tuple[int, str]]:
        """(document id, relation) of the documents that cite the number, by id (the first
        `limit`, or all). A letter citing it twice shows its relation that sorts first:
        basis < follows_up < implements < mentions, strongest first."""
        rows = self.db.execute(
            "SELECT document_id, min(relation) AS relation FROM citations WHERE number_key = ?"
            " GROUP BY document_id ORDER BY document_id LIMIT ?",
            (number_key, limit),
        )
        return [(int(r["document_id"]), r["relation"]) for r in rows]

    def count_documents_citing(self, number_key: str, excluding: int | None = None) -> int:
        row = self.db.execute(
            "SELECT COUNT(DISTINCT document_id) FROM citations"
            " WHERE number_key = ? AND document_id IS NOT ?",
            (number_key, excluding),
        ).fetchone()
        return int(row[0])

    def number_key_loosely(self, loose_key: str) -> str | None:
        """The key of a number as archived letters bear it (else as they cite it), found by
        its runs of letters and digits joined by dots (`1245.cv.tu` → `1245-cv/tu`)."""
        for table in ("documents", "citations"):  # both indexed on _LOOSE (`_migrate`)
            row = self.db.execute(
                f"SELECT number_key FROM {table} WHERE {_LOOSE} = ? LIMIT 1", (loose_key,)
            ).fetchone()
            if row:
                return str(row[0])
        return None

    def documents_numbered(self, number_key: str) -> list[int]:
        rows = self.db.execute(
            "SELECT id FROM documents WHERE number_key = ? ORDER BY id", (number_key,)
        )
        return [int(r["id"]) for r in rows]

    def corrected_metadata(self, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        """Metadata with corrections of these documents, without archive inferences."""
        wanted = _json_list(ids)
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

    # --- archive-wide inference ------------------------------------------------------------

    def _inference_due(self, document_id: int) -> None:
        self.db.execute(
            "INSERT INTO inference_queue (document_id) VALUES (?)"
            " ON CONFLICT(document_id) DO UPDATE SET version = version + 1",
            (document_id,),
        )

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
            (_json_list(ids),),
        )
        return {int(row[0]): row[1] for row in rows}

    def documents_signed(self, keys: Iterable[str]) -> list[int]:
        """Letters last seen signed by one of these signers."""
        rows = self.db.execute(
            "SELECT document_id FROM signer_keys"
            " WHERE signer_key IN (SELECT value FROM json_each(?))",
            (_json_list(keys),),
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

    # --- copies of one letter ---------------------------------------------------------------

    def _write_copy_keys(self, document_id: int, keys: CopyKeys) -> None:
        """A letter's keys; a new letter is its own until the groups are drawn again."""
        self.db.execute(
            "INSERT INTO copy_keys (document_id, number_key, issuer, date, fingerprint,"
            " band0, band1, band2, band3, letter_id) VALUES (?,?,?,?,?,?,?,?,?,?)"
            " ON CONFLICT(document_id) DO UPDATE SET number_key = excluded.number_key,"
            " issuer = excluded.issuer, date = excluded.date, fingerprint = excluded.fingerprint,"
            " band0 = excluded.band0, band1 = excluded.band1, band2 = excluded.band2,"
            " band3 = excluded.band3",
            (document_id, *_keys_row(keys), document_id),
        )

    def set_copy_keys(self, keys: dict[int, CopyKeys]) -> None:
        with self._transaction():
            for document_id, each in keys.items():
                self._write_copy_keys(document_id, each)

    def copy_keys(self, ids: Iterable[int]) -> dict[int, CopyKeys]:
        rows = self.db.execute(
            "SELECT * FROM copy_keys WHERE document_id IN (SELECT value FROM json_each(?))",
            (_json_list(ids),),
        )
        return {int(row["document_id"]): _keys(row) for row in rows}

    def copy_candidates(self, keys: CopyKeys) -> dict[int, CopyKeys]:
        """Letters with the same number, issuer and date, or a fingerprint band in common
        (two fingerprints a few bits apart share at least one of four bands)."""
        row = _keys_row(keys)
        rows = self.db.execute(
            "SELECT * FROM copy_keys WHERE (number_key = ? AND issuer = ? AND date = ?)"
            " OR band0 = ? OR band1 = ? OR band2 = ? OR band3 = ?",
            (*row[:3], *row[4:]),
        )
        return {int(r["document_id"]): _keys(r) for r in rows}

    def copies_of_any(self, ids: Iterable[int]) -> list[int]:
        """Every letter grouped with one of `ids`."""
        rows = self.db.execute(
            "SELECT document_id FROM copy_keys WHERE letter_id IN (SELECT letter_id FROM"
            " copy_keys WHERE document_id IN (SELECT value FROM json_each(?)))",
            (_json_list(ids),),
        )
        return [int(row[0]) for row in rows]

    def readings(self, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        """(extraction method, status) of each letter: which copy reads best."""
        rows = self.db.execute(
            "SELECT id, extraction, status FROM documents"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (_json_list(ids),),
        )
        return {int(row[0]): (row[1], row[2]) for row in rows}

    def set_copies(self, letters: dict[int, int]) -> list[int]:
        """Each document's letter (its group's best copy); the documents whose letter
        changed are queued for indexing (search shows one copy) and returned."""
        changed = []
        stamp = now_iso()
        with self._transaction():
            for document_id, letter_id in letters.items():
                cursor = self.db.execute(
                    "UPDATE copy_keys SET letter_id = ? WHERE document_id = ? AND letter_id != ?",
                    (letter_id, document_id, letter_id),
                )
                if cursor.rowcount:
                    changed.append(document_id)
                    self._enqueue(document_id, stamp)
        return changed

    def copies(self, document_id: int) -> tuple[int, list[int]]:
        """The letter this document is a copy of (its group's best copy, maybe itself) and
        the other documents of the group."""
        row = self.db.execute(
            "SELECT letter_id FROM copy_keys WHERE document_id = ?", (document_id,)
        ).fetchone()
        letter_id = int(row[0]) if row else document_id
        rows = self.db.execute(
            "SELECT document_id FROM copy_keys WHERE letter_id = ? AND document_id != ?"
            " ORDER BY document_id",
            (letter_id, document_id),
        )
        return letter_id, [int(r[0]) for r in rows]

    def hidden_copies(self, ids: Iterable[int] | None = None) -> set[int]:
        """Those of `ids` (else of the whole catalog) that are not their letter's best copy
        (search shows that one)."""
        among = "" if ids is None else " AND document_id IN (SELECT value FROM json_each(?))"
        rows = self.db.execute(
            "SELECT document_id FROM copy_keys WHERE letter_id != document_id" + among,
            () if ids is None else (_json_list(ids),),
        )
        return {int(row[0]) for row in rows}

    # --- corrections (append-only) -----------------------------------------------------------

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

    def replace_extraction(self, document_id: int, new: NewDocument) -> None:
        """Store a new reading of the same original (e.g. after OCR); corrections stay."""
        stamp = now_iso()
        with self._transaction():
            self.db.execute(
                "UPDATE documents SET status = ?, status_message = ?, extraction = ?, pages = ?,"
                " text = ?, metadata = ?, number_key = ?, updated_at = ? WHERE id = ?",
                (*_reading(new, stamp), document_id),
            )
            self._write_citations(document_id, new.citations)
            if new.copy_keys is not None:
                self._write_copy_keys(document_id, new.copy_keys)
            self._enqueue(document_id, stamp)
            self._inference_due(document_id)

    # --- recognised pages (OCR) -----------------------------------------------------------

    def save_page(self, document_id: int, row: PageRow) -> None:
        """Store one page at once, so an interrupted batch resumes after it."""
        self.db.execute(
            "INSERT OR REPLACE INTO pages (document_id, page, text, confidence, method,"
            " recognised_at, reason, layout) VALUES (?,?,?,?,?,?,?,?)",
            (document_id, row.page, row.text, row.confidence, row.method, now_iso(), row.reason,
             row.layout),
        )  # fmt: skip

    def pages_of(self, document_id: int) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT page, text, confidence, method, reason FROM pages WHERE document_id = ?"
            " ORDER BY page",
            (document_id,),
        )
        return [dict(row) for row in rows]

    def document_ids(self) -> list[int]:
        return [int(row["id"]) for row in self.db.execute("SELECT id FROM documents ORDER BY id")]

    def integrity_problems(self) -> list[str]:
        """What SQLite's own integrity check reports (nothing when the file is sound)."""
        rows = [row[0] for row in self.db.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows

    def page_rows_of(self, document_id: int) -> list[PageRow]:
        """A letter's pages as read, positions included, in page order (metadata is read
        again from them without reading the original again)."""
        rows = self.db.execute(
            "SELECT page, text, confidence, method, reason, layout FROM pages"
            " WHERE document_id = ? ORDER BY page",
            (document_id,),
        )
        return [
            PageRow(r["page"], r["text"], r["confidence"], r["method"], r["reason"],
                    bytes(r["layout"]) if r["layout"] is not None else None)
            for r in rows
        ]  # fmt: skip

    def documents_needing_ocr(self) -> list[int]:
        rows = self.db.execute("SELECT id FROM documents WHERE status = 'needs_ocr' ORDER BY id")
        return [int(row["id"]) for row in rows]

    def ocr_pages_waiting(self) -> int:
        """Pages of letters waiting for OCR not yet recognised (a letter of unknown length
        counts as one page)."""
        row = self.db.execute(
            "SELECT SUM(MAX(0, COALESCE(d.pages, 1) - (SELECT COUNT(*) FROM pages p"
            " WHERE p.document_id = d.id))) FROM documents d WHERE d.status = 'needs_ocr'"
        ).fetchone()
        return int(row[0] or 0)

    def status_of(self, document_id: int) -> tuple[str, str | None, int, int | None] | None:
        """(status, status message, pages recognised, pages) of a letter, without its text:
        asked every few seconds while an uploaded scan is recognised."""
        row = self.db.execute(
            "SELECT status, status_message, pages, (SELECT COUNT(*) FROM pages p"
            " WHERE p.document_id = d.id AND p.method LIKE 'ocr:%') AS done"
            " FROM documents d WHERE id = ?",
            (document_id,),
        ).fetchone()
        if row is None:
            return None
        return row["status"], row["status_message"], int(row["done"]), row["pages"]

    def set_status_message(self, document_id: int, message: str) -> None:
        self.db.execute(
            "UPDATE documents SET status_message = ? WHERE id = ?", (message, document_id)
        )

    def numbers_starting(self, prefix_key: str, limit: int = 8) -> list[tuple[str, int]]:
        """(number as written, letter id) of letters whose number key starts with this."""
        rows = self.db.execute(
            "SELECT id, json_extract(metadata, '$.number') AS number FROM documents"
            " WHERE number_key >= ? AND number_key < ? ORDER BY number_key LIMIT ?",
            (prefix_key, prefix_key + "\uffff", limit),
        )
        return [(row["number"], int(row["id"])) for row in rows if row["number"]]

    # --- staff accounts (passwords arrive hashed) ----------------------------------------

    def add_user(self, username: str, password_hash: str, is_admin: bool = False) -> int:
        """A new staff account; sqlite3.IntegrityError if the name is taken."""
        cursor = self.db.execute(
            "INSERT INTO users (username, password_hash, is_admin, created_at) VALUES (?,?,?,?)",
            (username, password_hash, int(is_admin), now_iso()),
        )
        return int(cursor.lastrowid or 0)

    def set_password(self, username: str, password_hash: str) -> bool:
        """A new password; every session of the account ends with the old one."""
        with self._transaction():
            cursor = self.db.execute(
                "UPDATE users SET password_hash = ? WHERE username = ?", (password_hash, username)
            )
            self.db.execute("DELETE FROM sessions WHERE username = ?", (username,))
        return cursor.rowcount == 1

    def open_session(self, username: str) -> str:
        token = secrets.token_urlsafe(32)
        self.db.execute(
            "INSERT INTO sessions (token, username, created_at) VALUES (?,?,?)",
            (token, username, now_iso()),
        )
        return token

    def session_user(self, token: str, opened_after: str) -> str | None:
        """The account of a session still open and opened after the given time."""
        row = self.db.execute(
            "SELECT s.username FROM sessions s JOIN users u ON u.username = s.username"
            " WHERE s.token = ? AND s.created_at > ?",
            (token, opened_after),
        ).fetchone()
        return str(row["username"]) if row else None

    def close_session(self, token: str) -> None:
        self.db.execute("DELETE FROM sessions WHERE token = ?", (token,))

    def log_access(self, document_id: int, action: str, who: str | None, address: str) -> None:
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

    def record_login_failure(self, username: str, address: str) -> None:
        self.db.execute(
            "INSERT INTO login_failures (username, address, at) VALUES (?,?,?)",
            (username, address, now_iso()),
        )

    def login_failures_since(self, username: str, address: str, since: str) -> int:
        """Wrong passwords since `since` for this account or from this address, whichever
        is more (guessing one account, or many accounts from one place)."""
        row = self.db.execute(
            "SELECT SUM(username = ?) AS account, SUM(address = ?) AS place"
            " FROM login_failures WHERE at > ?",
            (username, address, since),
        ).fetchone()
        return max(int(row["account"] or 0), int(row["place"] or 0))

    def get_user(self, username: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        return dict(row) if row else None

    def list_users(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT id, username, is_admin, created_at FROM users ORDER BY id")
        return [dict(row) for row in rows]

    # --- index work --------------------------------------------------------------------------

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

    def enqueue(self, document_ids: Iterable[int]) -> None:
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
        return int(self.db.execute("SELECT count(*) FROM index_queue").fetchone()[0])

    def done(self, work: Iterable[tuple[int, int]]) -> None:
        """Remove applied work, unless it was queued again meanwhile (newer version)."""
        with self._transaction():
            self.db.executemany(
                "DELETE FROM index_queue WHERE document_id = ? AND version = ?", list(work)
            )

    # --- ingest log ----------------------------------------------------------------------------

    def log_ingest(
        self, source: str, outcome: str, message: str, sha256: str | None, document_id: int | None
    ) -> None:
        self.db.execute(
            "INSERT INTO ingest_log (logged_at, source, sha256, outcome, message, document_id)"
            " VALUES (?,?,?,?,?,?)",
            (now_iso(), source, sha256, outcome, message, document_id),
        )

    # --- helpers ---------------------------------------------------------------------------------

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on error (the connection is in autocommit)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
