"""Which engine this deployment searches with."""

from __future__ import annotations

from archive.settings import Settings
from indexer.search import SearchEngine


def open_engine(settings: Settings) -> SearchEngine:
    """Meilisearch when MEILI_URL is set, else the embedded Tantivy engine in the data folder."""
    if settings.meili is not None:
        from indexer.search.meili_engine import MeiliEngine

        return MeiliEngine(settings.meili)
    from indexer.search.tantivy_engine import TantivyEngine

    return TantivyEngine(settings.index_dir)
