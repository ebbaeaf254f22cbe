"""Originals, stored once and never changed, under the SHA-256 of their bytes."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

INCOMING = ".incoming"  # the folder (and name prefix) of originals being written
_SETTLED_SECONDS = 60  # a temp file this old and unlocked has lost its writer


def sha256_of(data: bytes) -> str:
    """The SHA-256 of these bytes, in hex: the name an original is stored under."""
    return hashlib.sha256(data).hexdigest()


def sha256_of_file(path: Path, chunk: int = 1 << 20) -> str:
    """The SHA-256 of a file, read a megabyte at a time (never whole)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Staged:
    """An original written aside (`OriginalStore.stage`), held locked until kept."""

    digest: str
    temporary: str
    handle: BinaryIO


class OriginalStore:
    """A folder of read-only files named by their SHA-256 (`ab/cd/abcd…`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where the original with this SHA-256 is stored; ValueError if it is not a digest."""
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a SHA-256 digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes) -> str:
        """Store `data` if it is not stored yet; return its SHA-256. Never overwrites."""
        staged = self.stage(data)
        if staged is not None:
            self.keep(staged)
        return sha256_of(data) if staged is None else staged.digest

    def stage(self, data: bytes) -> Staged | None:
        """Write `data` aside, whole and durable, to be kept (`keep`) once its letter is
        catalogued; None when it is stored already. Until then the file stays locked, so
        no `remove_leftovers` takes it, and a run killed in between leaves only a
        leftover: nothing in the store that the catalog does not name."""
        digest = sha256_of(data)
        target = self.path(digest)
        if target.exists():
            return None
        incoming = self.root / INCOMING
        incoming.mkdir(parents=True, exist_ok=True)
        # The lock tells a live write from one a killed process left (`remove_leftovers`).
        fd, tmp = tempfile.mkstemp(dir=incoming, prefix=INCOMING + "-")
        handle = os.fdopen(fd, "wb")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.chmod(tmp, 0o444)
        except BaseException:
            self.drop(Staged(digest, tmp, handle))
            raise
        return Staged(digest, tmp, handle)

    def keep(self, staged: Staged) -> None:
        """Move a staged original into its place (a rename: it is never seen half-written)."""
        try:
            target = self.path(staged.digest)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged.temporary, target)
        finally:
            self.drop(staged)

    @staticmethod
    def drop(staged: Staged) -> None:
        """Forget a staged original (its letter was not catalogued), releasing its lock."""
        staged.handle.close()
        if os.path.exists(staged.temporary):
            os.unlink(staged.temporary)

    @staticmethod
    def is_leftover(path: Path) -> bool:
        """Whether `path` is a temporary file no live write holds (its writer was killed)."""
        if not path.name.startswith(INCOMING + "-"):
            return False
        try:
            with path.open("rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # fails while written
                return time.time() - os.fstat(handle.fileno()).st_mtime > _SETTLED_SECONDS
        except (BlockingIOError, FileNotFoundError):
            return False

    def remove_leftovers(self) -> int:
        """Remove what killed writes left (run at each start: `ingest`, `serve`)."""
        incoming = self.root / INCOMING
        leftovers = (
            [p for p in incoming.iterdir() if self.is_leftover(p)] if incoming.is_dir() else []
        )
        for path in leftovers:
            path.unlink(missing_ok=True)
        return len(leftovers)

    def read(self, sha256: str) -> bytes:
        """The bytes of the original stored under this SHA-256."""
        return self.path(sha256).read_bytes()

    def verify(self, sha256: str) -> bool:
        """Whether the stored bytes still hash to their name."""
        path = self.path(sha256)
        return path.exists() and sha256_of_file(path) == sha256
