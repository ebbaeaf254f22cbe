"""Each letter's pages as read (table `pages`): text, method, reason, positions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archive.catalog.connection import Connection, now_iso


@dataclass(frozen=True)
class PageRow:
    """One page as read: its text, how and why it was read that way, and its positions."""

    page: int  # from 1
    text: str
    confidence: float | None  # OCR's mean word confidence; None for a text layer
    method: str  # "pdf:text-layer", "ocr:tesseract-vie", "docx", …
    reason: str | None = None  # why this source was used, in Vietnamese
    layout: bytes | None = None  # lines and word boxes, packed by the indexer


class Pages(Connection):
    """Each letter's pages as read (table `pages`): text, method, reason, positions."""

    def save_page(self, document_id: int, row: PageRow) -> None:
        """Store one page at once, so an interrupted batch resumes after it."""
        self.db.execute(
            "INSERT OR REPLACE INTO pages (document_id, page, text, confidence, method,"
            " recognised_at, reason, layout) VALUES (?,?,?,?,?,?,?,?)",
            (document_id, row.page, row.text, row.confidence, row.method, now_iso(), row.reason,
             row.layout),
        )  # fmt: skip

    def pages_of(self, document_id: int) -> list[dict[str, Any]]:
        """A letter's pages as read, without positions, in page order (one dict a page)."""
        rows = self.db.execute(
            "SELECT page, text, confidence, method, reason FROM pages WHERE document_id = ?"
            " ORDER BY page",
            (document_id,),
        )
        return [dict(row) for row in rows]

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

    def ocr_pages_waiting(self) -> int:
        """Pages of letters waiting for OCR not yet recognised (a letter of unknown length
        counts as one page)."""
        row = self.db.execute(
            "SELECT SUM(MAX(0, COALESCE(d.pages, 1) - (SELECT COUNT(*) FROM pages p"
            " WHERE p.document_id = d.id))) FROM documents d WHERE d.status = 'needs_ocr'"
        ).fetchone()
        return int(row[0] or 0)
