"""The command line, and ingesting while the server runs (two real processes)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from indexer.engine import IndexBusy
from indexer.indexing import try_apply_pending
from tests.conftest import Archive, letter
from web.cli import main


def test_search_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "cv.txt"
    source.write_text(letter("Huyện Đình Lập tăng cường chốt kiểm soát.", "77-CV/TU"), "utf-8")
    data = str(tmp_path / "data")
    assert main(["--data", data, "ingest", str(source)]) == 0
    capsys.readouterr()
    assert main(["--data", data, "search", "dinh lap", "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["total"] == 1 and body["hits"][0]["number"] == "77-CV/TU"
    assert main(["--data", data, "search", "77-CV/TU"]) == 0
    assert "77-CV/TU" in capsys.readouterr().out


def test_reindex_command_without_reextracting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "cv.txt"
    source.write_text(letter("Kiểm soát dịch ở xã Thần Sa.", "78-CV/TU"), "utf-8")
    data = tmp_path / "data"
    assert main(["--data", str(data), "ingest", str(source)]) == 0
    source.unlink()  # the original outside the archive is gone: reindex must not need it
    for index_file in (data / "index").iterdir():
        index_file.unlink()
    assert main(["--data", str(data), "reindex"]) == 0
    assert "1 văn bản" in capsys.readouterr().out
    assert main(["--data", str(data), "search", "than sa", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["total"] == 1


def test_busy_writer_leaves_work_queued(archive: Archive) -> None:
    archive.add("a.txt", letter("Nội dung thứ nhất.", "1-CV/TU"))
    holder = archive.engine._writer()  # type: ignore[attr-defined]  # another process, in effect
    try:
        applied, problem = try_apply_pending(archive.catalog, archive.engine)
        assert applied == 0 and isinstance(problem, IndexBusy)
        assert archive.catalog.pending_count() == 1
    finally:
        holder.rollback()
        del holder
    assert try_apply_pending(archive.catalog, archive.engine) == (1, None)
    assert archive.catalog.pending_count() == 0
    assert archive.ids("noi dung") != []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get_json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=5) as response:
        loaded: dict[str, object] = json.loads(response.read())
        return loaded


@pytest.mark.slow
def test_ingest_while_serving(tmp_path: Path) -> None:
    data, port = tmp_path / "data", _free_port()
    command = [sys.executable, "-m", "web.cli", "--data", str(data)]
    server = subprocess.Popen(
        [*command, "serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                assert _get_json(f"{base}/api/health")["status"] == "ok"
                break
            except OSError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.2)
        inbox = tmp_path / "inbox"
        inbox.mkdir()
        for i in range(5):
            body = f"Văn bản số {i} về trạm kiểm soát Nghinh Tường."
            (inbox / f"{i}.txt").write_text(letter(body, f"{300 + i}-CV/TU"), "utf-8")
        ingest = subprocess.run(
            [*command, "ingest", str(inbox)], capture_output=True, text=True, timeout=60
        )
        assert ingest.returncode == 0, ingest.stdout + ingest.stderr
        deadline = time.monotonic() + 15
        while _get_json(f"{base}/api/search?q=nghinh+tuong")["total"] != 5:
            assert time.monotonic() < deadline, "ingested letters never became searchable"
            time.sleep(0.3)
        health = _get_json(f"{base}/api/health")
        assert health["documents"] == 5 and health["indexed"] == 5
    finally:
        server.terminate()
        server.wait(timeout=10)
        assert server.stderr is not None
        server.stderr.close()
