"""Application factory, per-request catalog, and the background index worker."""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

from archive.catalog import Catalog
from archive.settings import Settings
from archive.store import OriginalStore
from indexer.engine import EngineError, IndexBusy, SearchEngine
from indexer.engine.factory import open_engine
from indexer.indexing import try_apply_pending
from web import api, views
from web.context import close_catalog

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None, test_config: dict[str, Any] | None = None
) -> Flask:
    """Build the Flask app for one data folder."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(JSON_AS_ASCII=False, SETTINGS=settings)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if test_config:
        app.config.update(test_config)
    app.extensions["congvan_engine"] = open_engine(settings)
    app.extensions["congvan_store"] = OriginalStore(settings.originals_dir)

    app.register_blueprint(views.blueprint)
    app.register_blueprint(api.blueprint)
    app.teardown_appcontext(close_catalog)
    return app


class IndexWorker(threading.Thread):
    """Applies index work queued in the catalog, e.g. by `congvan ingest` while serving."""

    def __init__(self, settings: Settings, engine: SearchEngine, interval: float = 2.0) -> None:
        super().__init__(name="index-worker", daemon=True)
        self.settings, self.engine, self.interval = settings, engine, interval
        self.stopped = threading.Event()
        self.last_problem: str | None = None

    def _report(self, problem: Exception | None) -> None:
        """Log when the engine stops or starts taking work, not on every retry."""
        text = str(problem) if problem else None
        if text != self.last_problem:
            if text:
                log.warning("index work stays queued: %s", text)
            else:
                log.info("the search engine takes index work again")
        self.last_problem = text

    def run(self) -> None:
        prepared = False
        while not self.stopped.is_set():
            try:
                if not prepared:  # index settings applied at start, once the engine answers
                    self.engine.prepare()
                    prepared = True
                with Catalog(self.settings.catalog_path) as catalog:
                    applied, problem = try_apply_pending(catalog, self.engine)
                if applied:
                    log.info("applied %d queued index updates", applied)
                self._report(None if isinstance(problem, IndexBusy) else problem)
            except EngineError as problem:
                self._report(problem)
            except Exception:  # keep serving; the work stays queued and is retried
                log.exception("index worker failed; will retry")
            self.stopped.wait(self.interval)
