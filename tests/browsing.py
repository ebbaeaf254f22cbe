"""A served archive for the browser tests: `congvan serve` in its own process on a data
folder, signing in. The browser itself (headless Chromium, Debian's, driven by Playwright)
is the fixtures `browser` and `page` of tests/conftest.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM, ROOT, STAFF_NAME, STAFF_PASSWORD

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} missing (apt-get install chromium)"
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextmanager
def served(data: Path) -> Iterator[str]:
    """`congvan serve` on the data folder `data`, in its own process: its base URL."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "--data", str(data), "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/api/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(10)


def sign_in(page: Any, site: str, path: str) -> None:
    """Sign in as staff, then open `path`."""
    page.goto(site + "/dang-nhap?next=" + urllib.parse.quote(path))
    page.fill("#username", STAFF_NAME)
    page.fill("#password", STAFF_PASSWORD)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url("**" + path)
