"""What follows archiving letters, in one place: recognise the scans waiting for OCR, relate
the letters changed to the others (copies of one letter, inference across the archive),
and apply the index work queued.

Each step's work is kept in the catalog — scans waiting (their status), letters changed
since the archive-wide inference saw them (a queue written with each change), index work
(a queue) — so a run interrupted at any point is resumed by the next one, whoever runs it:
`congvan ingest`, `ocr`, `correct`, the server's workers, the evaluation.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from archive.catalog import Catalog
from archive.settings import Settings
from archive.store import OriginalStore
from indexer.followup.copies import regroup
from indexer.followup.inference import infer_across_archive
from indexer.intake.scans import OcrOutcome, recognise_pending
from indexer.pages.ocr import PageText, tesseract_ready
from indexer.search import EngineError, IndexBusy, SearchEngine
from indexer.search.factory import open_engine
from indexer.search.indexing import reindex, try_apply_pending

BUSY_RETRY_SECONDS = 10.0  # how long a command waits for the server to let go of the index


@dataclass
class FollowedUp:
    """What one follow-up did, step by step."""

    recognised: list[OcrOutcome] = field(default_factory=list)
    ocr_missing: bool = False  # scans wait: Tesseract with Vietnamese is not installed
    regrouped: int = 0  # letters whose copies changed (a scan of an archived letter)
    inferred: int = 0  # letters whose archive-wide inference changed
    indexed: int = 0
    index_problem: EngineError | None = None  # the work stays queued

    @property
    def ocr_failed(self) -> int:
        """How many scans OCR failed on."""
        return sum(outcome.failed for outcome in self.recognised)


def relate_changed(catalog: Catalog) -> tuple[int, int]:
    """What other letters say about the letters changed since the last run: which are
    copies of one letter, and what their signers' other letters state. Returns how many
    letters each changed (they are queued for indexing)."""
    changes = catalog.inference_changes()
    if not changes:
        return 0, 0
    letters = catalog.letters(document_id for document_id, _ in changes)
    regrouped = regroup(catalog, letters)
    return len(regrouped), infer_across_archive(catalog, changes, letters)  # empties the queue


def follow_up(
    catalog: Catalog, store: OriginalStore, engine: SearchEngine | None, max_pages: int,
    recognise: bool = True,
    on_page: Callable[[PageText], None] = lambda page: None,
    on_document: Callable[[OcrOutcome], None] = lambda outcome: None,
) -> FollowedUp:  # fmt: skip
    """The steps in order; `recognise=False` leaves scans to another worker, `engine=None`
    leaves the index (the evaluation has none)."""
    done = FollowedUp()
    if recognise and catalog.documents_needing_ocr():
        if tesseract_ready():
            done.recognised = recognise_pending(catalog, store, max_pages, on_page, on_document)
        else:
            done.ocr_missing = True
    done.regrouped, done.inferred = relate_changed(catalog)
    if engine is not None:
        done.indexed, done.index_problem = try_apply_pending(catalog, engine)
    return done


def follow_up_waiting(
    catalog: Catalog, settings: Settings,
    on_page: Callable[[PageText], None] = lambda page: None,
    on_document: Callable[[OcrOutcome], None] = lambda outcome: None,
    busy_retry: float = BUSY_RETRY_SECONDS,
) -> FollowedUp:  # fmt: skip
    """`follow_up` as a command runs it, beside a server perhaps: the store and the engine
    of the settings, and the index work tried again for `busy_retry` seconds while
    another process holds the index's writer."""
    engine = open_engine(settings)
    store = OriginalStore(settings.originals_dir)
    done = follow_up(catalog, store, engine, settings.max_pages, True, on_page, on_document)
    deadline = time.monotonic() + busy_retry
    while isinstance(done.index_problem, IndexBusy) and time.monotonic() < deadline:
        time.sleep(0.5)
        done.indexed, done.index_problem = try_apply_pending(catalog, engine)
    return done


def rebuild_index(catalog: Catalog, engine: SearchEngine) -> int:
    """The index rebuilt from the catalog, after the letters changed are related to the
    others (copies, inference); how many letters it holds."""
    relate_changed(catalog)
    return reindex(catalog, engine)
