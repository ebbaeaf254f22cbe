"""Which engine this deployment searches with."""

from __future__ import annotations

from archive.settings import Settings
from indexer.engine import SearchEngine
from indexer.engine.tantivy_engine import TantivyEngine


def open_engine(settings: Settings) -> SearchEngine:
    """The embedded Tantivy engine in the data folder (Meilisearch arrives in its own issue)."""
    return TantivyEngine(settings.index_dir)
