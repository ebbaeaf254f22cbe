"""What copies of one letter share, and which copy search shows (table `copy_keys`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from archive.catalog.connection import Connection, json_list, now_iso


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


class Copies(Connection):
    """What copies of one letter share, and which copy search shows (table `copy_keys`)."""

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
        """Write these letters' copy keys, by document id, in one transaction."""
        with self._transaction():
            for document_id, each in keys.items():
                self._write_copy_keys(document_id, each)

    def copy_keys(self, ids: Iterable[int]) -> dict[int, CopyKeys]:
        """The copy keys of these letters, by id (a letter without keys is left out)."""
        rows = self.db.execute(
            "SELECT * FROM copy_keys WHERE document_id IN (SELECT value FROM json_each(?))",
            (json_list(ids),),
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
            (json_list(ids),),
        )
        return [int(row[0]) for row in rows]

    def readings(self, ids: Iterable[int]) -> dict[int, tuple[str, str]]:
        """(extraction method, status) of each letter: which copy reads best."""
        rows = self.db.execute(
            "SELECT id, extraction, status FROM documents"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (json_list(ids),),
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
            () if ids is None else (json_list(ids),),
        )
        return {int(row[0]) for row in rows}
