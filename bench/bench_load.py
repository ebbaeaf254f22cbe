"""Load: many staff at once, on an archive the size of a province's.

`--clients` keep-alive HTTP clients (threads) send a mix of what staff and auditors do —
searches with and without accents, document numbers, filters, document pages and their
JSON — to `congvan serve` for `--seconds`, three times:

1. on the archive as it is;
2. while `congvan ingest` archives `--ingest` new letters beside the server;
3. with one `--large-mb` letter added to the archive (its text matches common searches).

Each run reports requests/s, p50/p95/p99 and errors (any answer but 200, or no answer).
The clients run on the same 2 cores as the server: the figures are for both together.

    python bench/bench_load.py --data DIR   # DIR: an archive (bench_search.py --letters)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.catalog import Catalog  # noqa: E402
from bench.bench_search import QUERIES, _free_port, _percentiles, synthetic_letter, vocabulary  # noqa: E402


def _paths(data: Path, rng: random.Random) -> list[str]:
    """The request mix: the search classes of bench_search, plus pages and JSON."""
    with Catalog(data / "catalog.sqlite3") as catalog:
        ids = catalog.document_ids()
    paths = [f"/api/search?{urlencode(params)}" for _, params in QUERIES]
    paths += [f"/?{urlencode(params)}" for _, params in QUERIES]
    for document_id in rng.sample(ids, min(50, len(ids))):
        paths += [f"/documents/{document_id}", f"/api/documents/{document_id}"]
    return paths


def _client(port: int, paths: list[str], until: float, seed: int,
            timings: list[float], errors: list[str]) -> None:  # fmt: skip
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    while time.monotonic() < until:
        path = rng.choice(paths)
        start = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                errors.append(f"{response.status} {path}")
        except (OSError, http.client.HTTPException) as error:
            errors.append(f"{type(error).__name__} {path}")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            continue
        timings.append((time.perf_counter() - start) * 1000)


def run(port: int, paths: list[str], clients: int, seconds: float) -> dict[str, object]:
    timings: list[float] = []
    errors: list[str] = []
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=_client, args=(port, paths, until, i, timings, errors))
               for i in range(clients)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(timings)
    figures = _percentiles(ordered)
    figures["p99_ms"] = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0
    return {**figures, "requests_per_s": len(ordered) / seconds, "errors": len(errors),
            "error_kinds": sorted(set(errors))[:10]}  # fmt: skip


def _serve(data: Path, port: int, processes: int | None) -> subprocess.Popen[bytes]:
    chosen = ["--processes", str(processes)] if processes else []  # else serve's default
    server = subprocess.Popen(
        [sys.executable, "-m", "web.cli", "--data", str(data), "serve", "--port", str(port),
         *chosen],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(600):  # a first start may rebuild the index from the catalog
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/api/health")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the server did not start")


def _letters(folder: Path, count: int, seed: int) -> Path:
    rng, words = random.Random(seed), vocabulary()
    folder.mkdir(parents=True, exist_ok=True)
    for serial in range(count):
        text = synthetic_letter(rng, words, 900_000 + serial)
        (folder / f"tai-{serial:05d}.txt").write_text(text, encoding="utf-8")
    return folder


def _large(folder: Path, megabytes: int, seed: int) -> Path:
    rng, words = random.Random(seed), vocabulary()
    paragraphs, size = [], 0
    while size < megabytes * 1024 * 1024:
        paragraph = " ".join(rng.choice(words) for _ in range(80)) + " phòng chống dịch."
        paragraphs.append(paragraph)
        size += len(paragraph.encode()) + 2
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "rat-lon.txt"
    path.write_text(synthetic_letter(rng, words, 999_999).replace(
        "Kính gửi:", "\n\n".join(paragraphs) + "\n\nKính gửi:"), encoding="utf-8")  # fmt: skip
    return path


def _ingest(data: Path, path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "web.cli", "--data", str(data), "ingest", str(path)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="an archive to load")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--ingest", type=int, default=1000)
    parser.add_argument("--large-mb", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument("--processes", type=int, help="serving processes (serve's default)")
    parser.add_argument(
        "--as-it-is", action="store_true", help="only the first run: nothing is added"
    )
    args = parser.parse_args()
    report: dict[str, object] = {
        "clients": args.clients,
        "seconds": args.seconds,
        "processes": args.processes or "serve's default (one per core)",
        "load average at start": os.getloadavg(),
    }
    port = _free_port()
    paths = _paths(args.data, random.Random(args.seed))
    server = _serve(args.data, port, args.processes)
    with tempfile.TemporaryDirectory() as scratch:
        try:
            report["as it is"] = run(port, paths, args.clients, args.seconds)
            report["load average after it"] = os.getloadavg()
            if args.as_it_is:
                print(json.dumps(report, ensure_ascii=False, indent=2))
                return
            ingest = _ingest(args.data, _letters(Path(scratch) / "new", args.ingest, args.seed))
            report["while ingesting"] = run(port, paths, args.clients, args.seconds)
            report["ingest finished during the run"] = ingest.poll() is not None
            ingest.wait()
            started = time.perf_counter()
            _ingest(args.data, _large(Path(scratch) / "large", args.large_mb, args.seed)).wait()
            report["large letter ingest_s"] = time.perf_counter() - started
            report["with the large letter"] = run(port, paths, args.clients, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
