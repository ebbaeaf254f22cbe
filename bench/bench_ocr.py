"""Benchmark: OCR pages per minute, the project's pool against one `tesseract` command line.

Renders the project's sample letters (and the shared seed letters when present) as
degraded 300-dpi pages (tests/samples/scans.py), then in the same run:
- baseline: `tesseract PAGE.png stdout -l vie` for each page, one after another,
  with Tesseract's default threading, and again with `OMP_THREAD_LIMIT=1`;
- project: `indexer.pages.ocr.recognise_pages` (preprocessing + one single-threaded Tesseract
  per core);
and reports pages per minute for both, the ratio, and the character error rate of the
project's text against the source letters.

    .venv/bin/python bench/bench_ocr.py
    .venv/bin/python bench/bench_ocr.py --long-pdf 1000   # memory on a 1,000-page PDF
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from indexer.language.vietnamese import normalize_document  # noqa: E402
from indexer.pages.ocr import recognise_pages  # noqa: E402
from tests.samples.scans import render_scan  # noqa: E402


def letters() -> list[tuple[str, str]]:
    """The sample letters, and the shared seed letters when present: (name, text)."""
    paths = sorted((ROOT / "tests/samples/letters").glob("*.txt"))
    seeds = ROOT.parent / "shared" / "seeds"
    paths += sorted(seeds.glob("*.txt")) if seeds.exists() else []
    return [(p.stem, p.read_text("utf-8")) for p in paths]


def _command_line(files: list[Path], env: dict[str, str]) -> float:
    """Seconds for `tesseract` over the pages, one process after another."""
    start = time.perf_counter()
    for path in files:
        subprocess.run(["tesseract", str(path), "stdout", "-l", "vie"],
                       capture_output=True, check=True, env={**os.environ, **env})  # fmt: skip
    return time.perf_counter() - start


def long_pdf(pages: int) -> dict[str, float]:
    """Recognise a PDF of `pages` blank A4 pages; report time and the peak memory (RSS)."""
    import io
    import resource

    from pypdf import PdfWriter

    from indexer.pages.ocr import recognise_document

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    done: list[int] = []
    recognise_document(buffer.getvalue(), "application/pdf", set(), lambda p: done.append(1),
                       max_pages=pages)  # fmt: skip
    return {
        "pages": len(done),
        "seconds": round(time.perf_counter() - start, 1),
        "peak_rss_mb_before": round(before / 1024, 1),
        "peak_rss_mb_after": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    """Run the benchmark (or the long-PDF memory run) and print its figures as JSON."""
    if len(sys.argv) == 3 and sys.argv[1] == "--long-pdf":
        print(json.dumps(long_pdf(int(sys.argv[2])), indent=2))
        return
    pages, sources = [], {}
    for index, (name, text) in enumerate(letters()):
        sources[name] = text
        for number, image in enumerate(render_scan(text, seed=index), 1):
            pages.append((name, number, image))
    with tempfile.TemporaryDirectory() as folder:
        files = []
        for name, number, image in pages:
            path = Path(folder) / f"{name}-{number}.png"
            image.save(path)
            files.append(path)
        baseline = _command_line(files, {})
        single = _command_line(files, {"OMP_THREAD_LIMIT": "1"})
    start = time.perf_counter()
    numbered = ((i, image) for i, (_, _, image) in enumerate(pages, 1))
    results = {page.number: page.text for page in recognise_pages(numbered)}
    project = time.perf_counter() - start
    texts: dict[str, list[str]] = {}
    for index, (name, _, _) in enumerate(pages, 1):
        texts.setdefault(name, []).append(results[index])
    cer = {}
    for name, source in sources.items():
        reference = " ".join(normalize_document(source).split())
        hypothesis = " ".join(normalize_document("\n".join(texts[name])).split())
        cer[name] = round(Levenshtein.distance(reference, hypothesis) / len(reference), 4)
    print(json.dumps({
        "machine": f"{os.cpu_count()} cores",
        "pages": len(pages),
        "baseline_pages_per_minute": round(len(pages) / baseline * 60, 1),
        "baseline_one_thread_pages_per_minute": round(len(pages) / single * 60, 1),
        "project_pages_per_minute": round(len(pages) / project * 60, 1),
        "ratio": round(baseline / project, 2),
        "ratio_to_one_thread": round(single / project, 2),
        "cer_mean": round(sum(cer.values()) / len(cer), 4),
        "cer_max": max(cer.values()),
        "cer": cer,
    }, ensure_ascii=False, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
