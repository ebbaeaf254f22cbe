"""Handwritten digits in the number and date blanks of real scans: the candidate
recognisers against Tesseract restricted to digits, on the same blanks, in the same run.

For every shared real letter whose truth notes say a value is handwritten, page 1 is
rendered and recognised as the OCR pipeline does (300 dpi, preprocessing, deskew,
Tesseract's page layout). Then, per candidate recogniser (`handwriting.MODELS`), the
number and date lines are read and their blanks decoded as digits
(`indexer.pages.handwriting.read_blanks`). The baseline reads the very boxes the chosen
recogniser located, with `tesseract --psm 7 -c tessedit_char_whitelist=0123456789`.

Per blank kind (number, day, month): how often the best reading is the truth, and what
keeping only readings of probability ≥ `indexer.letter.blanks.SURE` gives (right, wrong,
left for review). Time: milliseconds per letter for the blanks alone (lines located,
read, decoded), one core.

Usage: .venv/bin/python bench/bench_handwriting.py [--real DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.letter.blanks import SURE
from indexer.pages.handwriting import MODEL, MODELS, Recogniser, read_blanks
from indexer.pages.layout import Blank, PageLayout
from indexer.pages.ocr import PAGE_SEGMENTATION, ScanPages, _tesseract, deskew, from_tsv, preprocess

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "real"
KINDS = ("number", "day", "month")


def truths(real: Path) -> dict[str, dict[str, str]]:
    """Per handwritten letter, the digits each blank holds (the number's own digits,
    the day and month as written: without a leading zero unless the page shows one)."""
    found = {}
    for name, truth in json.loads((real / "truth.json").read_text(encoding="utf-8")).items():
        if "andwritten" not in truth["notes"] or not truth["format"].startswith("pdf-scan"):
            continue
        _, month, day = truth["date"].split("-")
        found[name] = {"number": re.split(r"[/-]", truth["number"])[0],
                       "day": day, "month": month}  # fmt: skip
    return found


def same(read: str | None, truth: str) -> bool:
    """Digits equal as values for a day or month (`01` and `1`), as text for a number."""
    if read is None:
        return False
    return read == truth or (len(truth) <= 2 and read.isdigit() and int(read) == int(truth))


def page_one(path: Path) -> tuple[Image.Image, PageLayout]:
    with ScanPages(path.read_bytes(), "application/pdf") as pages:
        image = pages.render(1)
    gray = deskew(preprocess(image))
    layout, _ = from_tsv(1, _tesseract(gray, PAGE_SEGMENTATION, 1), gray.size)
    return gray, layout


def tesseract_digits(gray: Image.Image, blank: Blank) -> str | None:
    width, height = gray.size
    x0, y0, x1, y1 = blank.box
    crop = gray.crop((int(x0 * width), int(y0 * height), int(x1 * width), int(y1 * height)))
    buffer = io.BytesIO()
    crop.save(buffer, format="PNG")
    result = subprocess.run(
        ["tesseract", "stdin", "stdout", "--psm", "7", "-c", "tessedit_char_whitelist=0123456789"],
        input=buffer.getvalue(), capture_output=True, env={"OMP_THREAD_LIMIT": "1"}, check=True,
    )  # fmt: skip
    digits = re.sub(r"\D", "", result.stdout.decode())
    return digits or None


class Tally:
    """Right best readings, and right/wrong/unsure at the `SURE` threshold, per kind."""

    def __init__(self) -> None:
        self.counts = {kind: {"blanks": 0, "best": 0, "kept": 0, "wrong": 0} for kind in KINDS}
        self.scores: list[tuple[float, bool]] = []

    def add(self, kind: str, truth: str, best: str | None, score: float | None) -> None:
        count = self.counts[kind]
        count["blanks"] += 1
        right = same(best, truth)
        count["best"] += right
        if score is not None:
            self.scores.append((score, right))
            if score >= SURE:
                count["kept" if right else "wrong"] += 1

    def row(self, name: str, timing: str) -> str:
        cells = []
        for kind in KINDS:
            c = self.counts[kind]
            kept = f"{c['kept']} / {c['wrong']}" if self.scores else "—"
            cells += [f"{c['best']}/{c['blanks']}", kept]
        return f"| {name} | " + " | ".join(cells) + f" | {timing} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--real", type=Path, default=DEFAULT)
    real = parser.parse_args().real
    wanted = truths(real)
    pages = {name: page_one(real / "letters" / name) for name in wanted}
    tallies = {model: Tally() for model in MODELS}
    times: dict[str, list[float]] = {model: [] for model in MODELS}
    baseline, baseline_times = Tally(), []
    chosen: dict[str, tuple[Blank, ...]] = {}
    for model in MODELS:
        Recogniser.named(model)  # loaded before timing, as a running server has it
        for name, (gray, layout) in pages.items():
            start = time.perf_counter()
            blanks = read_blanks(gray, layout, model)
            times[model].append(1000 * (time.perf_counter() - start))
            by_kind = {blank.field: blank for blank in blanks}
            if model == MODEL:
                chosen[name] = blanks
            for kind in KINDS:
                blank = by_kind.get(kind)
                best = blank.readings[0] if blank and blank.readings else None
                tallies[model].add(kind, wanted[name][kind], best and best.text,
                                   best.score if best else 0.0)  # fmt: skip
    for name, blanks in chosen.items():
        gray, _ = pages[name]
        by_kind = {blank.field: blank for blank in blanks}
        start = time.perf_counter()
        for kind in KINDS:
            blank = by_kind.get(kind)
            read = tesseract_digits(gray, blank) if blank else None
            baseline.add(kind, wanted[name][kind], read, None)
        baseline_times.append(1000 * (time.perf_counter() - start))
    print(f"{len(wanted)} handwritten real letters; kept = probability ≥ {SURE} (right / wrong)")
    print("| recogniser | number best | number kept | day best | day kept | month best "
          "| month kept | ms a letter (median, max) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for model in MODELS:
        timing = f"{statistics.median(times[model]):.0f}, {max(times[model]):.0f}"
        print(tallies[model].row(f"{model}{' (chosen)' if model == MODEL else ''}", timing))
    timing = f"{statistics.median(baseline_times):.0f}, {max(baseline_times):.0f} (reading only)"
    print(baseline.row("tesseract digits, same boxes", timing))
    for model in MODELS:
        wrong = [s for s, right in tallies[model].scores if not right]
        right = [s for s, right in tallies[model].scores if right]
        print(
            f"{model}: highest wrong best reading {max(wrong, default=0):.3f}; "
            f"right best readings {len(right)}, lowest {min(right, default=0):.3f}"
        )


if __name__ == "__main__":
    main()
