"""A batch of files: found in folders, read several at a time, catalogued in order.

Reading a letter (extraction and metadata, in an isolated reader process) is most of what
archiving it costs, and storing its original waits on the disk (fsync). Both run for a few
files ahead at once, one file per reader process, while the catalog, which has one writer,
takes the files in the order they were found and reports each outcome in that order.
An original read ahead waits aside, locked (`OriginalStore.stage`), and moves into the
store only in its turn, just before its letter is catalogued: a run killed in between
leaves leftovers, which the next start removes, never an original the catalog does not
name. (A full disk stops the batch; the files read ahead are then leftovers too.)
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath

from archive.catalog import Catalog
from archive.store import OriginalStore, sha256_of
from indexer.intake.disk import read_file
from indexer.intake.pipeline import (
    FAILED,
    NOT_READ,
    DiskFull,
    IngestOutcome,
    arrive,
    display_path,
    keep_and_catalogue,
    outcome_of,
    read_and_stage,
    reader,
    unexpected,
)
from indexer.pages.extract import EXTRACTORS, ExtractionError

AHEAD = 2  # files being read (or stored) at once, per reader process

# A file on its way: the line it is reported under, its digest, and what is left to do
# for it once its turn in the catalog comes.
_Started = tuple[str, str | None, Callable[[], IngestOutcome]]


def ingest_files(
    catalog: Catalog, store: OriginalStore, files: Sequence[tuple[Path, Path | None]],
    on_outcome: Callable[[IngestOutcome], None] = lambda outcome: None,
    private: frozenset[tuple[int, int]] = frozenset(),
) -> Counter[str]:  # fmt: skip
    """Archive the files `iter_files` found, after removing what a run killed while writing
    an original left in the store; how many had each outcome. No file of `private` (the
    data folder's own, `Settings.private_files`) is read. A full disk stops the batch: the
    files after it are counted as NOT_READ."""
    store.remove_leftovers()
    counts: Counter[str] = Counter()
    readers = len(reader())
    started: deque[_Started] = deque()
    with ThreadPoolExecutor(max_workers=readers, thread_name_prefix="doc-tep") as pool:

        def finish_first() -> None:
            source, digest, rest = started.popleft()
            outcome = outcome_of(catalog, source, digest, rest)
            counts[outcome.outcome] += 1
            on_outcome(outcome)

        try:
            for path, within in files:
                started.append(_start(catalog, store, pool, path, within, private))
                while len(started) > readers * AHEAD:
                    finish_first()
            while started:
                finish_first()
        except DiskFull as full:
            counts[FAILED] += 1
            on_outcome(full.outcome)
            counts[NOT_READ] = len(files) - counts.total()
    return counts


def _start(
    catalog: Catalog, store: OriginalStore, pool: ThreadPoolExecutor, path: Path,
    within: Path | None, private: frozenset[tuple[int, int]],
) -> _Started:  # fmt: skip
    """A file read from disk (`disk.read_file`: never one of `private`, never out of
    `within` by a link), looked up, and sent to be read unless already archived."""
    source = display_path(path)
    try:
        data = read_file(path, within, private)
    except Exception as error:  # a link loop, a vanished file…: that file's line only
        reason = str(error) if isinstance(error, ExtractionError) else unexpected(error)
        failed = IngestOutcome(source, FAILED, f"lỗi: {reason}")
        return source, None, lambda: failed
    digest = sha256_of(data) if data else None
    try:
        arrival = arrive(catalog, data, display_path(Path(path.name)), source, digest)
    except Exception as error:  # reported in its turn, as the file's own outcome
        return source, digest, _raising(error)
    if isinstance(arrival, IngestOutcome):
        return source, digest, lambda: arrival
    reading = pool.submit(read_and_stage, store, arrival)
    return source, digest, lambda: keep_and_catalogue(catalog, store, arrival, reading.result())


def _raising(error: Exception) -> Callable[[], IngestOutcome]:
    def step() -> IngestOutcome:
        raise error

    return step


def _letter_like(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in EXTRACTORS


def iter_files(paths: Iterable[Path]) -> Iterator[tuple[Path, Path | None]]:
    """Each file to ingest and the folder it was found in: files named, and everything
    inside folders named (recursively, sorted, hidden skipped; links not descended into,
    they are reported by `read_file`)."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            for root, dirs, files in os.walk(path):
                # Reported, not entered: links (never followed out) and folders named like
                # a letter ("thu.pdf"), which an operator took for files.
                odd = {d for d in dirs if os.path.islink(os.path.join(root, d)) or _letter_like(d)}
                for name in sorted(odd):
                    yield Path(root) / name, path
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in odd)
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name, path
        else:
            yield path, None
