"""The issuer's register (`indexer.followup.register`): one issuer's serials of one notation
rise with the date through a year, so its other letters flag an unsure number's candidates
that would break that order, and bound a number's unknown date.

Letters of our own make the register; the unsure number is R001's (`Số: 753/KH-DCT`, the
753 written by hand, read unsure at ingest by real Tesseract and the real recogniser).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.pages.handwriting import handwriting_ready
from indexer.pages.ocr import tesseract_ready
from tests.conftest import held_letter
from web.cli import main

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
SCHOOL = "BỘ CÔNG THƯƠNG\nTRƯỜNG ĐẠI HỌC CÔNG THƯƠNG THÀNH PHỐ HỒ CHÍ MINH"
COUNCIL = "ỦY BAN NHÂN DÂN\nTỈNH LÀO CAI"


@pytest.fixture(scope="module", autouse=True)
def embedded_engine() -> Iterator[None]:
    """The CLI and the searches here use one engine, the embedded one, whatever MEILI_URL
    says: the inference is what is tested (the engines' date filters have their contract)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MEILI_URL", raising=False)
        yield


def _letter(issuer: str, number: str, day: str, subject: str) -> str:
    """A State letter of our own; `day` as its date line writes it after the place."""
    return (
        f"{issuer}\nSố: {number}\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        f"Độc lập - Tự do - Hạnh phúc\nLào Cai, {day}\n\n{subject}\n\n"
        "Nội dung triển khai theo kế hoạch.\n\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\nHoàng Quốc Khánh\n"
    )


def _archive(tmp_path: Path, letters: dict[str, str], scans: tuple[str, ...] = ()) -> Path:
    data, inbox = tmp_path / "data", tmp_path / "inbox"
    inbox.mkdir()
    for name, text in letters.items():
        (inbox / name).write_text(text, encoding="utf-8")
    for name in scans:
        shutil.copy(REAL / "letters" / name, inbox / name)
    assert main(["--data", str(data), "ingest", str(inbox)]) == 0
    return data


def test_a_number_without_its_day_is_bounded_by_its_neighbours(tmp_path: Path) -> None:
    letters = {
        "701.txt": _letter(COUNCIL, "701/UBND-VP", "ngày 10 tháng 4 năm 2026", "V/v họp"),
        "705.txt": _letter(COUNCIL, "705/UBND-VP", "ngày 14 tháng 4 năm 2026", "V/v đê"),
        "690.txt": _letter(COUNCIL, "690/UBND-VP", "ngày 02 tháng 4 năm 2026", "V/v rừng"),
        # The same notation of another issuer, and another year: not this register.
        "khac.txt": _letter(SCHOOL, "703/UBND-VP", "ngày 20 tháng 4 năm 2026", "V/v thi"),
        "nam-truoc.txt": _letter(COUNCIL, "703/UBND-VP", "ngày 12 tháng 4 năm 2025", "V/v cũ"),
        "702.txt": _letter(COUNCIL, "702/UBND-VP", "ngày      tháng 4 năm 2026", "V/v chợ"),
    }
    data = _archive(tmp_path, letters)
    held = held_letter(data, "702.txt")
    assert (held["date"], held["date_month"]) == (None, "2026-04")
    note = held["review"]["date"]
    assert "sau số 701/UBND-VP ngày 10/04/2026" in note
    assert "trước số 705/UBND-VP ngày 14/04/2026" in note
    assert held["date_not_before"] == "2026-04-10"
    assert held["inferred"]["date_not_before"]["evidence"] == note


def test_a_register_out_of_order_bounds_nothing(tmp_path: Path) -> None:
    letters = {
        "701.txt": _letter(COUNCIL, "701/UBND-VP", "ngày 20 tháng 4 năm 2026", "V/v họp"),
        "705.txt": _letter(COUNCIL, "705/UBND-VP", "ngày 14 tháng 4 năm 2026", "V/v đê"),
        "702.txt": _letter(COUNCIL, "702/UBND-VP", "ngày      tháng 4 năm 2026", "V/v chợ"),
    }
    held = held_letter(_archive(tmp_path, letters), "702.txt")
    assert "date" not in held["review"] and held["date_not_before"] is None


@pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real (real letters) is absent")
@pytest.mark.skipif(not tesseract_ready(), reason="tesseract with Vietnamese is absent")
@pytest.mark.skipif(not handwriting_ready(), reason="the handwriting recogniser is absent")
def test_candidates_breaking_the_register_are_flagged(tmp_path: Path) -> None:
    """R001, dated 23/6/2026, number unsure (readings such as 3, 53, 83/KH-DCT): the
    school's 40/KH-DCT of 25/6 and 60/KH-DCT of 30/6 show 53 and 83 cannot be its serial."""
    letters = {
        "40.txt": _letter(SCHOOL, "40/KH-DCT", "ngày 25 tháng 6 năm 2026", "V/v tuyển sinh"),
        "60.txt": _letter(SCHOOL, "60/KH-DCT", "ngày 30 tháng 6 năm 2026", "V/v khảo sát"),
    }
    held = held_letter(_archive(tmp_path, letters, scans=("R001.pdf",)), "R001.pdf")
    assert held["number"] is None and held["date"] == "2026-06-23"
    readings = [c["value"] for c in held["candidates"]["number"]]
    note = held["review"]["number"]
    flagged = {part.split(" ")[0] for part in note.split("; ") if "trái thứ tự sổ" in part}
    # A serial above 40 would come after 40/KH-DCT of 25/6, yet the letter is of 23/6.
    assert flagged == {r for r in readings if int(r.split("/")[0]) > 40}, note
    assert flagged and note.startswith("số viết tay")  # the reader's own note stays first
