"""Word 97–2003 (.doc), RTF and OpenDocument files converted to .docx by LibreOffice.

Archives of the 2000s–2010s are full of `.doc` files. LibreOffice (Debian's
`libreoffice-writer-nogui`) reads them and keeps header tables as tables and the legacy
`.VnTime` characters as they were typed (TCVN3's ư as a soft hyphen), so they are converted
afterwards exactly as in a `.docx` (comparison with antiword, catdoc and wvText:
docs/word-converters.md).

Each process keeps its own LibreOffice profile (two instances sharing one refuse to start),
named by its pid so that one left by a killed process is found and removed, and converts
one file at a time, with a time limit, in a temporary folder. LibreOffice runs in a process
group of its own, with limits on its memory and processor time: a file it cannot convert
in time has the whole group killed (`soffice` starts `soffice.bin`, which would otherwise
go on alone, holding the profile), and the next file gets a new profile.

A letter may link content from the network (an image by URL) that LibreOffice would fetch
while converting: the profile blocks links from documents outside trusted places
(`BlockUntrustedRefererLinks`), and where the system allows it LibreOffice runs in a
network namespace of its own, with no network at all (`unshare --net`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import resource
import shutil
import signal
import subprocess
import tempfile
import threading
from functools import cache
from itertools import count
from pathlib import Path

from indexer.pages.errors import ExtractionError

CONVERT_TIMEOUT = 120  # seconds; a file LibreOffice cannot convert by then is refused
MEMORY_BYTES = 2 * 1024**3  # LibreOffice's address space
_LOCK = threading.Lock()
_PROFILES: dict[int, Path] = {}
_GENERATIONS = count()


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        raise ExtractionError("cần LibreOffice (gói libreoffice-writer-nogui) để đọc tệp này")
    return found


_PROFILE_PREFIX = "congvan-libreoffice-"
# Written into each new profile: links a document makes to content elsewhere are not
# followed (LibreOffice would fetch a linked image by URL while converting), and a
# document's macros never run (trusted places only, of which there are none; execution off).
_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
<prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop>
<prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop>
<prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""


@cache
def no_network_prefix() -> tuple[str, ...]:
    """`unshare --net --` where this system lets a process leave the network (root, or
    user namespaces), else nothing: then only the profile's setting keeps links unread."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return ()
    try:
        tried = subprocess.run([unshare, "--net", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return ()
    return (unshare, "--net", "--") if tried.returncode == 0 else ()


def _profile() -> Path:
    """This process's LibreOffice profile folder, made once and removed at exit; those of
    processes that are gone (a reader killed at its limits) are removed first."""
    pid = os.getpid()
    if pid not in _PROFILES:
        _remove_orphaned_profiles()
        profile = Path(tempfile.gettempdir()) / f"{_PROFILE_PREFIX}{pid}-{next(_GENERATIONS)}"
        shutil.rmtree(profile, ignore_errors=True)  # of an earlier process with this pid
        profile.mkdir(mode=0o700)
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(_SETTINGS, "utf-8")
        atexit.register(shutil.rmtree, profile, ignore_errors=True)
        _PROFILES[pid] = profile
    return _PROFILES[pid]


def _remove_orphaned_profiles() -> None:
    for folder in Path(tempfile.gettempdir()).glob(f"{_PROFILE_PREFIX}*"):
        owner = folder.name.removeprefix(_PROFILE_PREFIX).split("-")[0]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            shutil.rmtree(folder, ignore_errors=True)


def _limits() -> None:
    """In LibreOffice's process, before it starts: its memory and processor time."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    seconds = CONVERT_TIMEOUT + 5
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))


def _convert(command: list[str]) -> int:
    """Run LibreOffice in a process group of its own; its return code, or ExtractionError
    once the whole group is killed at the time limit."""
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL, start_new_session=True, preexec_fn=_limits,
    )  # fmt: skip
    try:
        return process.wait(CONVERT_TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        _retire_profile()
        raise ExtractionError(
            f"LibreOffice không chuyển được tệp sau {CONVERT_TIMEOUT} giây"
        ) from None


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill LibreOffice and every process it started, and wait for it."""
    with contextlib.suppress(ProcessLookupError):  # already gone, group and all
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _retire_profile() -> None:
    """Never use again a profile a killed conversion held: the next one gets a new one."""
    profile = _PROFILES.pop(os.getpid(), None)
    if profile is not None:
        shutil.rmtree(profile, ignore_errors=True)


def to_docx(data: bytes, suffix: str) -> bytes:
    """The file converted to .docx; ExtractionError when LibreOffice cannot read it."""
    command = _soffice()
    with _LOCK, tempfile.TemporaryDirectory(prefix="congvan-word-") as folder:
        source = Path(folder) / f"van-ban{suffix}"
        source.write_bytes(data)
        returncode = _convert(
            [*no_network_prefix(), command, "--headless", "--norestore", "--nolockcheck",
             f"-env:UserInstallation={_profile().as_uri()}",
             "--convert-to", "docx", "--outdir", folder, str(source)]
        )  # fmt: skip
        converted = source.with_suffix(".docx")
        if returncode != 0 or not converted.exists():
            raise ExtractionError(f"tệp {suffix} hỏng, LibreOffice không đọc được")
        return converted.read_bytes()
