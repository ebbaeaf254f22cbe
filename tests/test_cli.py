"""The command line, and ingesting while the server runs (two real processes)."""

from __future__ import annotations

import argparse
import json
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.settings import Settings
from indexer.search import IndexBusy
from indexer.search.indexing import try_apply_pending
from tests.conftest import ROOT, Archive, letter
from tests.samples.build import LETTERS
from web.app import create_app
from web.cli import build_parser, main


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
    assert main(["--data", data, "search", "tang cuongg"]) == 0  # one typo: found, and said
    assert "Có phải bạn muốn tìm: tang cuong" in capsys.readouterr().out
    # --json prints what /api/search returns, the number panel too.
    assert main(["--data", data, "search", "77-CV/TU", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    client = create_app(Settings(data_dir=Path(data)), {"TESTING": True}).test_client()
    assert printed == client.get("/api/search?q=77-CV/TU").get_json()
    assert [d["number"] for d in printed["number"]["documents"]] == ["77-CV/TU"]


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


# What argparse writes in English (its usage line, section titles, -h and error messages).
ENGLISH = re.compile(
    r"usage:|positional arguments|options:|show this help|error:|invalid|required|expected|"
    r"unrecognized|choose from|argument|not allowed|ambiguous|subcommands",
    re.IGNORECASE,
)


def _every_parser() -> Iterator[tuple[str, argparse.ArgumentParser]]:
    parser = build_parser()
    yield "congvan", parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield from action.choices.items()


def test_every_option_and_argument_has_help() -> None:
    for name, parser in _every_parser():
        for action in parser._actions:
            assert action.help and action.help.strip(), (name, action.dest)


def test_help_of_every_command_is_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    for name, _parser in _every_parser():
        argv = ["--help"] if name == "congvan" else [name, "--help"]
        with pytest.raises(SystemExit) as stopped:
            main(argv)
        assert stopped.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("cách dùng: congvan"), out
        assert "tùy chọn:" in out and re.search(r"-h, --help +in hướng dẫn này rồi thoát", out)
        assert not ENGLISH.search(out), (argv, ENGLISH.search(out))


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        ([], "thiếu tham số bắt buộc: LỆNH"),
        (["lam-gi"], "lựa chọn không hợp lệ: 'lam-gi'"),
        (["serve", "--port", "tam"], "giá trị không hợp lệ (cần số nguyên): 'tam'"),
        (["user", "xoa"], "lựa chọn không hợp lệ: 'xoa'"),
        (["ingest"], "thiếu tham số bắt buộc: ĐƯỜNG_DẪN"),
        (["search", "dich", "--limit"], "cần đúng một giá trị"),
        (["search", "dich", "--khong-co"], "tham số không nhận ra: --khong-co"),
        (["correct", "1", "--author", "An"], "thiếu tham số bắt buộc: --set"),
    ],
)
def test_argument_errors_are_vietnamese(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("cách dùng: congvan") and ": lỗi: " in err and said in err, err
    assert not ENGLISH.search(err), ENGLISH.search(err)


def test_a_new_empty_data_folder_is_announced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "khong-co"
    assert main(["--data", str(data), "search", "phong chong dich"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("0 văn bản")
    assert f"Chú ý: {data} chưa có kho dữ liệu" in err and "--data sample-data" in err
    source = tmp_path / "cv.txt"
    source.write_text(letter("Phòng chống dịch ở xã Thần Sa.", "79-CV/TU"), "utf-8")
    assert main(["--data", str(data), "ingest", str(source)]) == 0
    capsys.readouterr()
    assert main(["--data", str(data), "search", "phong chong dich"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("1 văn bản") and err == ""  # an archive there: nothing to say


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("## Command line", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [line.split("  #")[0].strip() for line in block.splitlines() if line.strip()]


def test_readme_commands_name_the_archive_dev_run_serves(tmp_path: Path) -> None:
    """Each example reads `./dev run`'s archive (or says which folder), and the search
    example, run as written in the repository, finds letters there."""
    for command in _readme_commands():
        words = shlex.split(command)
        assert words[0] == ".venv/bin/congvan", command
        assert words[1] == "--data" or words[1] in ("--help", "eval-metadata"), command
    search = next(c for c in _readme_commands() if " search " in c).replace(" [--json]", "")
    sample = tmp_path / "sample-data"  # as `./dev run` builds it, from the sample letters
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for path in LETTERS.glob("*.txt"):
        shutil.copy(path, inbox / path.name)
    assert main(["--data", str(sample), "ingest", str(inbox)]) == 0
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "congvan").symlink_to(Path(sys.executable).parent / "congvan")
    ran = subprocess.run(
        shlex.split(search), cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0 and ran.stderr == "", ran.stderr
    assert int(ran.stdout.split()[0]) > 0, ran.stdout
