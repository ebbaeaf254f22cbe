"""Benchmark: ingest rate, index size and search latency through the HTTP API.

Generates N synthetic letters from the vocabulary of the project's sample letters (and the
shared seed letters when present) into a folder, ingests the folder as `congvan ingest`
does (hashing, extraction, metadata, catalog, originals),
applies the index work, then starts `congvan serve` and measures a fixed mix of queries
over HTTP with keep-alive.

    .venv/bin/python bench/bench_search.py --letters 10000 --data /tmp/bench-10k

On the embedded engine, the same run also times raw Tantivy on the same index, by query
class (the same words, filters and numbers as plain Tantivy queries, top 20 and the
count: no facets, snippets, reranking or HTTP, see `raw_tantivy`): a baseline of what this
machine gives at the moment, beside the figures.

With MEILI_URL (and its keys) set, the same runs on Meilisearch, and its baseline is one
raw `POST /indexes/…/search` of each query (the same words, filters, sort and facets, on a
kept-alive connection); the report gives the API's p95 over it, by query class.

To compare both engines on the same letters, build the archive once, then on each engine
rebuild the index from the catalog (`--reindex`, timed) and measure (`--search-only`);
`--server-pid` and `--server-db` add the Meilisearch server's memory and disk. On
Meilisearch, `--reindex` first times a raw bulk load of the same documents (the rebuild's
baseline, `raw_meili_load`):

    .venv/bin/python bench/bench_search.py --data /tmp/bench-100k --search-only --reindex
    MEILI_URL=… MEILI_MASTER_KEY=… .venv/bin/python bench/bench_search.py \
        --data /tmp/bench-100k --search-only --reindex --server-pid PID --server-db DIR
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import meilisearch
import tantivy
from tantivy import Query

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.catalog import Catalog  # noqa: E402
from archive.settings import Settings  # noqa: E402
from archive.store import OriginalStore  # noqa: E402
from indexer.followup.steps import relate_changed  # noqa: E402
from indexer.intake.pipeline import ARCHIVED, ingest_files, iter_files  # noqa: E402
from indexer.search import FACETS  # noqa: E402
from indexer.search.factory import open_engine  # noqa: E402
from indexer.search.indexing import all_documents, apply_pending, reindex  # noqa: E402
from indexer.search.meili_documents import (  # noqa: E402
    document_bodies,
    filters,
    index_settings,
    query_text,
    sort_by,
)
from indexer.search.tantivy_engine import TantivyEngine, folded_terms  # noqa: E402
from web.params import parse_search_params  # noqa: E402

PROVINCES = [
    "Nghệ An",
    "Lạng Sơn",
    "Thái Nguyên",
    "Quảng Nam",
    "Bắc Kạn",
    "Thừa Thiên Huế",
    "Hà Giang",
    "Cao Bằng",
    "Điện Biên",
    "Gia Lai",
    "Kon Tum",
    "Sóc Trăng",
]
SIGNERS = [
    "Hoàng Minh Đức",
    "Trần Quốc Vinh",
    "Lê Thị Thanh Hà",
    "Nguyễn Văn Khánh",
    "Đỗ Văn Lâm",
    "Lương Thị Hòa",
    "Hà Văn Tuấn",
    "Phạm Thị Lan",
]
RAW_BODY_BYTES = 95_000_000  # under the server's default payload limit, 100 MB unpacked
CITED = ["68/NQ-CP", "128/NQ-CP", "1063/CĐ-TTg", "16/CT-TTg", "15/2021/NQ-HĐND"]

QUERIES = [
    ("word", {"q": "phòng chống dịch"}),
    ("accentless", {"q": "phong chong dich"}),
    ("accentless", {"q": "tang cuong kiem soat"}),
    ("word", {"q": "vắc xin"}),
    ("phrase", {"q": '"người lao động"'}),
    ("number", {"q": "68/NQ-CP"}),
    ("number", {"q": "128/nq-cp"}),
    ("filter", {"q": "dich", "province": "Nghệ An"}),
    ("filter", {"year": "2021", "doc_type": "CV"}),
    ("browse", {}),
    ("ref", {"ref": "1063/CĐ-TTg", "sort": "date_asc"}),
    ("date", {"q": "covid", "date_from": "2021-06-01", "date_to": "2021-09-30"}),
]
# Forgiving search (issue 14), measured apart from the mix above and with it: misspelt
# words (exact matching finds nothing, words one typo away are looked up and matched) and
# numbers typed loosely.
FORGIVING = [
    ("typo", {"q": "phong chongg dich"}),
    ("typo", {"q": "tăng cuờngg kiểm soát"}),
    ("loose number", {"q": "NQ68"}),
    ("loose number", {"q": "128 NQ CP"}),
]


def vocabulary() -> list[str]:
    texts = [p.read_text("utf-8") for p in (ROOT / "tests/samples/letters").glob("*.txt")]
    seeds = ROOT.parent / "shared" / "seeds"
    texts += [p.read_text("utf-8") for p in seeds.glob("*.txt")] if seeds.exists() else []
    words = [w.strip('.,;:()*"“”') for text in texts for w in text.split()]
    return [w for w in words if w and not any(c.isdigit() for c in w) and not w.isupper()]


def synthetic_letter(rng: random.Random, words: list[str], serial: int) -> str:
    province = rng.choice(PROVINCES)
    year = rng.choice([2020, 2021, 2022])
    day, month = rng.randint(1, 28), rng.randint(1, 12)
    body = []
    for _ in range(rng.randint(4, 9)):
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(25, 45)))
        if rng.random() < 0.3:
            sentence += f" theo Nghị quyết số {rng.choice(CITED)} ngày 11/10/2021 của Chính phủ"
        body.append(sentence[0].upper() + sentence[1:] + ".")
    return (
        f"TỈNH ỦY {province.upper()}\n*\nSố {serial}-CV/TU\n"
        f"V/v {' '.join(rng.choice(words) for _ in range(8))}\nĐẢNG CỘNG SẢN VIỆT NAM\n"
        f"{province}, ngày {day:02d} tháng {month:02d} năm {year}\n\n"
        "Kính gửi:\n- Các huyện ủy, thành ủy, đảng ủy trực thuộc Tỉnh ủy.\n\n"
        + "\n\n".join(body)
        + f"\n\nNơi nhận:\n- Như trên,\n- Lưu VPTU.\n\nT/M BAN THƯỜNG VỤ\nBÍ THƯ\n\n"
        f"{rng.choice(SIGNERS)}\n"
    )


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def ingest(settings: Settings, count: int, seed: int) -> dict[str, float]:
    """`congvan ingest` of a folder of `count` synthetic letters (written first, not
    timed), then what follows it: inference across the archive, the index work."""
    rng, words = random.Random(seed), vocabulary()
    store = OriginalStore(settings.originals_dir)
    engine = open_engine(settings)
    with tempfile.TemporaryDirectory(prefix="bench-inbox-") as inbox:
        for serial in range(1, count + 1):
            name = Path(inbox, f"cv-{serial:07d}.txt")
            name.write_text(synthetic_letter(rng, words, serial), encoding="utf-8")
        files = list(iter_files([Path(inbox)]))
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        with Catalog(settings.catalog_path) as catalog:
            start = time.perf_counter()
            counts = ingest_files(catalog, store, files)
            archived = time.perf_counter()
            assert counts[ARCHIVED] == count, counts
            relate_changed(catalog)  # copies and inference across the archive
            inferred = time.perf_counter()
            apply_pending(catalog, engine)
            indexed = time.perf_counter()
    return {
        "letters": count,
        "archive_seconds": archived - start,
        "archived_letters_per_second": count / (archived - start),
        "archive_inference_seconds": inferred - archived,
        "index_seconds": indexed - inferred,
        "letters_per_second": count / (indexed - start),
        "index_bytes": folder_size(settings.index_dir),
        "catalog_bytes": folder_size(settings.data_dir)
        - folder_size(settings.index_dir)
        - folder_size(settings.originals_dir),
    }


def raw_meili_load(settings: Settings) -> dict[str, float]:
    """The baseline for the Meilisearch rebuild: the same documents with the same index
    settings, loaded raw into a scratch index: NDJSON bodies as large as the server takes
    (its default payload limit, 100 MB, counts the bytes unpacked), gzipped, all sent
    before any is waited on. Timed from the first body sent to the last task done; the
    documents are built and packed before."""
    meili = settings.meili
    assert meili is not None
    client = meilisearch.Client(meili.url, meili.master_key or meili.admin_key, timeout=600)
    uid = f"{meili.index}-raw-load"
    client.wait_for_task(client.delete_index(uid).task_uid, timeout_in_ms=600_000)
    client.wait_for_task(client.create_index(uid, {"primaryKey": "id"}).task_uid)
    index = client.index(uid)
    client.wait_for_task(index.update_settings(index_settings()).task_uid)
    chunks: dict[int, int] = {}
    with Catalog(settings.catalog_path) as catalog:
        bodies = document_bodies(all_documents(catalog), chunks, RAW_BODY_BYTES)
        packed = [gzip.compress(body, 1) for body in bodies]
    letters = len(chunks)
    address = urlsplit(meili.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=600)
    headers = {
        "Authorization": f"Bearer {meili.master_key or meili.admin_key}",
        "Content-Type": "application/x-ndjson",
        "Content-Encoding": "gzip",
    }
    start = time.perf_counter()
    tasks = []
    for body in packed:
        connection.request("POST", f"/indexes/{uid}/documents", body=body, headers=headers)
        answer = connection.getresponse()
        answered = json.loads(answer.read())
        assert answer.status == 202, answered
        tasks.append(answered["taskUid"])
    for task in tasks:
        done = client.wait_for_task(task, timeout_in_ms=3_600_000, interval_in_ms=20)
        assert done.status == "succeeded", done.error
    seconds = time.perf_counter() - start
    client.wait_for_task(client.delete_index(uid).task_uid, timeout_in_ms=600_000)
    return {
        "letters": letters,
        "bodies": len(packed),
        "seconds": seconds,
        "letters_per_second": letters / seconds,
    }


def rebuild(settings: Settings) -> dict[str, float]:
    """A full index build from the catalog (`congvan reindex` without the inference pass):
    every letter read from SQLite, sent to the engine, the index swapped in."""
    engine = open_engine(settings)
    with Catalog(settings.catalog_path) as catalog:
        start = time.perf_counter()
        count = reindex(catalog, engine)
        seconds = time.perf_counter() - start
    return {"letters": count, "seconds": seconds, "letters_per_second": count / seconds}


def memory(pid: int) -> dict[str, int]:
    """A process's resident memory now and at its peak (bytes), from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) * 1024
    return {"rss_bytes": fields["VmRSS"], "peak_rss_bytes": fields["VmHWM"]}


def engine_figures(settings: Settings, pid: int | None, db: Path | None) -> dict[str, object]:
    """Which engine answered, its documents, and its memory and disk: the Meilisearch
    server's when given (`pid`, `db`), else the embedded index folder (the embedded engine
    lives in the web process, whose memory `measure` reports)."""
    engine = open_engine(settings)
    figures: dict[str, object] = {"engine": engine.name, "letters": engine.count()}
    if settings.meili is not None:
        key = settings.meili.master_key or settings.meili.admin_key
        figures["version"] = meilisearch.Client(settings.meili.url, key).get_version()
    if pid:
        figures["server"] = memory(pid)
    disk = db or (settings.index_dir if settings.meili is None else None)
    if disk:
        figures["disk_bytes"] = folder_size(disk)
    return figures


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def measure(settings: Settings, rounds: int) -> dict[str, dict[str, float]]:
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "web.cli",
            "--data",
            str(settings.data_dir),
            "serve",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for _ in range(100):
            try:
                connection.request("GET", "/api/health")
                connection.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        timings: dict[str, list[float]] = {}
        # The JSON API first, then the HTML search page a person sees (facets, number
        # panel, template), each in its own pass so one does not disturb the other.
        for path, prefix in (("/api/search?", ""), ("/?", "page ")):
            for round_number in range(rounds + 1):
                for kind, params in QUERIES + FORGIVING:
                    start = time.perf_counter()
                    connection.request("GET", path + urlencode(params))
                    response = connection.getresponse()
                    body = response.read()
                    elapsed = (time.perf_counter() - start) * 1000
                    assert response.status == 200, body[:200]
                    if round_number:  # the first round warms caches
                        timings.setdefault(prefix + kind, []).append(elapsed)
                        timings.setdefault(prefix + "all", []).append(elapsed)
                        if (kind, params) in QUERIES:
                            timings.setdefault(prefix + "all, issue 2 mix", []).append(elapsed)
        report: dict[str, dict[str, float]] = {
            kind: _percentiles(values) for kind, values in timings.items()
        }
        report["web process"] = {k: float(v) for k, v in memory(server.pid).items()}
        return report
    finally:
        server.terminate()
        server.wait(timeout=10)


def raw_tantivy(settings: Settings, rounds: int) -> dict[str, dict[str, float]]:
    """The baseline for the embedded engine's figures: for each query of the mix, raw
    Tantivy on the same index, in this process: each word folded, in the text or subject
    (one typo allowed, as fuzzy terms, for the typo class), phrases as phrases, the
    filters, reference, date span and numbers as term and range queries, sorted by date
    when the request is, top 20 and the count: no facets, snippets, reranking or HTTP. By
    query class, like `measure`; the first round warms caches."""
    index = TantivyEngine(settings.index_dir).index
    schema, searcher = index.schema, index.searcher()
    queries = [
        (kind, _raw_tantivy_query(schema, kind, params), params, (kind, params) in QUERIES)
        for kind, params in QUERIES + FORGIVING
    ]
    timings: dict[str, list[float]] = {}
    for round_number in range(rounds + 1):
        for kind, query, params, in_mix in queries:
            order = {"order_by_field": "sort_date"} if params.get("sort") else {}
            start = time.perf_counter()
            searcher.search(query, 20, count=True, **order)
            elapsed = (time.perf_counter() - start) * 1000
            if round_number:
                for name in (kind, "all", *(["all, issue 2 mix"] if in_mix else [])):
                    timings.setdefault(name, []).append(elapsed)
    return {kind: _percentiles(values) for kind, values in timings.items()}


_WORD_FIELDS = ("text", "subject")


def _either(queries: list[tantivy.Query]) -> tantivy.Query:
    return tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in queries])


def _raw_tantivy_query(schema: tantivy.Schema, kind: str, params: dict[str, str]) -> tantivy.Query:
    """One query of the mix as plain Tantivy queries (see `raw_tantivy`)."""
    request = parse_search_params(params)
    parsed = request.parsed
    must: list[tantivy.Query] = []
    for word in folded_terms(" ".join(parsed.words)):  # each word, in the text or subject
        if kind == "typo":
            must.append(_either([Query.fuzzy_term_query(schema, f, word, 1) for f in _WORD_FIELDS]))
        else:
            must.append(_either([Query.term_query(schema, f, word) for f in _WORD_FIELDS]))
    for phrase in parsed.phrases:
        terms: list[str | tuple[int, str]] = list(folded_terms(" ".join(phrase)))
        must.append(_either([Query.phrase_query(schema, f, terms) for f in _WORD_FIELDS]))
    must += [tantivy.Query.term_query(schema, name, value) for name, value in request.filters]
    if request.ref_key:
        must.append(tantivy.Query.term_query(schema, "reference_keys", request.ref_key))
    if request.date_span:
        low, high = request.date_span
        integer = tantivy.FieldType.Integer
        must.append(tantivy.Query.range_query(schema, "date", integer, low, high))
    for number in parsed.numbers:
        fields = ("number_match", "reference_match")
        must.append(_either([Query.term_query(schema, f, number.match_key) for f in fields]))
    if not must:
        must.append(tantivy.Query.all_query())
    return tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in must])


def raw_meilisearch(settings: Settings, rounds: int) -> dict[str, dict[str, float]]:
    """The baseline for the Meilisearch figures: for each query of the mix, one raw `POST
    /indexes/…/search` with the words, filters, sort and facets the engine sends for it,
    the first page of 20, on one kept-alive connection; by query class, like `measure`.
    (http.client, as the engine: a kept-alive `requests.Session` waited ~40 ms a request
    for a delayed acknowledgement, see indexer/search/meili_client.py.)"""
    meili = settings.meili
    assert meili is not None
    address = urlsplit(meili.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    headers = {
        "Authorization": f"Bearer {meili.master_key or meili.admin_key}",
        "Content-Type": "application/json",
    }
    path = f"/indexes/{meili.index}/search"
    bodies = []
    for kind, params in QUERIES + FORGIVING:
        request = parse_search_params(params)
        body: dict[str, object] = {
            "q": query_text(request.parsed),
            "filter": filters(request, request.parsed),
            "facets": list(FACETS),
            "page": 1,
            "hitsPerPage": 20,
        }
        if sort := sort_by(request):
            body["sort"] = sort
        bodies.append((kind, body, (kind, params) in QUERIES))
    timings: dict[str, list[float]] = {}
    for round_number in range(rounds + 1):
        for kind, body, in_mix in bodies:
            start = time.perf_counter()
            connection.request("POST", path, body=json.dumps(body).encode(), headers=headers)
            answer = connection.getresponse()
            answered = answer.read()
            assert answer.status == 200, answered[:200]
            elapsed = (time.perf_counter() - start) * 1000
            if round_number:
                for name in (kind, "all", *(["all, issue 2 mix"] if in_mix else [])):
                    timings.setdefault(name, []).append(elapsed)
    return {kind: _percentiles(values) for kind, values in timings.items()}


def _ratios(api: dict[str, dict[str, float]], raw: dict[str, dict[str, float]]) -> dict[str, float]:
    """The API's p95 over the baseline's, by query class."""
    return {
        kind: round(api[kind]["p95_ms"] / figures["p95_ms"], 2)
        for kind, figures in raw.items()
        if kind in api
    }


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": statistics.median(ordered),
        "p95_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        "n": len(ordered),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=10_000)
    parser.add_argument("--data", type=Path, required=True, help="an empty folder")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seed", type=int, default=20211106)
    parser.add_argument(
        "--search-only", action="store_true", help="measure search on an existing bench archive"
    )
    parser.add_argument(
        "--reindex", action="store_true", help="first rebuild the index from the catalog, timed"
    )
    parser.add_argument("--server-pid", type=int, help="the Meilisearch server's process id")
    parser.add_argument("--server-db", type=Path, help="the Meilisearch server's --db-path")
    args = parser.parse_args()
    settings = Settings.from_env(args.data)  # MEILI_URL set: Meilisearch
    if settings.catalog_path.exists() and not args.search_only:
        sys.exit(f"{settings.data_dir} already holds an archive; give an empty folder")
    report: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "load average at start": os.getloadavg(),
    }
    if not args.search_only:
        report["ingest"] = ingest(settings, args.letters, args.seed)
    if args.reindex and settings.meili is not None:
        report["raw meilisearch load"] = raw_load = raw_meili_load(settings)
    if args.reindex:
        report["reindex"] = rebuilt = rebuild(settings)
        if settings.meili is not None:
            report["reindex / raw load"] = round(rebuilt["seconds"] / raw_load["seconds"], 2)
    report["search"] = search = measure(settings, args.rounds)
    if settings.meili is None:
        report["raw tantivy baseline"] = raw = raw_tantivy(settings, args.rounds)
        report["api p95 / raw p95"] = _ratios(search, raw)
    else:
        report["raw meilisearch baseline"] = raw = raw_meilisearch(settings, args.rounds)
        report["api p95 / raw p95"] = _ratios(search, raw)
    report["index"] = engine_figures(settings, args.server_pid, args.server_db)
    report["load average at end"] = os.getloadavg()
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
