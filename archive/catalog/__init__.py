"""The SQLite catalog: files, documents, their text and metadata, citations, index work.

The catalog is the source of truth; every search index is derived from it. Metadata is
kept as the extractor produced it (`metadata`, JSON); staff corrections go to an
append-only table and are laid over it when read, so re-extraction never loses them.

One module per group of tables, all on one connection (`connection.Connection`, with its
transaction helper): `letters` (files, documents), `pages`, `citations`, `corrections`,
`copies`, `inference`, `index_queue`, `accounts`, `logs`; `schema` holds the tables.
"""

from __future__ import annotations

from archive.catalog.accounts import Accounts
from archive.catalog.citations import Citation
from archive.catalog.connection import now_iso
from archive.catalog.copies import CopyKeys
from archive.catalog.corrections import Corrections, corrected
from archive.catalog.index_queue import IndexQueue
from archive.catalog.inference import Inference
from archive.catalog.letters import DocumentRecord, Letters, NewDocument
from archive.catalog.logs import Logs
from archive.catalog.pages import PageRow

__all__ = [
    "Catalog", "Citation", "CopyKeys", "DocumentRecord", "NewDocument", "PageRow",
    "corrected", "now_iso",
]  # fmt: skip


class Catalog(Letters, Corrections, Inference, IndexQueue, Accounts, Logs):
    """One connection to the catalog; cheap to open, one per thread or request."""
