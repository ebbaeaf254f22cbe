"""Reading one file with limits: no file can hang or exhaust the process that archives it.

Extraction (PDFium, python-docx, LibreOffice, decoders) runs in a helper process started
once (spawned, so no lock another thread holds is copied into it) with an address-space
limit. A file that takes longer than `SECONDS` gets its helper killed and a new one
started; one that needs more memory than `MEMORY_BYTES` fails there with MemoryError.
Either way the file gets a one-line reason and the batch goes on. `Readers` keeps a few
helpers, so one slow file (a document LibreOffice takes minutes over) does not hold up the
other uploads: each call takes whichever helper is free.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import resource
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from indexer.pages.errors import ExtractionError

SECONDS = 300  # one file's extraction, at most
MEMORY_BYTES = 3 * 1024**3  # the helper's address space


def _serve(connection: Connection, memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    while True:
        try:
            task: tuple[Callable[..., Any], tuple[Any, ...]] | None = connection.recv()
        except EOFError:
            return
        if task is None:
            return
        function, args = task
        try:
            connection.send(("ok", function(*args)))
        except MemoryError:
            connection.send(("memory", None))
        except Exception as error:  # sent back and raised in the caller, as if local
            connection.send(("error", error))


class Isolated:
    """A helper process that runs functions under the limits above, one call at a time."""

    def __init__(self, seconds: float = SECONDS, memory: int = MEMORY_BYTES) -> None:
        self.seconds, self.memory = seconds, memory
        self._lock = threading.Lock()
        self._process: Any = None
        self._connection: Connection | None = None

    def _start(self) -> Connection:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, self.memory), daemon=True)
        try:
            process.start()  # kept only once started: a process never started cannot be killed
        except BaseException:
            parent.close()
            raise
        finally:
            child.close()
        self._process = process
        self._connection = parent
        return parent

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
        self._process, self._connection = None, None

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run `function(*args)` in the helper, return its result; ExtractionError past a limit."""
        with self._lock:
            connection = self._connection or self._start()
            try:
                connection.send((function, args))
                if not connection.poll(self.seconds):
                    self._stop()
                    raise ExtractionError(f"đọc tệp quá lâu (hơn {self.seconds:g} giây), đã dừng")
                status, value = connection.recv()
            except (EOFError, BrokenPipeError, ConnectionResetError):
                self._stop()
                raise ExtractionError(
                    "tiến trình đọc tệp dừng bất thường (tệp làm hỏng bộ đọc)"
                ) from None
        if status == "memory":
            raise ExtractionError(f"tệp cần quá nhiều bộ nhớ (hơn {self.memory // 1024**2} MB)")
        if status == "error":
            raise value
        return value

    def close(self) -> None:
        """Stop the helper process (a later call starts a new one)."""
        with self._lock:
            if self._connection is not None:
                with contextlib.suppress(BrokenPipeError, OSError):
                    self._connection.send(None)
            self._stop()


class Readers:
    """A few `Isolated` helpers; a call takes a free one, waiting only when all are busy."""

    def __init__(self, count: int = 2, seconds: float = SECONDS, memory: int = MEMORY_BYTES):
        self._all = [Isolated(seconds, memory) for _ in range(count)]
        self._idle: queue.Queue[Isolated] = queue.Queue()
        for helper in self._all:
            self._idle.put(helper)

    def call(self, function: Callable[..., Any], *args: Any) -> Any:
        """`Isolated.call` on a free helper."""
        helper = self._idle.get()
        try:
            return helper.call(function, *args)
        finally:
            self._idle.put(helper)

    def close(self) -> None:
        """Stop every helper process (later calls start new ones)."""
        for helper in self._all:
            helper.close()
