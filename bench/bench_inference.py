"""What follows an upload across the archive — copies of one letter and inference from
other letters (`followup.relate_changed`) — incremental, against a full pass.

On a copy of an archive's catalog (`bench_search.py --letters N` builds one), times:

1. a full pass over every letter — what every upload cost before the inference was
   incremental, and what a catalog from before the queue pays once (the baseline);
2. the pass after one new letter by a known signer (only that signer's letters are read);
3. the pass after one letter's signer is corrected (the old and the new signer's letters).

    .venv/bin/python bench/bench_inference.py --data /tmp/bench-100k
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from indexer.language.letter import Letter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive.catalog import Catalog  # noqa: E402
from archive.store import OriginalStore  # noqa: E402
from bench.bench_search import SIGNERS, synthetic_letter, vocabulary  # noqa: E402
from indexer.followup.corrections import correct  # noqa: E402
from indexer.followup.steps import relate_changed  # noqa: E402
from indexer.intake.pipeline import ingest_bytes  # noqa: E402


def _timed(catalog: Catalog) -> dict[str, float]:
    letters = catalog.inference_pending()
    start = time.perf_counter()
    regrouped, inferred = relate_changed(catalog)
    return {"changed": letters, "seconds": time.perf_counter() - start,
            "re_indexed": regrouped + inferred}  # fmt: skip


def measure(catalog_path: Path, work: Path) -> dict[str, object]:
    copy = work / "catalog.sqlite3"
    with sqlite3.connect(catalog_path) as source, sqlite3.connect(copy) as target:
        source.backup(target)  # a consistent copy, the archive itself is left as it was
    with Catalog(copy) as catalog:
        relate_changed(catalog)  # whatever the archive had pending
        letters = int(catalog.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])
        catalog.db.execute("INSERT OR IGNORE INTO inference_queue (document_id)"
                           " SELECT id FROM documents")  # fmt: skip
        full = _timed(catalog)
        rng = random.Random(7)
        text = synthetic_letter(rng, vocabulary(), letters + 1)
        store = OriginalStore(work / "originals")
        new = ingest_bytes(catalog, store, text.encode(), "moi.txt").document_id or 0
        one_new = _timed(catalog)
        signer = (catalog.letter(new) or Letter()).signer
        other = next(name for name in SIGNERS if name != signer)
        correct(catalog, new, "bench", {"signer": other})
        corrected = _timed(catalog)
        signed = catalog.db.execute(
            "SELECT COUNT(*) FROM signer_keys GROUP BY signer_key ORDER BY 1 DESC LIMIT 1"
        ).fetchone()[0]
    return {
        "letters": letters,
        "letters_of_the_largest_signer": int(signed),
        "full_pass": full,
        "after_one_new_letter": one_new,
        "after_one_signer_corrected": corrected,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="an archive's data folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        report = measure(args.data / "catalog.sqlite3", Path(work))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
