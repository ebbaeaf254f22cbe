"""Files and their letters (tables `files`, `documents`): a reading catalogued, read
again, looked up."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from archive.catalog.connection import json_list, now_iso
from archive.catalog.copies import Copies, CopyKeys
from archive.catalog.letter import held, letter_from_json, letter_to_json
from archive.catalog.pages import PageRow, Pages
from archive.catalog.review import Review
from indexer.language.letter import Citation, Letter


@dataclass(frozen=True)
class DocumentRecord:
    """A catalogued file and its document: how it was read and its text (the letter's
    metadata is handed out apart, as held: `Letters.letter`)."""

    id: int
    sha256: str
    status: str
    status_message: str | None
    extraction: str
    pages: int | None
    text: str
    filename: str
    size: int
    mime: str
    ingested_at: str


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
    letter: Letter  # as read
    citations: tuple[Citation, ...]
    page_rows: tuple[PageRow, ...] = ()  # pages read at once (text layers, Word files)
    copy_keys: CopyKeys | None = None


_DOCUMENT_SELECT = """
SELECT d.id, d.sha256, d.status, d.status_message, d.extraction, d.pages, d.text,
       f.filename, f.size, f.mime, f.ingested_at
FROM documents d JOIN files f ON f.sha256 = d.sha256
"""


def _reading(new: NewDocument, number_key: str | None, stamp: str) -> tuple[Any, ...]:
    """The document columns that one reading of a file sets, in the order the SQL uses."""
    metadata = json.dumps(letter_to_json(new.letter), ensure_ascii=False)
    return (
        new.status,
        new.status_message,
        new.extraction,
        new.pages,
        new.text,
        metadata,
        number_key,
        stamp,
    )


def _record(row: sqlite3.Row) -> DocumentRecord:
    return DocumentRecord(**dict(row))


class Letters(Review, Pages, Copies):
    """Files and their letters (tables `files`, `documents`): a reading catalogued, read
    again, looked up."""

    def document_id_for_sha(self, sha256: str) -> int | None:
        """The id of the document read from the original with this SHA-256, if catalogued."""
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
                (*_reading(new, new.letter.number_key, stamp), new.sha256),
            )
            document_id = int(cursor.lastrowid or 0)
            self._write_citations(document_id, new.citations)
            self._write_number_candidates(
                document_id, new.letter.provenance.candidates.get("number", ())
            )
            for row in new.page_rows:
                self.save_page(document_id, row)
            if new.copy_keys is not None:
                self._write_copy_keys(document_id, new.copy_keys)
            self._enqueue(document_id, stamp)
            self._inference_due(document_id)
        return document_id

    def replace_extraction(self, document_id: int, new: NewDocument) -> None:
        """Store a new reading of the same original (e.g. after OCR); corrections stay, and
        so does the number key of a corrected number."""
        stamp = now_iso()
        with self._transaction():
            (inferred,) = self.db.execute(
                "SELECT archive_inferred FROM documents WHERE id = ?", (document_id,)
            ).fetchone()
            key = self._held([(document_id, new.letter, inferred)])[document_id].number_key
            self.db.execute(
                "UPDATE documents SET status = ?, status_message = ?, extraction = ?, pages = ?,"
                " text = ?, metadata = ?, number_key = ?, updated_at = ? WHERE id = ?",
                (*_reading(new, key, stamp), document_id),
            )
            self._write_citations(document_id, new.citations)
            self._write_number_candidates(
                document_id, new.letter.provenance.candidates.get("number", ())
            )
            if new.copy_keys is not None:
                self._write_copy_keys(document_id, new.copy_keys)
            self._enqueue(document_id, stamp)
            self._inference_due(document_id)

    def letter(self, document_id: int) -> Letter | None:
        """The letter as the archive holds it (`letter.held`); None when there is none."""
        return self.letters([document_id]).get(document_id)

    def letters(self, ids: Iterable[int]) -> dict[int, Letter]:
        """Each of these letters as the archive holds it: what was read, what other letters
        suggest, staff corrections over both (`letter.held`)."""
        rows = self.db.execute(
            "SELECT id, metadata, archive_inferred FROM documents"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (json_list(ids),),
        )
        return self._held(
            (int(r["id"]), letter_from_json(json.loads(r["metadata"])), r["archive_inferred"])
            for r in rows
        )

    def as_read(self, document_id: int) -> Letter | None:
        """The letter as its reader left it, before inference across the archive and
        corrections (the value a correction overrides is kept)."""
        row = self.db.execute(
            "SELECT metadata FROM documents WHERE id = ?", (document_id,)
        ).fetchone()
        return letter_from_json(json.loads(row["metadata"])) if row else None

    def _held(self, read: Iterable[tuple[int, Letter, str]]) -> dict[int, Letter]:
        """Letters as read, by id, with what other letters suggest (the JSON of
        `documents.archive_inferred`) and the corrections laid over."""
        letters = {i: (letter, json.loads(inferred)) for i, letter, inferred in read}
        corrections = self._corrected_values(letters)
        return {
            i: held(letter, inferred, corrections.get(i, ()))
            for i, (letter, inferred) in letters.items()
        }

    def document(self, document_id: int) -> DocumentRecord | None:
        """A catalogued file and its document (its letter: `letter`)."""
        row = self.db.execute(_DOCUMENT_SELECT + " WHERE d.id = ?", (document_id,)).fetchone()
        return _record(row) if row else None

    def documents(self, ids: Iterable[int]) -> list[DocumentRecord]:
        """These catalogued files and their documents, by id."""
        rows = self.db.execute(
            _DOCUMENT_SELECT + " WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.id",
            (json_list(ids),),
        )
        return [_record(row) for row in rows]

    def iter_documents(self, batch: int = 1000) -> Iterator[DocumentRecord]:
        """Every catalogued document, by id, read a batch at a time."""
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
        """How many documents the catalog holds."""
        return int(self.db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def document_ids(self) -> list[int]:
        """The id of every catalogued document, in order."""
        return [int(row["id"]) for row in self.db.execute("SELECT id FROM documents ORDER BY id")]

    def documents_numbered(self, number_key: str) -> list[int]:
        """The ids of the letters whose number has this key, in order."""
        rows = self.db.execute(
            "SELECT id FROM documents WHERE number_key = ? ORDER BY id", (number_key,)
        )
        return [int(r["id"]) for r in rows]

    def documents_notated(self, notation_key: str) -> list[int]:
        """The ids of the letters whose number ends with this notation key (`/qd-ttg`):
        one issuer's register, whatever its serials. A scan of the catalog: asked only for
        the few letters whose number or date is unknown."""
        pattern = "%" + notation_key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.db.execute(
            "SELECT id FROM documents WHERE number_key LIKE ? ESCAPE '\\' ORDER BY id",
            (pattern,),
        )
        return [int(r["id"]) for r in rows]

    def numbers_starting(self, prefix_key: str, limit: int = 8) -> list[tuple[str, int]]:
        """(number as held, letter id) of letters whose number key starts with this (a
        corrected number shows as corrected)."""
        rows = self.db.execute(
            "SELECT id FROM documents WHERE number_key >= ? AND number_key < ?"
            " ORDER BY number_key LIMIT ?",
            (prefix_key, prefix_key + "\uffff", limit),
        )
        ids = [int(row["id"]) for row in rows]
        held = self.letters(ids)
        return [(number.text, i) for i in ids if (number := held[i].number) is not None]

    def documents_needing_ocr(self) -> list[int]:
        """The ids of the letters waiting for OCR (status `needs_ocr`), in order."""
        rows = self.db.execute("SELECT id FROM documents WHERE status = 'needs_ocr' ORDER BY id")
        return [int(row["id"]) for row in rows]

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
        """Replace a letter's status message (its status stays as it is)."""
        self.db.execute(
            "UPDATE documents SET status_message = ? WHERE id = ?", (message, document_id)
        )

    def integrity_problems(self) -> list[str]:
        """What SQLite's own integrity check reports (nothing when the file is sound)."""
        rows = [row[0] for row in self.db.execute("PRAGMA integrity_check")]
        return [] if rows == ["ok"] else rows
