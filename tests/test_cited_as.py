"""Evidence from the letters citing a scan (`indexer.followup.cited_as`): a handwritten
number or date the recogniser was unsure of is taken from a later letter that cites it by
its issuer and date, with that letter as evidence; citations that disagree give nothing.

Two real scans, recognised at ingest by real Tesseract and the real handwriting
recogniser: R004 (`Số: 729/QĐ-TTg`, the 729 written by hand and read at 0.33, below
`SURE`) and R009 (`68/QĐ-UBND`, its day written by hand and read unsure, January 2011
sure). The replies are letters of our own, archived after them.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from archive.settings import Settings
from indexer.pages.handwriting import handwriting_ready
from indexer.pages.ocr import tesseract_ready
from indexer.search import SearchRequest
from indexer.search.factory import open_engine
from tests.conftest import held_letter
from web.cli import main

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
pytestmark = [
    pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real (real letters) is absent"),
    pytest.mark.skipif(not tesseract_ready(), reason="tesseract with Vietnamese is absent"),
    pytest.mark.skipif(not handwriting_ready(), reason="the handwriting recogniser is absent"),
]


@pytest.fixture(scope="module", autouse=True)
def embedded_engine() -> Iterator[None]:
    """The CLI and the searches here use one engine, the embedded one, whatever MEILI_URL
    says: the inference is what is tested (the engines' date filters have their contract)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MEILI_URL", raising=False)
        yield


def _reply(number: str, day: str, citing: str) -> str:
    """A ministry's letter of our own, citing another in its first sentence."""
    d, m, y = day.split("/")
    return (
        f"BỘ NỘI VỤ\nSố: {number}\nHà Nội, ngày {d} tháng {m} năm {y}\n"
        "V/v triển khai thực hiện\n\nKính gửi: Các đơn vị trực thuộc.\n\n"
        f"{citing}, Bộ Nội vụ đề nghị các đơn vị triển khai thực hiện nghiêm túc.\n\n"
        "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG\n\nPhan Thị Hồng Nhung\n"
    )


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding R004 and R009, recognised."""
    root = tmp_path_factory.mktemp("cited")
    inbox, data = root / "inbox", root / "data"
    inbox.mkdir()
    for name in ("R004.pdf", "R009.pdf"):
        shutil.copy(REAL / "letters" / name, inbox / name)
    assert main(["--data", str(data), "ingest", str(inbox)]) == 0
    return data


def _with_replies(scans: Path, tmp_path: Path, replies: dict[str, str]) -> Path:
    """A copy of the scans' archive with these replies archived after them."""
    data = tmp_path / "data"
    shutil.copytree(scans, data)
    inbox = tmp_path / "replies"
    inbox.mkdir()
    for name, text in replies.items():
        (inbox / name).write_text(text, encoding="utf-8")
    assert main(["--data", str(data), "ingest", str(inbox)]) == 0
    return data


def test_the_scans_alone_leave_the_values_for_review(scans: Path) -> None:
    r004, r009 = held_letter(scans, "R004.pdf"), held_letter(scans, "R009.pdf")
    assert r004["number"] is None and r004["candidates"]["number"][0]["value"] == "729/QĐ-TTg"
    assert r009["number"] == "68/QĐ-UBND" and r009["date"] is None
    assert r009["date_month"] == "2011-01"


def test_a_reply_citing_the_number_with_its_date_and_issuer_gives_the_number(
    scans: Path, tmp_path: Path
) -> None:
    citing = "Thực hiện Quyết định số 729/QĐ-TTg ngày 23/4/2026 của Thủ tướng Chính phủ"
    data = _with_replies(
        scans, tmp_path, {"tra-loi.txt": _reply("88/BNV-TCBC", "05/5/2026", citing)}
    )
    r004 = held_letter(data, "R004.pdf")
    assert r004["number"] == "729/QĐ-TTg"
    evidence = r004["inferred"]["number"]
    assert "88/BNV-TCBC" in evidence["evidence"] and "ngày 23/04/2026" in evidence["evidence"]
    assert evidence["document_id"] == held_letter(data, "tra-loi.txt")["id"]
    assert "number" in r004["review"]  # inferred, still for a person to confirm
    engine = open_engine(Settings(data_dir=data))
    hits = engine.search(SearchRequest(q="729/QĐ-TTg", per_page=3)).hits
    assert hits[0]["id"] == r004["id"]  # the bearer first, then the reply citing it


def test_a_citation_of_another_date_or_issuer_gives_nothing(scans: Path, tmp_path: Path) -> None:
    replies = {
        "ngay-khac.txt": _reply(
            "89/BNV-TCBC", "05/5/2026",
            "Thực hiện Quyết định số 729/QĐ-TTg ngày 02/3/2026 của Thủ tướng Chính phủ",
        ),
        "co-quan-khac.txt": _reply(
            "90/BNV-TCBC", "06/5/2026",
            "Thực hiện Quyết định số 729/QĐ-TTg ngày 23/4/2026 của Bộ Tài chính",
        ),
    }  # fmt: skip
    data = _with_replies(scans, tmp_path, replies)
    r004 = held_letter(data, "R004.pdf")
    assert r004["number"] is None and "number" not in r004["inferred"]


def test_replies_citing_the_number_give_the_unknown_date(scans: Path, tmp_path: Path) -> None:
    citing = "Căn cứ Quyết định số 68/QĐ-UBND ngày 10/01/2011 của UBND tỉnh Hải Dương"
    data = _with_replies(scans, tmp_path, {"can-cu.txt": _reply("12/BNV-VP", "20/01/2011", citing)})
    r009 = held_letter(data, "R009.pdf")
    assert r009["date"] == "2011-01-10"
    assert "12/BNV-VP" in r009["inferred"]["date"]["evidence"]
    engine = open_engine(Settings(data_dir=data))
    day = engine.search(SearchRequest(date_from=date(2011, 1, 10), date_to=date(2011, 1, 10)))
    assert [hit["id"] for hit in day.hits] == [r009["id"]]


def test_replies_giving_two_dates_give_none(scans: Path, tmp_path: Path) -> None:
    replies = {
        f"tra-loi-{day[:2]}.txt": _reply(
            f"{n}/BNV-VP", "25/01/2011",
            f"Thực hiện Quyết định số 68/QĐ-UBND ngày {day} của Ủy ban nhân dân tỉnh Hải Dương",
        )
        for n, day in ((13, "10/01/2011"), (14, "12/01/2011"))
    }  # fmt: skip
    data = _with_replies(scans, tmp_path, replies)
    r009 = held_letter(data, "R009.pdf")
    assert r009["date"] is None and "date" not in r009["inferred"]
    assert json.dumps(r009["review"], ensure_ascii=False).count("ngày") >= 1  # still for a person


def test_the_reply_may_come_first(tmp_path: Path) -> None:
    """The scan archived after the reply: its recognition is the change that is followed."""
    data, first, then = tmp_path / "data", tmp_path / "first", tmp_path / "then"
    first.mkdir()
    then.mkdir()
    citing = "Thực hiện Quyết định số 729/QĐ-TTg ngày 23/4/2026 của Thủ tướng Chính phủ"
    (first / "tra-loi.txt").write_text(_reply("88/BNV-TCBC", "05/5/2026", citing), "utf-8")
    shutil.copy(REAL / "letters" / "R004.pdf", then / "R004.pdf")
    assert main(["--data", str(data), "ingest", str(first)]) == 0
    assert main(["--data", str(data), "ingest", str(then)]) == 0
    assert held_letter(data, "R004.pdf")["number"] == "729/QĐ-TTg"
