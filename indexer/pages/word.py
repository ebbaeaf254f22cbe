"""Word 97–2003 (.doc), RTF and OpenDocument files converted to .docx by LibreOffice.

Archives of the 2000s–2010s are full of `.doc` files. LibreOffice (Debian's
`libreoffice-writer-nogui`) reads them and keeps header tables as tables and the legacy
`.VnTime` characters as they were typed (TCVN3's ư as a soft hyphen), so they are converted
afterwards exactly as in a `.docx` (comparison with antiword, catdoc and wvText:
docs/word-converters.md).

Each process keeps its own LibreOffice profile (two instances sharing one refuse to start),
named by its pid so that one left by a killed process is found and removed, and converts
one file at a time, with a time limit, in a temporary folder.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

from indexer.pages.errors import ExtractionError

CONVERT_TIMEOUT = 120  # seconds; a file LibreOffice cannot convert by then is refused
_LOCK = threading.Lock()
_PROFILES: dict[int, Path] = {}


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise ExtractionError("cần LibreOffice (gói libreoffice-writer-nogui) để đọc tệp này")
    return found


_PROFILE_PREFIX = "congvan-libreoffice-"


def _profile() -> Path:
    """This process's LibreOffice profile folder, made once and removed at exit; those of
    processes that are gone (a reader killed at its limits) are removed first."""
    pid = os.getpid()
    if pid not in _PROFILES:
        _remove_orphaned_profiles()
        profile = Path(tempfile.gettempdir()) / f"{_PROFILE_PREFIX}{pid}"
        shutil.rmtree(profile, ignore_errors=True)  # of an earlier process with this pid
        profile.mkdir(mode=0o700)
        atexit.register(shutil.rmtree, profile, ignore_errors=True)
        _PROFILES[pid] = profile
    return _PROFILES[pid]


def _remove_orphaned_profiles() -> None:
    for folder in Path(tempfile.gettempdir()).glob(f"{_PROFILE_PREFIX}*"):
        owner = folder.name.removeprefix(_PROFILE_PREFIX)
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            shutil.rmtree(folder, ignore_errors=True)


def to_docx(data: bytes, suffix: str) -> bytes:
    """The file converted to .docx; ExtractionError when LibreOffice cannot read it."""
    command = _soffice()
    with _LOCK, tempfile.TemporaryDirectory(prefix="congvan-word-") as folder:
        source = Path(folder) / f"van-ban{suffix}"
        source.write_bytes(data)
        try:
            result = subprocess.run(
                [command, "--headless", "--norestore", "--nolockcheck",
                 f"-env:UserInstallation={_profile().as_uri()}",
                 "--convert-to", "docx", "--outdir", folder, str(source)],
                capture_output=True, timeout=CONVERT_TIMEOUT, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        except subprocess.TimeoutExpired as error:
            raise ExtractionError(
                f"LibreOffice không chuyển được tệp sau {CONVERT_TIMEOUT} giây"
            ) from error
        converted = source.with_suffix(".docx")
        if result.returncode != 0 or not converted.exists():
            raise ExtractionError(f"tệp {suffix} hỏng, LibreOffice không đọc được")
        return converted.read_bytes()
