"""Every sample letter, in every layout real letters come in, reads like the plain letter.

`tests/samples/variants.py` renders each of our sample letters as a two-column PDF, an
e-signed PDF with the number and date in signature widgets, a Word file with header and
bottom tables, a Word 97–2003 file, a 200-dpi scan with a seal and stamps, a PDF with the
date line above the number, and a PDF whose signature block has no authority mark. They
go through the real pipeline (OCR included) and each field is compared with what the
archivist reads on the plain letter (tests/samples/expected.json).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from archive.catalog import Catalog
from archive.catalog.letter import letter_to_json
from indexer.pages.ocr import tesseract_ready
from tests.samples.variants import VARIANTS, build, expected_of
from web.cli import main

EXPECTED = Path(__file__).parent / "samples" / "expected.json"
NOT_FIELDS = {"notes", "inferred"}

pytestmark = [
    pytest.mark.skipif(not tesseract_ready(), reason="tesseract with Vietnamese is absent"),
    pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (for .doc) is absent"),
]


@pytest.fixture(scope="module")
def variants_read(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("variants")
    written = build(root / "inbox")
    assert main(["--data", str(root / "data"), "ingest", str(root / "inbox")]) == 0
    with Catalog(root / "data" / "catalog.sqlite3") as catalog:
        letters = catalog.letters(catalog.document_ids())
        read = {
            record.filename: letter_to_json(letters[record.id])
            for record in catalog.iter_documents()
        }
    assert len(read) == len(written)
    return read


def test_every_variant_reads_like_the_plain_letter(
    variants_read: dict[str, dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    right: dict[str, list[bool]] = {variant: [] for variant in VARIANTS}
    wrong = []
    for filename, metadata in sorted(variants_read.items()):
        stem, variant = Path(filename).stem.split("__")
        want = expected_of(variant, expected[stem])
        misread = [
            f"{filename}: {name}: {metadata.get(name)!r} ≠ {value!r}"
            for name, value in want.items()
            if name not in NOT_FIELDS and metadata.get(name) != value
        ]
        right[variant].append(not misread)
        wrong += misread
    with capsys.disabled():
        print("\nMẫu trình bày: thư đọc đúng mọi trường / tổng số thư")
        for variant, results in right.items():
            print(f"{variant:<20}{sum(results):>3}/{len(results)}")
    assert not wrong, "\n".join(wrong)
