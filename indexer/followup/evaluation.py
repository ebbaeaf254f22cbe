"""Per-field accuracy of metadata against an archivist's expected values.

The letters go through the real pipeline into a throw-away archive (so archive-wide
inference takes part), then each expected field is compared exactly (null with null).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.catalog import Catalog
from archive.catalog.letter import fields_json
from archive.store import OriginalStore
from indexer.followup.steps import follow_up
from indexer.intake.pipeline import ingest_path, iter_files

NOT_FIELDS = {"notes", "inferred"}


@dataclass
class FieldScore:
    """How many letters had one field read as the archivist expects, of how many compared."""

    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        """The share read right (1.0 when nothing was compared)."""
        return self.correct / self.total if self.total else 1.0


@dataclass
class Report:
    """Scores by field, the values read wrong, and the expected files that were not read."""

    fields: dict[str, FieldScore] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def perfect(self) -> bool:
        """Whether every expected file was read and every expected field read right."""
        return not self.mismatches and not self.missing

    def lines(self) -> list[str]:
        """The report as lines for the terminal: the field table, then what was wrong or missing."""
        out = [f"{'trường':<18}{'đúng':>6}{'tổng':>6}{'tỉ lệ':>9}"]
        for name, score in sorted(self.fields.items()):
            out.append(f"{name:<18}{score.correct:>6}{score.total:>6}{score.accuracy:>9.1%}")
        out += [f"sai: {line}" for line in self.mismatches]
        out += [f"thiếu: {name}" for name in self.missing]
        return out


def _read_all(
    paths: Iterable[tuple[Path, Path | None]], data_dir: Path
) -> dict[str, dict[str, Any]]:
    """Metadata of each file, keyed by file name and by name without suffix."""
    with Catalog(data_dir / "catalog.sqlite3") as catalog:
        store = OriginalStore(data_dir / "originals")
        ids = {}
        for path, within in paths:
            outcome = ingest_path(catalog, store, path, within)
            if outcome.document_id is not None:
                ids[path.name] = outcome.document_id
        follow_up(catalog, store, None, max_pages=0, recognise=False)  # inference, no index
        letters = catalog.letters(ids.values())
        read: dict[str, dict[str, Any]] = {}
        for name, document_id in ids.items():
            if document_id in letters:
                read[name] = read[Path(name).stem] = fields_json(letters[document_id])
        return read


def evaluate(folder: Path, expected: dict[str, dict[str, Any]]) -> Report:
    """Read the folder's letters into a throw-away archive; score each field against `expected`."""
    with tempfile.TemporaryDirectory(prefix="congvan-eval-") as data_dir:
        read = _read_all(iter_files([folder]), Path(data_dir))
    report = Report()
    for name, fields in sorted(expected.items()):
        if name not in read:
            report.missing.append(name)
            continue
        for field_name, want in fields.items():
            if field_name in NOT_FIELDS:
                continue
            score = report.fields.setdefault(field_name, FieldScore())
            score.total += 1
            got = read[name].get(field_name)
            if got == want:
                score.correct += 1
            else:
                report.mismatches.append(f"{name}: {field_name}: đọc được {got!r}, cần {want!r}")
    return report
