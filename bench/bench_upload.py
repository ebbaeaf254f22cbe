"""Memory of the server while staff upload one large letter through the web page's API.

Starts `congvan serve` on a new archive, signs in, uploads a `--mb` letter (Vietnamese
text, so every stage — hashing, storing, reading in the isolated reader, the catalog, the
index — sees it whole), and samples the resident memory of the server and of its reader
process every 20 ms. Baselines in the same run: the idle server, and a 1 MB letter.

    .venv/bin/python bench/bench_upload.py --mb 100
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_load import _serve  # noqa: E402
from bench.bench_search import _free_port, synthetic_letter, vocabulary  # noqa: E402

USER, PASSWORD = "bench", "mat-khau-bench-123"


def _rss_mb(pid: int, children: bool = True) -> float:
    """Resident memory of a process and (`children`) of its children (the isolated reader),
    in MB."""
    total, pids = 0, [pid]
    for task in Path(f"/proc/{pid}/task").glob("*") if children else []:  # every thread's
        try:
            pids += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    for each in pids:
        try:
            status = Path(f"/proc/{each}/status").read_text()
        except OSError:
            continue
        total += next(
            int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
        )
    return total / 1024


def _letter(megabytes: float) -> bytes:
    import random

    rng, words = random.Random(5), vocabulary()
    head = synthetic_letter(rng, words, 1)
    body = " ".join(rng.choice(words) for _ in range(20000)) + "\n"
    repeats = max(1, int(megabytes * 1024 * 1024 / len(body.encode())))
    return (head + body * repeats).encode()


def _upload(
    port: int, session: requests.Session, name: str, data: bytes, pid: int
) -> dict[str, object]:
    peak, server, stop = [_rss_mb(pid)], [_rss_mb(pid, False)], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak.append(_rss_mb(pid))
            server.append(_rss_mb(pid, children=False))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    sampler.start()
    start = time.perf_counter()
    token = session.get(f"http://127.0.0.1:{port}/api/session").json()["csrf_token"]
    response = session.post(
        f"http://127.0.0.1:{port}/api/upload",
        files={"files": (name, data, "text/plain")},
        headers={"X-CSRFToken": token},
        timeout=1800,
    )
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    outcome = response.json()["files"][0]["outcome"] if response.ok else response.status_code
    return {"mb": round(len(data) / 2**20, 1), "outcome": outcome, "seconds": round(seconds, 1),
            "peak_rss_mb": round(max(peak), 1),
            "peak_rss_mb_server_alone": round(max(server), 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=100, help="size of the large letter")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        congvan = [sys.executable, "-m", "web.cli", "--data", str(data)]
        subprocess.run([*congvan, "user", "add", USER, "--password-stdin"], cwd=ROOT,
                       input=PASSWORD.encode(), check=True, capture_output=True)  # fmt: skip
        port = _free_port()
        server = _serve(data, port)
        try:
            session = requests.Session()
            token = session.get(f"http://127.0.0.1:{port}/api/session").json()["csrf_token"]
            form = {"username": USER, "password": PASSWORD, "csrf_token": token}
            session.post(f"http://127.0.0.1:{port}/dang-nhap", data=form)
            time.sleep(1)
            report = {
                "idle_rss_mb": round(_rss_mb(server.pid), 1),
                "small": _upload(port, session, "nho.txt", _letter(1), server.pid),
                "large": _upload(port, session, "lon.txt", _letter(args.mb), server.pid),
            }
        finally:
            server.terminate()
            server.wait(30)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
