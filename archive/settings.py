"""Settings, built from the environment in one place and passed explicitly."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    max_pages: int = 500  # pages recognised per document at most (CONGVAN_MAX_PAGES)

    @property
    def catalog_path(self) -> Path:
        return self.data_dir / "catalog.sqlite3"

    @property
    def originals_dir(self) -> Path:
        return self.data_dir / "originals"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @classmethod
    def from_env(cls, data_dir: str | os.PathLike[str] | None = None) -> Settings:
        """`data_dir` if given, else CONGVAN_DATA, else ./data; CONGVAN_MAX_PAGES."""
        chosen = data_dir or os.environ.get("CONGVAN_DATA") or "data"
        max_pages = int(os.environ.get("CONGVAN_MAX_PAGES") or 500)
        return cls(data_dir=Path(chosen).resolve(), max_pages=max_pages)
