"""`kill -9` on every write path (issue 20): ingest, upload, OCR, correction and reindex.

Each command runs in its own process on a real archive and is killed with SIGKILL at
several moments of its work, seen from outside (letters or pages in the catalog, bytes the
process has written). After every kill nothing archived is lost, altered or duplicated,
`check --repair` leaves a clean archive, and running the same work again finishes it."""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from pypdf import PdfReader

from indexer.intake.scans import tesseract_ready
from tests.conftest import ROOT, STAFF_NAME, STAFF_PASSWORD, letter
from tests.samples.scans import write_scan

LETTERS = ROOT / "tests" / "samples" / "letters"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _congvan(data: Path, *args: str, env: dict[str, str] = ENV) -> list[str]:
    return [sys.executable, "-m", "web.cli", "--data", str(data), *args]


def _run(data: Path, *args: str, env: dict[str, str] = ENV) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _congvan(data, *args), capture_output=True, text=True, cwd=ROOT, env=env, timeout=600
    )


def _count(data: Path, sql: str) -> int:
    """One number from the catalog, read as an outsider would (read-only, no lock held)."""
    try:
        with sqlite3.connect(f"file:{data / 'catalog.sqlite3'}?mode=ro", uri=True) as db:
            return int(db.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # no catalog yet, or not yet its tables
        return 0


def _written(pid: int) -> int:
    """Bytes the process has written so far (`wchar` of /proc/PID/io)."""
    try:
        io = Path(f"/proc/{pid}/io").read_text()
    except OSError:
        return 0
    return int(re.search(r"wchar: (\d+)", io).group(1))  # type: ignore[union-attr]


def _kill_when(command: list[str], moment: Callable[[int], bool], limit: float = 300) -> None:
    """Start `command`, SIGKILL it as soon as `moment(pid)` holds, and make sure the kill
    came while it was still at work (not after it had finished)."""
    process = subprocess.Popen(
        command, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + limit
    try:
        while not moment(process.pid):
            assert process.poll() is None, "finished before the kill"
            assert time.monotonic() < deadline, "the moment to kill never came"
            time.sleep(0.005)
        assert process.poll() is None, "finished before the kill"
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(30)


def _full_run_writes(command: list[str]) -> int:
    """About how many bytes a whole run of `command` writes (the last count seen)."""
    process = subprocess.Popen(command, cwd=ROOT, env=ENV, stdout=subprocess.DEVNULL)
    most = 0
    while process.poll() is None:
        most = max(most, _written(process.pid))
        time.sleep(0.002)
    assert process.returncode == 0
    return most


def _clean_after_repair(data: Path) -> None:
    """`check --repair` then `check`: the archive is whole again, nothing to report."""
    repaired = _run(data, "check", "--repair")
    assert "Traceback" not in repaired.stderr, repaired.stderr
    checked = _run(data, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _found(data: Path, query: str) -> int:
    done = _run(data, "search", query, "--json", "--limit", "1")
    assert done.returncode == 0, done.stderr
    return int(re.search(r'"total": (\d+)', done.stdout).group(1))  # type: ignore[union-attr]


def _letters(folder: Path, count: int, signer: str = "Vũ Minh Quân") -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for serial in range(count):
        body = f"Về việc số {serial}: kế hoạch phòng, chống dịch của huyện.\n" * 40
        path = folder / f"cv{serial:04}.txt"
        path.write_text(letter(body, f"{serial + 1}-CV/TU", "2021-08-25"), "utf-8")
        paths.append(path)
    return paths


@pytest.mark.slow
def test_ingest_killed_at_any_letter_loses_and_doubles_nothing(tmp_path: Path) -> None:
    total = 240
    _letters(tmp_path / "inbox", total)
    data = tmp_path / "data"
    for at_least in (1, total // 2, total - 20):
        _kill_when(
            _congvan(data, "ingest", str(tmp_path / "inbox")),
            lambda pid, n=at_least: _count(data, "SELECT count(*) FROM documents") >= n,
        )
        assert _count(data, "SELECT count(*) FROM documents") < total
        _clean_after_repair(data)
    again = _run(data, "ingest", str(tmp_path / "inbox"))
    assert again.returncode == 0, again.stdout + again.stderr
    assert _count(data, "SELECT count(DISTINCT sha256) FROM documents") == total
    assert _count(data, "SELECT count(*) FROM documents") == total
    assert _found(data, "phong chong dich") == total
    _clean_after_repair(data)


@pytest.mark.slow
def test_reindex_killed_midway_leaves_a_whole_index_or_a_repairable_one(tmp_path: Path) -> None:
    _letters(tmp_path / "inbox", 400)
    data = tmp_path / "data"
    assert _run(data, "ingest", str(tmp_path / "inbox")).returncode == 0
    writes = _full_run_writes(_congvan(data, "reindex"))
    for share in (0.2, 0.5, 0.8):
        _kill_when(_congvan(data, "reindex"), lambda pid, s=share: _written(pid) >= s * writes)
        assert _count(data, "SELECT count(*) FROM documents") == 400
        _clean_after_repair(data)
        assert _found(data, "phong chong dich") == 400
    assert _run(data, "reindex").returncode == 0
    assert _found(data, "phong chong dich") == 400


@pytest.mark.slow
def test_a_batch_correction_killed_is_all_or_nothing_and_the_index_follows(
    tmp_path: Path,
) -> None:
    _letters(tmp_path / "inbox", 300)
    data = tmp_path / "data"
    assert _run(data, "ingest", str(tmp_path / "inbox")).returncode == 0
    ids = [str(n) for n in range(1, 301)]
    corrected = "SELECT count(DISTINCT document_id) FROM corrections"
    for signer in ("Nguyễn Văn Thử", "Trần Thị Sửa"):
        command = _congvan(data, "correct", *ids, "--set", f"signer={signer}", "--author", "cb")
        before = _count(data, corrected + f" WHERE new_value = '\"{signer}\"'")
        assert before == 0
        _kill_when(command, lambda pid, s=signer: _count(
            data, corrected + f" WHERE new_value = '\"{s}\"'") > 0)  # fmt: skip
        assert _count(data, corrected + f" WHERE new_value = '\"{signer}\"'") in (0, 300)
        _clean_after_repair(data)
        again = _run(data, "correct", *ids, "--set", f"signer={signer}", "--author", "cb")
        assert again.returncode == 0, again.stderr
        rows = f"SELECT count(*) FROM corrections WHERE new_value = '\"{signer}\"'"
        assert _count(data, rows) == 300  # each letter corrected once, however often run
        assert _found(data, f'"{signer}"') == 300  # the index follows the correction


@pytest.mark.slow
@pytest.mark.skipif(not tesseract_ready(), reason="tesseract with Vietnamese is not installed")
def test_ocr_killed_between_pages_resumes_and_keeps_the_pages_done(tmp_path: Path) -> None:
    text = (LETTERS / "01_tinh_uy_nghe_an_cv.txt").read_text("utf-8")
    scan = write_scan(text + "\n" * 40 + text + "\n" * 40 + text, tmp_path / "ba_trang", True)
    data = tmp_path / "data"
    hidden = {**ENV, "PATH": str(tmp_path / "no-tools")}  # archived now, recognised later
    assert _run(data, "ingest", str(scan), env=hidden).returncode == 0
    pages = "SELECT count(*) FROM pages"
    for done in (1, 2):
        ocr = _congvan(data, "ocr", "--pending")
        _kill_when(ocr, lambda pid, n=done: _count(data, pages) >= n)
        assert _count(data, pages) in (done, done + 1)  # only whole pages are stored
        _clean_after_repair(data)
    first = _count(data, "SELECT sum(length(text)) FROM pages WHERE page = 1")
    finished = _run(data, "ocr", "--pending")
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert _count(data, pages) == len(PdfReader(scan).pages) > 2
    assert _count(data, "SELECT sum(length(text)) FROM pages WHERE page = 1") == first
    assert _count(data, "SELECT count(*) FROM documents WHERE status = 'ready'") == 1
    assert _found(data, "1245-CV/TU") == 1
    _clean_after_repair(data)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _serve(data: Path, *options: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    server = subprocess.Popen(
        _congvan(data, "serve", "--port", str(port), *options), cwd=ROOT, env=ENV,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            requests.get(url + "/api/health", timeout=1)
            return server, url
        except requests.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("the server did not start")


def _signed_in(url: str) -> requests.Session:
    session = requests.Session()
    page = session.get(url + "/dang-nhap").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    signed = session.post(
        url + "/dang-nhap",
        data={"username": STAFF_NAME, "password": STAFF_PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    assert signed.status_code == 303
    session.headers["X-CSRFToken"] = session.get(url + "/api/session").json()["csrf_token"]
    return session


def _upload_all(url: str, paths: list[Path], answers: list[str]) -> None:
    """Upload the files one request each, keeping each answer, until the server is gone."""
    try:
        session = _signed_in(url)
        for path in paths:
            sent = session.post(
                url + "/api/upload", files=[("files", (path.name, path.read_bytes()))], timeout=60
            )
            answers.extend(f["message"] for f in sent.json()["files"])
    except (requests.ConnectionError, requests.Timeout):
        return  # killed


@pytest.fixture
def staffed(tmp_path: Path) -> Iterator[Path]:
    data = tmp_path / "data"
    done = subprocess.run(
        _congvan(data, "user", "add", STAFF_NAME, "--password-stdin"),
        input=STAFF_PASSWORD, text=True, capture_output=True, cwd=ROOT, env=ENV,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    yield data


@pytest.mark.slow
def test_the_server_killed_during_uploads_loses_and_doubles_nothing(
    staffed: Path, tmp_path: Path
) -> None:
    data, total = staffed, 120
    paths = _letters(tmp_path / "inbox", total)
    for at_least in (1, total // 2):
        server, url = _serve(data)
        answers: list[str] = []
        uploads = threading.Thread(target=_upload_all, args=(url, paths, answers))
        uploads.start()
        try:
            while _count(data, "SELECT count(*) FROM documents") < at_least:
                assert uploads.is_alive(), answers[-3:]
                time.sleep(0.005)
            server.send_signal(signal.SIGKILL)
        finally:
            server.kill()
            server.wait(30)
            uploads.join(60)
        assert _count(data, "SELECT count(*) FROM documents") < total
        _clean_after_repair(data)
    kept = _count(data, "SELECT count(*) FROM documents")
    server, url = _serve(data)
    try:
        answers = []
        _upload_all(url, paths, answers)
        assert len(answers) == total
        assert sum("đã có trong kho" in answer for answer in answers) == kept, answers
        assert _count(data, "SELECT count(*) FROM documents") == total
        for _ in range(200):  # the server's index worker catches up within seconds
            if requests.get(url + "/api/search", params={"q": "phong chong dich"}).json()[
                "total"
            ] == total:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the index never caught up")
    finally:
        server.terminate()
        server.wait(30)
    _clean_after_repair(data)


def _helpers(server: subprocess.Popen[bytes]) -> set[int]:
    """The serving processes the first one started (its children, from any thread)."""
    tasks = Path(f"/proc/{server.pid}/task").glob("*/children")
    return {int(pid) for task in tasks for pid in task.read_text().split()}


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return True
    return state == "Z"


def _until(condition: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_several_serving_processes_answer_come_back_and_stop_together(
    staffed: Path, tmp_path: Path
) -> None:
    """`serve --processes 3`: three processes on one port, any of them answers; one killed
    is started again; the first one stopped (SIGTERM) or killed stops them all."""
    _letters(tmp_path / "inbox", 3)
    _run(staffed, "ingest", str(tmp_path / "inbox"))
    server, url = _serve(staffed, "--processes", "3")
    try:
        assert _until(lambda: len(_helpers(server)) == 2)
        first_helpers = _helpers(server)
        answers = [  # each on a new connection, which any of the processes may take
            requests.get(url + "/api/search", params={"q": "phong chong dich"}).json()
            for _ in range(30)
        ]
        assert {answer["total"] for answer in answers} == {3}
        killed = min(first_helpers)
        os.kill(killed, signal.SIGKILL)
        assert _until(lambda: _gone(killed) and len(_helpers(server) - {killed}) == 2)
        assert requests.get(url + "/api/health").status_code == 200
        helpers = _helpers(server) - {killed}
        server.terminate()
        server.wait(30)
        assert _until(lambda: all(map(_gone, helpers)))
        server, url = _serve(staffed, "--processes", "2")
        assert _until(lambda: len(_helpers(server)) == 1)
        (helper,) = _helpers(server)
        server.kill()
        server.wait(30)
        assert _until(lambda: _gone(helper), seconds=5)  # killed with it, not left serving
    finally:
        server.kill()
        server.wait(30)
