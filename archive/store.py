"""Originals, stored once and never changed, under the SHA-256 of their bytes."""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from pathlib import Path

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
        digest = sha256_of(data)
        target = self.path(digest)
        if target.exists():
            return digest
        target.parent.mkdir(parents=True, exist_ok=True)
        incoming = self.root / INCOMING
        incoming.mkdir(exist_ok=True)
        # Write aside and rename, so a crash never leaves a partial original; the lock
        # tells a live write from one a killed process left (`remove_leftovers`).
        fd, tmp = tempfile.mkstemp(dir=incoming, prefix=INCOMING + "-")
        try:
            with os.fdopen(fd, "wb") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o444)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return digest

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
