"""What a person is to read (the review desk): the letters with a field the reader left
for review and no correction has settled, and the numbers an unsure reading offers
(table `number_candidates`), so a number query finds a letter whose blank may hold it."""

from __future__ import annotations

from collections.abc import Sequence

from archive.catalog.corrections import Corrections
from indexer.language.numbers import held_number

# The condition of the partial index `documents_to_review`, written as there so it is used.
_TO_REVIEW = "json_extract(d.metadata, '$.review') != '{}'"


class Review(Corrections):
    """The review desk's queue, and the numbers unsure readings offer."""

    def to_review(self, before: int | None = None, limit: int = 20) -> list[tuple[int, list[str]]]:
        """Letters with a field left for a person to read that nobody has corrected since,
        newest first (below id `before` when given): (id, the fields to review)."""
        rows = self.db.execute(
            "SELECT d.id, r.key FROM documents d, json_each(d.metadata, '$.review') r"
            f" WHERE {_TO_REVIEW} AND d.id < ? AND NOT EXISTS (SELECT 1 FROM corrections c"
            " WHERE c.document_id = d.id AND c.field = r.key) ORDER BY d.id DESC",
            (before if before is not None else 2**63 - 1,),
        )
        found: dict[int, list[str]] = {}
        for document_id, field in rows:
            if document_id not in found and len(found) == limit:
                break
            found.setdefault(int(document_id), []).append(field)
        return list(found.items())

    def review_counts(self) -> dict[str, int]:
        """How many letters have each field left to review (as `to_review` lists them)."""
        rows = self.db.execute(
            "SELECT r.key, count(*) FROM documents d, json_each(d.metadata, '$.review') r"
            f" WHERE {_TO_REVIEW} AND NOT EXISTS (SELECT 1 FROM corrections c"
            " WHERE c.document_id = d.id AND c.field = r.key) GROUP BY r.key ORDER BY r.key"
        )
        return {field: int(count) for field, count in rows}

    def _write_number_candidates(
        self, document_id: int, candidates: Sequence[tuple[str, float]]
    ) -> None:
        """The numbers an unsure reading of the letter's number offers, with their scores."""
        self.db.execute("DELETE FROM number_candidates WHERE document_id = ?", (document_id,))
        self.db.executemany(
            "INSERT OR IGNORE INTO number_candidates (document_id, number_key, score)"
            " VALUES (?,?,?)",
            [(document_id, held_number(text).key, score) for text, score in candidates],
        )

    def documents_maybe_numbered(self, number_key: str, limit: int = 20) -> list[tuple[int, float]]:
        """Letters whose number was left for review with this number among its readings,
        most probable first: (id, score). A letter whose number is held (read or
        corrected) since is not among them."""
        rows = self.db.execute(
            "SELECT n.document_id, n.score FROM number_candidates n"
            " JOIN documents d ON d.id = n.document_id"
            " WHERE n.number_key = ? AND d.number_key IS NULL AND NOT EXISTS (SELECT 1"
            " FROM corrections c WHERE c.document_id = n.document_id AND c.field = 'number')"
            " ORDER BY n.score DESC, n.document_id LIMIT ?",
            (number_key, limit),
        )
        return [(int(i), float(score)) for i, score in rows]

    def documents_awaiting_register(self) -> list[tuple[int, str]]:
        """(id, number key) of the letters the issuer's register may say more of: those
        bearing a number but no date (as read), and those whose unsure number reading
        offers candidates (one row per candidate)."""
        undated = self.db.execute(
            "SELECT id, number_key FROM documents WHERE number_key IS NOT NULL"
            " AND json_extract(metadata, '$.date') IS NULL"
        )
        unsure = self.db.execute(
            "SELECT n.document_id, n.number_key FROM number_candidates n"
            " JOIN documents d ON d.id = n.document_id WHERE d.number_key IS NULL"
        )
        return [(int(i), key) for i, key in [*undated, *unsure]]
