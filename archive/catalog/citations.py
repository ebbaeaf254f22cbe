"""The numbers each letter cites (table `citations`), and who cites a number."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from archive.catalog.connection import Connection, json_list
from archive.catalog.schema import LOOSE
from indexer.language.letter import Citation
from indexer.language.numbers import held_number


def _citation(row: sqlite3.Row) -> Citation:
    return Citation(held_number(row["number"]), row["relation"], json.loads(row["details"]))


class Citations(Connection):
    """The numbers each letter cites (table `citations`), and who cites a number."""

    def _write_citations(self, document_id: int, citations: Sequence[Citation]) -> None:
        self.db.execute("DELETE FROM citations WHERE document_id = ?", (document_id,))
        self.db.executemany(
            "INSERT INTO citations (document_id, position, number, number_key, relation, details)"
            " VALUES (?,?,?,?,?,?)",
            [
                (
                    document_id,
                    i,
                    c.number.text,
                    c.number_key,
                    c.relation,
                    json.dumps(dict(c.details), ensure_ascii=False),
                )
                for i, c in enumerate(citations)
            ],
        )

    def citations_of(self, document_id: int) -> list[Citation]:
        """The numbers a letter cites, in the order it cites them."""
        rows = self.db.execute(
            "SELECT number, relation, details FROM citations"
            " WHERE document_id = ? ORDER BY position",
            (document_id,),
        )
        return [_citation(r) for r in rows]

    def citations_naming(self, number_key: str, ids: Iterable[int]) -> dict[int, Citation]:
        """The first citation of the number in each of these letters (one query for all)."""
        rows = self.db.execute(
            "SELECT document_id, number, relation, details FROM citations WHERE number_key = ?"
            " AND document_id IN (SELECT value FROM json_each(?)) ORDER BY document_id, position",
            (number_key, json_list(ids)),
        )
        found: dict[int, Citation] = {}
        for r in rows:
            found.setdefault(int(r["document_id"]), _citation(r))
        return found

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
        """How many documents cite the number, the one `excluding` (if given) not counted."""
        row = self.db.execute(
            "SELECT COUNT(DISTINCT document_id) FROM citations"
            " WHERE number_key = ? AND document_id IS NOT ?",
            (number_key, excluding),
        ).fetchone()
        return int(row[0])

    def number_key_loosely(self, loose_key: str) -> str | None:
        """The key of a number as archived letters bear it (else as they cite it), found by
        its runs of letters and digits joined by dots (`1245.cv.tu` → `1245-cv/tu`)."""
        for table in ("documents", "citations"):  # both indexed on LOOSE (`Connection._migrate`)
            row = self.db.execute(
                f"SELECT number_key FROM {table} WHERE {LOOSE} = ? LIMIT 1", (loose_key,)
            ).fetchone()
            if row:
                return str(row[0])
        return None
