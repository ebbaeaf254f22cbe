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


_ODT_NAMESPACES = (
    ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    ' xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"'
    ' xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0"'
    ' xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
)


def _odt(body: str, scripts: str = "", files: dict[str, str] | None = None) -> bytes:
    """An OpenDocument letter: its body, its document scripts, and files beside them."""
    files = files or {}
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content{_ODT_NAMESPACES}'
        f' office:version="1.2">{scripts}<office:body><office:text>{body}</office:text>'
        "</office:body></office:document-content>"
    )
    entries = "".join(
        f'<manifest:file-entry manifest:full-path="{name}" manifest:media-type="text/xml"/>'
        for name in ("content.xml", *files)
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest'
        ' xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        ' manifest:version="1.2"><manifest:file-entry manifest:full-path="/"'
        f' manifest:media-type="application/vnd.oasis.opendocument.text"/>{entries}'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as odt:
        odt.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        odt.writestr("content.xml", content)
        odt.writestr("META-INF/manifest.xml", manifest)
        for name, text in files.items():
            odt.writestr(name, text)
    return buffer.getvalue()


def _odt_linking(url: str) -> bytes:
    """An OpenDocument letter whose image is a link to `url`, not a picture inside it."""
    return _odt(
        '<text:p>Công văn số 5.</text:p><text:p><draw:frame svg:width="2cm" svg:height="2cm">'
        f'<draw:image xlink:href="{url}" xlink:type="simple" xlink:show="embed"'
        ' xlink:actuate="onLoad"/></draw:frame></text:p>'
    )


_DTD = '<!DOCTYPE {0} PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "{1}.dtd">'


def _odt_with_macro(marker: Path) -> bytes:
    """An OpenDocument letter with a Basic macro bound to its opening, which writes
    `marker`: a converter that runs document macros leaves the file behind."""
    xml = '<?xml version="1.0" encoding="UTF-8"?>'
    module = (
        f"{xml}{_DTD.format('script:module', 'module')}<script:module"
        ' xmlns:script="http://openoffice.org/2000/script" script:name="Module1"'
        f' script:language="StarBasic">Sub Main\nOpen "{marker}" For Output As #1\n'
        'Print #1, "ran"\nClose #1\nEnd Sub\n</script:module>'
    )
    library = (
        f"{xml}{_DTD.format('library:library', 'library')}<library:library"
        ' xmlns:library="http://openoffice.org/2000/library" library:name="Standard"'
        ' library:readonly="false" library:passwordprotected="false">'
        '<library:element library:name="Module1"/></library:library>'
    )
    libraries = (
        f"{xml}{_DTD.format('library:libraries', 'libraries')}<library:libraries"
        ' xmlns:library="http://openoffice.org/2000/library"'
        ' xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<library:library library:name="Standard" library:link="false"/></library:libraries>'
    )
    on_load = (
        '<office:scripts><office:event-listeners><script:event-listener'
        ' script:language="ooo:script" script:event-name="dom:load" xlink:type="simple"'
        ' xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;'
        'location=document"/></office:event-listeners></office:scripts>'
    )
    return _odt(
        "<text:p>Công văn số 7 về phòng, chống dịch.</text:p>",
        on_load,
        {
            "Basic/script-lc.xml": libraries,
            "Basic/Standard/script-lb.xml": library,
            "Basic/Standard/Module1.xml": module,
        },
    )


def test_a_macro_bound_to_opening_the_letter_never_runs(tmp_path: Path) -> None:
    """Macros in Word-family files: the letter is read, its macro never runs (the profile
    sets macro security to trusted places only and turns macro execution off)."""
    marker = tmp_path / "macro-ran"
    converted = word.to_docx(_odt_with_macro(marker), ".odt")
    assert converted.startswith(b"PK")
    with zipfile.ZipFile(io.BytesIO(converted)) as docx:
        assert "Công văn số 7" in docx.read("word/document.xml").decode("utf-8")
    assert not marker.exists()


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
