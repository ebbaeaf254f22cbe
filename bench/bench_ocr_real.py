"""OCR on real government scans: the project against plain Tesseract, same pages, same run.

Pages and their human-verified text come from a peer's public benchmark
(`../shared/real/ocr-benchmark/`: 9 page-1 scans at 200 dpi). Character error rate is
computed on NFC text with every run of white space collapsed to one space:
edit distance / length of the verified text.

- baseline: `tesseract IMAGE stdout -l vie`, one page after another (one process, its
  default threads), as a user would run it;
- project: `indexer.pages.ocr.recognise_pages` (preprocessing, page layout, reading order,
  repair; one single-threaded Tesseract per core).

Usage: .venv/bin/python bench/bench_ocr_real.py [--benchmark DIR]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

from PIL import Image
from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.pages.ocr import recognise_pages

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "real" / "ocr-benchmark"


def normalized(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def cer(recognised: str, truth: str) -> float:
    expected = normalized(truth)
    return Levenshtein.distance(normalized(recognised), expected) / len(expected)


def plain_tesseract(paths: list[Path]) -> tuple[list[str], float]:
    start = time.perf_counter()
    texts = [
        subprocess.run(
            ["tesseract", str(path), "stdout", "-l", "vie"], capture_output=True, check=True
        ).stdout.decode()
        for path in paths
    ]
    return texts, time.perf_counter() - start


def project(paths: list[Path]) -> tuple[list[str], float]:
    start = time.perf_counter()
    images = ((number, Image.open(path).convert("RGB")) for number, path in enumerate(paths, 1))
    pages = sorted(recognise_pages(images), key=lambda page: page.number)
    return [page.text for page in pages], time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--benchmark", type=Path, default=DEFAULT)
    args = parser.parse_args()
    truth_file = args.benchmark / "ground_truth.jsonl"
    if not truth_file.exists():
        print(f"skipped: {truth_file} not found (the shared benchmark is absent)")
        return 0
    truths = [json.loads(line) for line in truth_file.read_text("utf-8").splitlines() if line]
    paths = [args.benchmark / truth["image"] for truth in truths]
    baseline, baseline_seconds = plain_tesseract(paths)
    ours, our_seconds = project(paths)
    print(f"{'page':32} {'tesseract -l vie':>17} {'project':>8} {'difference':>10}")
    rows = []
    for truth, plain, mine in zip(truths, baseline, ours, strict=True):
        rows.append((cer(plain, truth["text"]), cer(mine, truth["text"])))
        print(f"{truth['doc_id']:32} {rows[-1][0]:17.2%} {rows[-1][1]:8.2%} "
              f"{(rows[-1][1] - rows[-1][0]) * 100:+9.2f}")  # fmt: skip
    mean_plain = sum(row[0] for row in rows) / len(rows)
    mean_ours = sum(row[1] for row in rows) / len(rows)
    print(f"{'mean':32} {mean_plain:17.2%} {mean_ours:8.2%} {(mean_ours - mean_plain) * 100:+9.2f}")
    worst = max(row[1] - row[0] for row in rows) * 100
    print(f"worst page against plain tesseract: {worst:+.2f} points")
    pages_per_minute = [60 * len(paths) / seconds for seconds in (baseline_seconds, our_seconds)]
    plain, ours_rate = pages_per_minute
    print(f"throughput: tesseract {plain:.1f} pages/min, project {ours_rate:.1f} pages/min "
          f"({ours_rate / plain:.1f}×)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
