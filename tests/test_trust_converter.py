"""LibreOffice that cannot finish in time is killed with everything it started, and the
next file converts as usual (issue 20, point 2). A real slow RTF, real LibreOffice."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from indexer.pages import word
from indexer.pages.errors import ExtractionError

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None and shutil.which("libreoffice") is None,
    reason="LibreOffice (libreoffice-writer-nogui) is not installed",
)


def _slow_rtf(rows: int) -> bytes:
    """An RTF with a table of `rows` rows: LibreOffice takes minutes over 200,000."""
    row = rb"\trowd\cellx2000\cellx4000\intbl 1\cell\intbl 2\cell\row" + b"\n"
    return rb"{\rtf1\ansi " + row * rows + b"}"


def _soffice_processes() -> list[int]:
    """LibreOffice processes of this test process's profiles, alive or not yet reaped."""
    marker = f"congvan-libreoffice-{os.getpid()}-".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_a_conversion_out_of_time_leaves_nothing_running(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word, "CONVERT_TIMEOUT", 4)
    started = time.monotonic()
    with pytest.raises(ExtractionError, match="sau 4 giây"):
        word.to_docx(_slow_rtf(200_000), ".rtf")
    assert time.monotonic() - started < 30
    assert _soffice_processes() == []
    monkeypatch.setattr(word, "CONVERT_TIMEOUT", 120)
    small = rb"{\rtf1\ansi C\'f4ng v\'e3n s\'f4 5.}"
    assert word.to_docx(small, ".rtf").startswith(b"PK")  # a new profile, not the stray one
