"""The original file's name as a second witness for a handwritten number or date: the
rules on letters as the reader leaves them, then real scans under the names their office
gave them (the `source_path` of ../shared/real/truth.json), read by the real pipeline."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from archive.catalog import Catalog
from archive.catalog.letter import letter_from_json, letter_to_json
from indexer.language.letter import Letter
from indexer.letter.file_name import weigh_file_name
from indexer.pages.handwriting import handwriting_ready
from indexer.pages.ocr import tesseract_ready
from web.cli import main

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
UNSURE = "số viết tay đọc chưa chắc chắn: 5/NQ-CP (4%), 15/NQ-CP (2%), 115/NQ-CP (1%)"


def _unsure_number(*readings: tuple[str, float]) -> Letter:
    return letter_from_json({
        "review": {"number": UNSURE},
        "candidates": {"number": [{"value": v, "score": s} for v, s in readings]},
    })  # fmt: skip


def test_a_name_that_gives_one_of_the_readings_keeps_it_with_both_as_evidence() -> None:
    letter = _unsure_number(("5/NQ-CP", 0.04), ("15/NQ-CP", 0.02), ("115/NQ-CP", 0.01))
    weighed = weigh_file_name(letter, "uploads/2026/nq_115_ba_vi.pdf")
    assert weighed.number is not None and weighed.number.text == "115/NQ-CP"
    evidence = weighed.provenance.inferred["number"].evidence
    assert "nq_115_ba_vi.pdf" in evidence and "115/NQ-CP (1%)" in evidence
    assert "number" not in weighed.provenance.review
    assert "number" not in weighed.provenance.candidates


def test_a_name_that_gives_another_number_is_for_a_person_to_weigh() -> None:
    letter = _unsure_number(("5/NQ-CP", 0.04), ("15/NQ-CP", 0.02))
    weighed = weigh_file_name(letter, "NQ 115.pdf")
    assert weighed.number is None
    assert weighed.provenance.review["number"] == f"{UNSURE}; tên tệp “NQ 115.pdf” ghi 115/NQ-CP"
    assert weighed.provenance.candidates["number"] == (("5/NQ-CP", 0.04), ("15/NQ-CP", 0.02))


def test_a_sure_hand_reading_the_name_contradicts_is_taken_back_for_review() -> None:
    letter = letter_from_json({
        "number": "729/QĐ-TTg", "sources": {"number": {"page": 1, "method": "ocr:handwriting"}},
    })  # fmt: skip
    assert weigh_file_name(letter, "qd_729_ttg.pdf") == letter  # the two agree
    weighed = weigh_file_name(letter, "qd_792_ttg.pdf")
    assert weighed.number is None and "number" not in weighed.provenance.sources
    assert (
        "đọc 729/QĐ-TTg, tên tệp “qd_792_ttg.pdf” ghi 792/QĐ-TTg"
        in weighed.provenance.review["number"]
    )


@pytest.mark.parametrize(
    "name",
    [
        "SCAN0097.pdf",  # a scanner's counter, beside no code of the notation
        "kh-khao-sat-20260629110301-e.pdf",  # an upload stamp
        "5 nq 15.pdf",  # two numbers beside the code: which?
        "cv_115_ba_vi.pdf",  # a code the letter's notation does not have
    ],
)
def test_a_name_without_the_notation_beside_one_number_says_nothing(name: str) -> None:
    letter = _unsure_number(("5/NQ-CP", 0.04), ("15/NQ-CP", 0.02), ("115/NQ-CP", 0.01))
    assert weigh_file_name(letter, name) == letter


def test_a_printed_number_is_never_weighed_against_a_name() -> None:
    letter = letter_from_json({
        "number": "729/QĐ-TTg", "sources": {"number": {"page": 1, "method": "ocr:tesseract-vie"}},
    })  # fmt: skip
    assert weigh_file_name(letter, "qd_792_ttg.pdf") == letter


def test_a_date_in_the_name_confirms_an_unsure_day() -> None:
    letter = letter_from_json({
        "review": {"date": "ngày viết tay đọc chưa chắc chắn: 2013-01-22 (46%)"},
        "candidates": {"date": [{"value": "2013-01-22", "score": 0.46},
                                {"value": "2013-01-02", "score": 0.04}]},
    })  # fmt: skip
    weighed = weigh_file_name(letter, "01_TB-BGH (22.1.2013)_Tang cuong giam sat.pdf")
    assert weighed.date == "2013-01-22" and "date" in weighed.provenance.inferred
    assert weigh_file_name(letter, "17.9.2025.Vv lay y kien.pdf").date is None


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real (real letters) is absent")
@pytest.mark.skipif(not tesseract_ready(), reason="tesseract with Vietnamese is absent")
@pytest.mark.skipif(not handwriting_ready(), reason="the handwriting recogniser is absent")
def test_real_scans_under_their_offices_names(tmp_path: Path) -> None:
    """R004 (`729` read at 0.33), R012 (day `22` at 0.46) and R003 (`115` read `5`), under
    the names they were published with."""
    truth = json.loads((REAL / "truth.json").read_text(encoding="utf-8"))
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names = {}
    for letter in ("R004.pdf", "R012.pdf", "R003.pdf"):
        name = Path(truth[letter]["source_path"]).name
        shutil.copy(REAL / "letters" / letter, inbox / name)
        names[name] = truth[letter]
    data = tmp_path / "data"
    assert main(["--data", str(data), "ingest", str(inbox)]) == 0
    with Catalog(data / "catalog.sqlite3") as catalog:
        read: dict[str, Any] = {
            record.filename: letter_to_json(catalog.letter(record.id))  # type: ignore[arg-type]
            for record in catalog.iter_documents()
        }
    r004, r012, r003 = (read[name] for name in names)
    assert (
        r004["number"] == "729/QĐ-TTg"
        and "qd_729_ttg.pdf" in r004["inferred"]["number"]["evidence"]
    )
    assert r012["date"] == "2013-01-22" and "22.1.2013" in r012["inferred"]["date"]["evidence"]
    assert r003["number"] is None and "ghi 115/NQ-CP" in r003["review"]["number"]
