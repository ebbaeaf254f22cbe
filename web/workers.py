"""The server's background workers: the index worker (archive-wide inference when due,
then index work) and the OCR worker (scans, when woken); both run `followup.follow_up`."""

from __future__ import annotations

import logging
import threading

from archive.catalog import Catalog
from archive.settings import Settings
from archive.store import OriginalStore
from indexer.followup.steps import follow_up
from indexer.intake.scans import tesseract_ready
from indexer.search import EngineError, IndexBusy, SearchEngine

log = logging.getLogger(__name__)


def _no_events() -> dict[str, threading.Event]:
    return {"ocr": threading.Event()}


class IndexWorker(threading.Thread):
    """Applies index work queued in the catalog (by uploads, corrections, or `congvan
    ingest` run beside the server), after archive-wide inference when letters arrived."""

    def __init__(
        self,
        settings: Settings,
        engine: SearchEngine,
        interval: float = 2.0,
        due: dict[str, threading.Event] | None = None,
    ) -> None:
        super().__init__(name="index-worker", daemon=True)
        self.settings, self.engine, self.interval = settings, engine, interval
        self.due = due or _no_events()
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
        """Every `interval` seconds until stopped: inference across the archive, then index work."""
        prepared = False
        while not self.stopped.is_set():
            try:
                if not prepared:  # index settings applied at start, once the engine answers
                    self.engine.prepare()
                    prepared = True
                with Catalog(self.settings.catalog_path) as catalog:
                    store = OriginalStore(self.settings.originals_dir)
                    done = follow_up(
                        catalog, store, self.engine, self.settings.max_pages, recognise=False
                    )  # scans are the OCR worker's part
                if done.indexed:
                    log.info("applied %d queued index updates", done.indexed)
                problem = done.index_problem
                self._report(None if isinstance(problem, IndexBusy) else problem)
            except EngineError as problem:
                self._report(problem)
            except Exception:  # keep serving; the work stays queued and is retried
                log.exception("index worker failed; will retry")
            self.stopped.wait(self.interval)


class OcrWorker(threading.Thread):
    """Recognises uploaded scans, one letter after another, when told to (and every few
    minutes, for scans archived by other processes). Pages are stored as they finish, so
    stopping the server loses nothing."""

    def __init__(
        self, settings: Settings, due: dict[str, threading.Event], interval: float = 300.0
    ) -> None:
        super().__init__(name="ocr-worker", daemon=True)
        self.settings, self.due, self.interval = settings, due, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        """Recognise waiting scans when woken (else every `interval` seconds), until stopped."""
        while not self.stopped.is_set():
            self.due["ocr"].wait(self.interval)
            self.due["ocr"].clear()
            if not tesseract_ready():
                continue
            try:
                with Catalog(self.settings.catalog_path) as catalog:
                    store = OriginalStore(self.settings.originals_dir)
                    done = follow_up(catalog, store, None, self.settings.max_pages)
                for outcome in done.recognised:
                    log.info("OCR: %s", outcome.line())
            except Exception:  # keep serving; unfinished scans stay pending
                log.exception("OCR worker failed; will retry")
