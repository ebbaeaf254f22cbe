"""The SQLite catalog: files, documents, their text and metadata, citations, index work.

The catalog is the source of truth; every search index is derived from it. Metadata is
kept as the extractor produced it (`metadata`, JSON); staff corrections go to an
append-only table and are laid over it when read, so re-extraction never loses them: the
catalog hands out each letter as held (`letter`, `letters`; `letter.held` lays what other
letters suggest and the corrections over what was read).

One module per group of tables, all on one connection (`connection.Connection`, with its
transaction helper): `letters` (files, documents), `pages`, `citations`, `corrections`,
`review` (the review desk's queue, the numbers unsure readings offer),
`copies`, `inference`, `index_queue`, `accounts`, `logs`; `schema` holds the tables and
`letter` the letter's JSON and the letter as held.
"""

from __future__ import annotations

from archive.catalog.accounts import Accounts
from archive.catalog.connection import now_iso
from archive.catalog.copies import CopyKeys
from archive.catalog.index_queue import IndexQueue
from archive.catalog.inference import Inference
from archive.catalog.letters import DocumentRecord, Letters, NewDocument
from archive.catalog.logs import Logs
from archive.catalog.pages import PageRow

__all__ = ["Catalog", "CopyKeys", "DocumentRecord", "NewDocument", "PageRow", "now_iso"]


class Catalog(Letters, Inference, IndexQueue, Accounts, Logs):
    """One connection to the catalog; cheap to open, one per thread or request."""
