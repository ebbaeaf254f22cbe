"""Settings, built from the environment in one place and passed explicitly."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from pathlib import Path

# The largest original the archive takes, whether ingested from disk or uploaded (one
# upload request carries at most this much too); the upload page states it.
MAX_FILE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class MeiliSettings:
    """Where the production engine runs and the keys for it. Keys never appear in a repr,
    so they cannot reach a log line or an error page by accident."""

    url: str
    index: str = "congvan"
    search_key: str | None = field(default=None, repr=False)  # MEILI_API_KEY
    admin_key: str | None = field(default=None, repr=False)  # MEILI_ADMIN_KEY
    master_key: str | None = field(default=None, repr=False)  # MEILI_MASTER_KEY
    timeout: float = 10.0  # seconds for one HTTP request (MEILI_TIMEOUT)
    task_timeout: float = 600.0  # seconds to wait for a write to finish (MEILI_TASK_TIMEOUT)


@dataclass(frozen=True)
class Settings:
    """Where the archive keeps its data and how it runs (pages, engine, access, cookies)."""

    data_dir: Path
    max_pages: int = 500  # pages recognised per document at most (CONGVAN_MAX_PAGES)
    meili: MeiliSettings | None = None  # None: the embedded engine in the data folder
    login_to_view: bool = False  # CONGVAN_VIEW=login: reading needs a staff account too
    secret_key: str | None = field(default=None, repr=False)  # CONGVAN_SECRET_KEY
    secure_cookies: bool = False  # CONGVAN_SECURE_COOKIES=1: cookies only over HTTPS

    @property
    def catalog_path(self) -> Path:
        """The catalog's SQLite file, in the data folder."""
        return self.data_dir / "catalog.sqlite3"

    @property
    def originals_dir(self) -> Path:
        """The folder of originals (`OriginalStore`), in the data folder."""
        return self.data_dir / "originals"

    @property
    def index_dir(self) -> Path:
        """The embedded search engine's index folder, in the data folder."""
        return self.data_dir / "index"

    @property
    def secret_key_path(self) -> Path:
        """Where the session-signing key is kept when CONGVAN_SECRET_KEY is not set."""
        return self.data_dir / "secret_key"

    def private_files(self) -> frozenset[tuple[int, int]]:
        """(device, inode) of the archive's own files in the data folder (the session key,
        the catalog and its journal files, the index): what ingestion must never read as a
        letter, by any name or link. A folder of letters kept there (`./dev run`'s inbox)
        is not among them."""
        catalog = self.catalog_path
        own = [self.secret_key_path, catalog]
        own += [catalog.with_name(catalog.name + end) for end in ("-wal", "-shm", "-journal")]
        for root, _dirs, files in os.walk(self.index_dir):
            own += [Path(root) / name for name in files]
        found = set()
        for path in own:
            with contextlib.suppress(OSError):
                status = os.stat(path, follow_symlinks=False)
                found.add((status.st_dev, status.st_ino))
        return frozenset(found)

    @classmethod
    def from_env(cls, data_dir: str | os.PathLike[str] | None = None) -> Settings:
        """`data_dir` if given, else CONGVAN_DATA, else ./data; CONGVAN_MAX_PAGES; MEILI_*."""
        chosen = data_dir or os.environ.get("CONGVAN_DATA") or "data"
        max_pages = int(os.environ.get("CONGVAN_MAX_PAGES") or 500)
        view = os.environ.get("CONGVAN_VIEW") or "public"
        if view not in ("public", "login"):
            raise ValueError(f"CONGVAN_VIEW phải là public hoặc login, không phải {view!r}")
        return cls(
            data_dir=Path(chosen).resolve(),
            max_pages=max_pages,
            meili=_meili_from_env(),
            login_to_view=view == "login",
            secret_key=os.environ.get("CONGVAN_SECRET_KEY") or None,
            secure_cookies=os.environ.get("CONGVAN_SECURE_COOKIES") == "1",
        )


def _meili_from_env() -> MeiliSettings | None:
    env = os.environ
    if not env.get("MEILI_URL"):
        return None
    return MeiliSettings(
        url=env["MEILI_URL"].rstrip("/"),
        index=env.get("MEILI_INDEX") or "congvan",
        search_key=env.get("MEILI_API_KEY") or None,
        admin_key=env.get("MEILI_ADMIN_KEY") or None,
        master_key=env.get("MEILI_MASTER_KEY") or None,
        timeout=float(env.get("MEILI_TIMEOUT") or 10),
        task_timeout=float(env.get("MEILI_TASK_TIMEOUT") or 600),
    )
