"""`congvan serve`: the pages and the API in several processes, the workers in the first.

One waitress process answered about 160 requests a second on 2 cores: its threads share
one interpreter lock. So the server runs `--processes` of them on one listening socket,
which the first process opens and hands down (a port already taken still fails at once);
each process has its own engine reader. The index and OCR workers, which write, run only
in the first process; a scan uploaded to another one wakes the OCR worker through a pipe
the first process reads. Sessions are cookies signed with the data
folder's key and failed logins are counted in the catalog, so any process can answer any
request. A helper process that dies is started again; each one stops when the first stops.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from types import FrameType

from archive.settings import Settings
from archive.store import OriginalStore

log = logging.getLogger(__name__)
_PR_SET_PDEATHSIG = 1
_LOOK_SECONDS = 1.0  # how often helpers are checked on, and check on the first process


def serve(settings: Settings, host: str, port: int, threads: int, processes: int) -> None:
    """Serve on host:port with `processes` processes until stopped (SIGTERM, Ctrl+C)."""
    listener = _listening(host, port)
    from web.app import create_app
    from web.workers import IndexWorker, OcrWorker

    OriginalStore(settings.originals_dir).remove_leftovers()  # of a killed run
    app = create_app(settings)
    due = app.extensions["congvan_due"]
    IndexWorker(settings, app.extensions["congvan_engine"], due=due).start()
    due["ocr"].set()  # scans left waiting by an earlier run
    OcrWorker(settings, due).start()
    wake_reader, wake_writer = os.pipe()
    os.set_blocking(wake_writer, False)
    threading.Thread(target=_relay, args=(wake_reader, due["ocr"]), daemon=True).start()
    command = _helper_command(settings, listener, wake_writer, threads)
    helpers = [_start(command, listener, wake_writer) for _ in range(processes - 1)]
    stopping = threading.Event()
    threading.Thread(
        target=_keep_going, args=(helpers, command, listener, wake_writer, stopping), daemon=True
    ).start()
    signal.signal(signal.SIGTERM, _stop)
    print(
        f"Công Văn đang phục vụ tại http://{host}:{port}/ ({processes} tiến trình; "
        f"dữ liệu: {settings.data_dir})"
    )
    try:
        _waitress(app, listener, threads)
    finally:
        stopping.set()
        for helper in helpers:
            helper.terminate()
        for helper in helpers:
            helper.wait(timeout=10)


def serve_helper(
    settings: Settings, listener_fd: int, wake_fd: int, first: int, threads: int
) -> None:
    """A helper process of the process `first`: the pages and the API on the socket that
    process opened; a new scan wakes that process's OCR worker (`wake_fd`)."""
    from web.app import create_app

    listener = socket.socket(fileno=listener_fd)
    _die_with_parent()
    threading.Thread(target=_orphaned, args=(first,), daemon=True).start()
    app = create_app(settings)
    app.extensions["congvan_due"]["ocr"] = _Forwarded(wake_fd)
    _waitress(app, listener, threads)


class _Forwarded(threading.Event):
    """A helper's "ocr" wake-up: set, it tells the first process through the pipe."""

    def __init__(self, writer: int) -> None:
        super().__init__()
        self._writer = writer

    def set(self) -> None:
        with contextlib.suppress(OSError):  # a full pipe already holds a wake-up
            os.write(self._writer, b"!")


def _relay(reader: int, event: threading.Event) -> None:
    """In the first process: each wake-up from a helper sets the worker's own event."""
    while os.read(reader, 512):
        event.set()


def _listening(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.listen(1024)
    listener.set_inheritable(True)
    return listener


def _waitress(app: object, listener: socket.socket, threads: int) -> None:
    import waitress

    waitress.serve(app, sockets=[listener], threads=threads, ident="congvan")


def _helper_command(
    settings: Settings, listener: socket.socket, wake_writer: int, threads: int
) -> list[str]:
    return [
        sys.executable, "-m", "web.cli", "--data", str(settings.data_dir), "serve",
        "--threads", str(threads), "--listening-fd", str(listener.fileno()),
        "--wake-fd", str(wake_writer), "--helper-of", str(os.getpid()),
    ]  # fmt: skip


def _start(
    command: list[str], listener: socket.socket, wake_writer: int
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(command, pass_fds=[listener.fileno(), wake_writer])


def _keep_going(
    helpers: list[subprocess.Popen[bytes]],
    command: list[str],
    listener: socket.socket,
    wake_writer: int,
    stopping: threading.Event,
) -> None:
    """Start again each helper that died, until the server stops."""
    while not stopping.wait(_LOOK_SECONDS):
        for position, helper in enumerate(helpers):
            if helper.poll() is not None and not stopping.is_set():
                log.warning("serving process %d stopped (%s); starting another", helper.pid,
                            helper.returncode)  # fmt: skip
                helpers[position] = _start(command, listener, wake_writer)


def _die_with_parent() -> None:
    """Have the kernel stop this helper the moment the first process dies (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _orphaned(first: int) -> None:
    """Stop this helper once the first process is gone, where the kernel would not (it
    died before this helper asked to die with it)."""
    while os.getppid() == first:
        time.sleep(_LOOK_SECONDS)
    os._exit(0)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)
