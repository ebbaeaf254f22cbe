"""LibreOffice that cannot finish in time is killed with everything it started, and the
next file converts as usual (issue 20, point 2). A real slow RTF, real LibreOffice."""

from __future__ import annotations

import http.server
import io
import os
import shutil
import threading
import time
import zipfile
from pathlib import Path
from typing import ClassVar

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


def _odt_linking(url: str) -> bytes:
    """An OpenDocument letter whose image is a link to `url`, not a picture inside it."""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
        ' xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
        ' office:version="1.2"><office:body><office:text><text:p>Công văn số 5.</text:p>'
        '<text:p><draw:frame svg:width="2cm" svg:height="2cm"><draw:image'
        f' xlink:href="{url}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>'
        "</draw:frame></text:p></office:text></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        ' manifest:media-type="application/vnd.oasis.opendocument.text"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as odt:
        odt.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        odt.writestr("content.xml", content)
        odt.writestr("META-INF/manifest.xml", manifest)
    return buffer.getvalue()


class _Listener(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def _any(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        self.send_response(404)
        self.end_headers()

    do_GET = do_HEAD = do_OPTIONS = do_PROPFIND = _any

    def log_message(self, *args: object) -> None:
        """Silent: what it sees is the test's."""


@pytest.mark.parametrize("namespace", [True, False], ids=["own network", "settings alone"])
def test_a_linked_image_is_never_fetched(monkeypatch: pytest.MonkeyPatch, namespace: bool) -> None:
    """Issue 20, point 4: a local listener the letter links to must see nothing, with the
    network namespace and with the profile's setting alone (systems that refuse one)."""
    if namespace and not word.no_network_prefix():
        pytest.skip("this system lets no process leave the network (unshare --net)")
    if not namespace:
        monkeypatch.setattr(word, "no_network_prefix", lambda: ())
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Listener.seen.clear()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/anh.png"
        converted = word.to_docx(_odt_linking(url), ".odt")
    finally:
        server.shutdown()
        server.server_close()
    assert converted.startswith(b"PK") and _Listener.seen == []
