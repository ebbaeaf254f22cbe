"""No single file can hang or exhaust the process archiving it: its reading runs in a
helper process with a time and a memory limit, and the batch goes on."""

from __future__ import annotations

import threading
import time

import pytest

from indexer.pages.errors import ExtractionError
from indexer.pages.isolation import Isolated, Readers


def _sleep(seconds: float) -> str:
    time.sleep(seconds)
    return "done"


def _eat_memory(megabytes: int) -> int:
    return len(bytearray(megabytes * 1024 * 1024))


def _refuse(reason: str) -> None:
    raise ExtractionError(reason)


def test_a_file_that_hangs_is_stopped_and_the_next_one_read() -> None:
    reader = Isolated(seconds=2)
    try:
        with pytest.raises(ExtractionError, match="quá lâu"):
            reader.call(_sleep, 60)
        assert reader.call(_sleep, 0) == "done"  # a new helper took over
    finally:
        reader.close()


def test_a_file_that_needs_too_much_memory_fails_alone() -> None:
    reader = Isolated(memory=1024**3)
    try:
        with pytest.raises(ExtractionError, match="quá nhiều bộ nhớ"):
            reader.call(_eat_memory, 2048)
        assert reader.call(_eat_memory, 10) == 10 * 1024 * 1024
        with pytest.raises(ExtractionError, match="tệp hỏng"):  # errors come back as raised
            reader.call(_refuse, "tệp hỏng")
    finally:
        reader.close()


def test_a_slow_file_does_not_hold_up_the_next_one() -> None:
    """Issue 20, point 2: while one file takes long (LibreOffice over a huge table took
    minutes), another person's small file is read by the other helper at once."""
    readers = Readers(count=2)
    try:
        readers.call(_sleep, 0)  # both helpers started: what is timed is the waiting
        readers.call(_sleep, 0)
        slow = threading.Thread(target=readers.call, args=(_sleep, 5))
        slow.start()
        time.sleep(0.5)
        started = time.monotonic()
        assert readers.call(_sleep, 0) == "done"
        assert time.monotonic() - started < 3
        slow.join(30)
    finally:
        readers.close()
