"""Fixity and consistency of an archive (`congvan check`).

An auditor must be able to trust that every original is intact: each one is hashed again
(streamed, never read whole) and compared with the name it is stored under and the
catalog's record. The catalog, the store and the search index must agree: no original
missing or unrecorded, no letter missing from the index, no index entry without a letter,
no temporary file left by an interrupted write, and SQLite's own integrity check clean.

`repair` does only what can be derived again: the index is rebuilt from the catalog and
leftover temporary files are removed. Originals are never touched, whatever is found.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from archive.catalog import Catalog
from archive.store import INCOMING, OriginalStore, sha256_of_file
from indexer.intake.pipeline import unexpected
from indexer.search import SearchEngine
from indexer.search.indexing import reindex

MIN_FREE_BYTES = 50 * 1024**2  # below this, writes to the catalog or the index may fail


@dataclass(frozen=True)
class Finding:
    """One problem found: its kind, the letter, file or index entry, and a detail to report."""

    kind: str  # original_changed, original_missing, orphan_original, not_indexed, …
    item: str  # the letter, file or index entry concerned
    detail: str  # in Vietnamese, for the report


@dataclass
class Report:
    """What `check_archive` checked and found, and what it repaired."""

    originals_checked: int = 0
    letters: int = 0
    indexed: int = 0
    findings: list[Finding] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    def add(self, kind: str, item: str, detail: str) -> None:
        """Record a finding."""
        self.findings.append(Finding(kind, item, detail))

    @property
    def clean(self) -> bool:
        """Whether nothing was found."""
        return not self.findings

    def as_json(self) -> dict[str, object]:
        """The report as plain values for JSON, with `clean`."""
        return {**asdict(self), "clean": self.clean}


def _originals(catalog: Catalog, store: OriginalStore, report: Report,
               step: Callable[[], None]) -> set[str]:  # fmt: skip
    """Hash every recorded original again; the digests recorded."""
    recorded: set[str] = set()
    for record in catalog.iter_documents():
        recorded.add(record.sha256)
        path = store.path(record.sha256)
        if not path.is_file():
            report.add("original_missing", f"#{record.id}", f"thiếu bản gốc {record.filename}")
        elif sha256_of_file(path) != record.sha256:
            report.add(
                "original_changed",
                f"#{record.id}",
                f"bản gốc {record.filename} đã bị thay đổi (mã băm SHA-256 không khớp)",
            )
        report.originals_checked += 1
        step()
    return recorded


def _store_files(store: OriginalStore, recorded: set[str], report: Report) -> list[Path]:
    """Files in the store no letter records, and temporary files; the latter returned."""
    leftovers = []
    for path in sorted(p for p in store.root.rglob("*") if p.is_file()):
        if store.is_leftover(path):
            leftovers.append(path)
            report.add("leftover_temp", str(path), "tệp tạm còn sót từ một lần ghi bị ngắt")
        elif path.name not in recorded and not path.name.startswith(INCOMING):
            report.add(
                "orphan_original", str(path), "bản gốc không thuộc văn bản nào trong danh mục"
            )
    return leftovers


def _disk(store: OriginalStore, report: Report) -> None:
    """Whether the disk holding the archive has room left to write the catalog and index."""
    free = shutil.disk_usage(store.root).free
    if free < MIN_FREE_BYTES:
        report.add(
            "disk_full",
            str(store.root.parent),
            f"đĩa gần đầy: còn {free // 1024**2} MB trống (cần ít nhất"
            f" {MIN_FREE_BYTES // 1024**2} MB để ghi danh mục và chỉ mục)",
        )


def _index(catalog: Catalog, engine: SearchEngine, report: Report) -> None:
    letters = set(catalog.document_ids())
    letters -= catalog.hidden_copies()  # shown in search by their letter's best copy
    try:
        indexed = engine.ids()
    except Exception as error:  # a damaged or unreadable index is a finding, not a crash
        report.add("index_unreadable", "chỉ mục", f"không đọc được chỉ mục ({unexpected(error)})")
        return
    report.letters, report.indexed = len(letters), len(indexed)
    for document_id in sorted(letters - indexed):
        report.add("not_indexed", f"#{document_id}", "văn bản chưa có trong chỉ mục tìm kiếm")
    for document_id in sorted(indexed - letters):
        report.add("index_without_letter", f"#{document_id}", "mục trong chỉ mục không còn văn bản")


def check_archive(
    catalog: Catalog, store: OriginalStore, engine: SearchEngine,
    step: Callable[[], None] = lambda: None, repair: bool = False,
) -> Report:  # fmt: skip
    """Everything above, in one report; with `repair`, what can be derived is redone."""
    report = Report()
    problems = catalog.integrity_problems()
    for problem in problems:
        report.add("catalog_integrity", "catalog.sqlite3", problem)
    _disk(store, report)
    recorded = _originals(catalog, store, report, step)
    leftovers = _store_files(store, recorded, report)
    _index(catalog, engine, report)
    if repair:
        for path in leftovers:
            path.unlink(missing_ok=True)
            report.repaired.append(f"đã xóa tệp tạm {path}")
        derived = ("not_indexed", "index_without_letter", "index_unreadable")
        if any(f.kind in derived for f in report.findings):
            _rebuild(catalog, engine, report)
    return report


def _rebuild(catalog: Catalog, engine: SearchEngine, report: Report) -> None:
    try:
        count = reindex(catalog, engine)
    except Exception as error:  # a full disk, an engine down: said, the archive untouched
        report.add("repair_failed", "chỉ mục", f"không dựng lại được ({unexpected(error)})")
        return
    report.repaired.append(f"đã dựng lại chỉ mục từ danh mục ({count} văn bản)")
