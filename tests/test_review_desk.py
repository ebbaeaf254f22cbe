"""The review desk ("Cần xem lại"): the letters with a field left for a person, the picture
of where the field sits, the readings offered, and saving with the keyboard alone.

One archive for the module: the shared real scans whose number or date the clerk wrote by
hand, and five scans of our own whose number blank was left empty, all recognised at
ingest by real Tesseract and the real handwriting recogniser. The browser test clears ten
letters in headless Chromium with the keyboard alone and prints the seconds per letter.
"""

from __future__ import annotations

import io
import json
import shutil
import time
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image

from archive.catalog import Catalog
from archive.settings import Settings
from indexer.pages.handwriting import handwriting_ready
from indexer.pages.ocr import tesseract_ready
from tests.browsing import needs_chromium, served, sign_in
from tests.conftest import STAFF_NAME, STAFF_PASSWORD, csrf_token
from tests.samples.scans import write_scan
from web.app import create_app
from web.auth import add_user
from web.cli import main

REAL = Path(__file__).resolve().parents[2] / "shared" / "real"
pytestmark = [
    pytest.mark.skipif(not REAL.is_dir(), reason="../shared/real (real letters) is absent"),
    pytest.mark.skipif(not tesseract_ready(), reason="tesseract with Vietnamese is absent"),
    pytest.mark.skipif(not handwriting_ready(), reason="the handwriting recogniser is absent"),
]
DESK_LETTERS = 10  # cleared in the browser
# Our own scans: a Party letter whose number blank the clerk left empty (`Số    -CV/TU`).
SUBJECTS = ("Rà soát hộ nghèo.", "Kiểm tra đê điều.", "Tổng kết mùa vụ.",
            "Phòng chống cháy rừng.", "Tiêm chủng cho trẻ em.")  # fmt: skip
BLANK_NUMBERS = {f"quet-so-trong-{i}": f"{610 + i}-CV/TU" for i in range(len(SUBJECTS))}


def _blank_numbered(subject: str) -> str:
    return (
        "TỈNH ỦY BẮC KẠN\n*\nSố        -CV/TU\nĐẢNG CỘNG SẢN VIỆT NAM\n"
        "Bắc Kạn, ngày 14 tháng 3 năm 2022\n\n"
        f"{subject}\n\nT/M BAN THƯỜNG VỤ\nBÍ THƯ\n\nVũ Minh Quân\n"
    )


def _handwritten_scans() -> dict[str, dict[str, Any]]:
    truth = json.loads((REAL / "truth.json").read_text(encoding="utf-8"))
    return {
        name: want
        for name, want in truth.items()
        if "andwritten" in want["notes"] and want["format"].startswith("pdf-scan")
    }


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Any]]]:
    """The data folder, and what each letter's page shows, by file name."""
    root = tmp_path_factory.mktemp("desk")
    inbox, data = root / "inbox", root / "data"
    inbox.mkdir()
    truth = _handwritten_scans()
    for name in truth:
        shutil.copy(REAL / "letters" / name, inbox / name)
    for (stem, number), subject in zip(BLANK_NUMBERS.items(), SUBJECTS, strict=True):
        path = write_scan(_blank_numbered(subject), inbox / stem, as_pdf=True)
        truth[path.name] = {"number": number}
    assert main(["--data", str(data), "ingest", str(inbox)]) == 0
    with Catalog(data / "catalog.sqlite3") as catalog:
        add_user(catalog, STAFF_NAME, STAFF_PASSWORD)
    return data, truth


def _client(data: Path) -> FlaskClient:
    client = create_app(Settings(data_dir=data), {"TESTING": True}).test_client()
    token = csrf_token(client)
    signed = client.post(
        "/dang-nhap",
        data={"username": STAFF_NAME, "password": STAFF_PASSWORD, "csrf_token": token},
    )
    assert signed.status_code == 303
    return client


def _queue(client: FlaskClient) -> dict[str, Any]:
    answer = client.get("/api/review")
    assert answer.status_code == 200
    data: dict[str, Any] = answer.get_json()
    return data


def test_the_desk_lists_the_letters_to_review_newest_first_with_counts(desk: Any) -> None:
    data, _ = desk
    queue = _queue(_client(data))
    letters = queue["letters"]
    ids = [letter["id"] for letter in letters]
    assert len(letters) >= DESK_LETTERS and ids == sorted(ids, reverse=True)
    for field, count in queue["counts"].items():
        assert count == sum(field in [f["field"] for f in x["review_fields"]] for x in letters)
    blank = [x for x in letters if x["filename"].startswith("quet-so-trong-")]
    assert len(blank) == len(SUBJECTS)
    assert all(x["review_fields"][0]["field"] == "number" for x in blank)
    # A handwritten number left unsure comes with its readings, best first, and the best fills
    # the input; every field has the picture of where it sits.
    offered = [f for x in letters for f in x["review_fields"] if f["candidates"]]
    assert offered, "no field under review came with readings"
    for field in offered:
        scores = [c["score"] for c in field["candidates"]]
        assert scores == sorted(scores, reverse=True) and len(scores) <= 3
        assert field["prefill"] == field["candidates"][0]["value"]
    assert all(f["image"].endswith(f"/review/{f['field']}.png") for x in letters
               for f in x["review_fields"])  # fmt: skip


def test_the_desk_and_its_pictures_are_for_staff_only(desk: Any) -> None:
    data, _ = desk
    client = create_app(Settings(data_dir=data), {"TESTING": True}).test_client()
    assert client.get("/api/review").status_code == 401
    assert client.get("/can-xem-lai").status_code in (302, 303)
    letter = _queue(_client(data))["letters"][0]
    assert client.get(letter["review_fields"][0]["image"]).status_code == 401


def test_the_picture_is_the_part_of_the_page_where_the_number_was_written(desk: Any) -> None:
    data, _ = desk
    client = _client(data)
    letters = _queue(client)["letters"]
    handwritten = next(x for x in letters for f in x["review_fields"] if f["candidates"])
    field = next(f for f in handwritten["review_fields"] if f["candidates"])
    answer = client.get(field["image"])
    assert answer.status_code == 200 and answer.mimetype == "image/png"
    crop = Image.open(io.BytesIO(answer.data))
    page = client.get(f"/api/documents/{handwritten['id']}/pages/1.png")
    whole = Image.open(io.BytesIO(page.data))  # 100 dpi; the crop is at 200
    assert crop.width < whole.width and crop.height < whole.height / 4
    # Ink in it: the clerk's digits and the printed words around them.
    assert crop.convert("L").getextrema()[0] < 100
    unknown = client.get(f"/api/documents/{handwritten['id']}/review/mau-sac.png")
    assert unknown.status_code == 404 and "không có trường" in unknown.get_json()["error"]


def test_congvan_review_prints_the_desk(desk: Any, capsys: pytest.CaptureFixture[str]) -> None:
    data, _ = desk
    assert main(["--data", str(data), "review", "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Cần xem lại — ") and "Số, ký hiệu: " in out.splitlines()[0]
    assert len([line for line in out.splitlines() if line.startswith("#")]) == 3
    assert main(["--data", str(data), "review", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]


def test_a_refused_value_keeps_the_letter_on_the_desk(desk: Any) -> None:
    data, _ = desk
    client = _client(data)
    letters = _queue(client)["letters"]
    letter = next(x for x in letters if x["review_fields"][0]["field"] == "number")
    form = {"number": "không phải số", "csrf_token": csrf_token(client)}
    answer = client.post(f"/can-xem-lai/{letter['id']}", data=form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Không lưu được" in page
    assert f'action="/can-xem-lai/{letter["id"]}"' in page  # the same letter, to try again
    assert letter["id"] in [x["id"] for x in _queue(client)["letters"]]


def test_an_unsure_number_is_found_after_the_sure_ones_and_marked(desk: Any) -> None:
    data, _ = desk
    client = _client(data)
    letters = _queue(client)["letters"]
    letter, field = next(
        (x, f)
        for x in letters
        for f in x["review_fields"]
        if f["field"] == "number" and f["candidates"]
    )
    for candidate in field["candidates"]:
        query = urllib.parse.quote(candidate["value"])
        panel = client.get(f"/api/search?q={query}").get_json()["number"]
        unsure = {hit["id"]: hit for hit in panel["unsure"]}
        assert letter["id"] in unsure, candidate
        assert unsure[letter["id"]]["mark"] == "số đọc chưa chắc chắn"
        assert unsure[letter["id"]]["score"] == candidate["score"]
        assert letter["id"] not in [d["id"] for d in panel["documents"]]
    page = client.get(f"/?q={urllib.parse.quote(field['candidates'][0]['value'])}")
    assert "số đọc chưa chắc chắn" in page.get_data(as_text=True)
    # Once a person has read the number, the letter bears it, or another: no longer "maybe".
    other = f"9{letter['id']}/QĐ-UBND"
    token = csrf_token(client)
    assert client.post(f"/can-xem-lai/{letter['id']}", data={"number": other,
                       "csrf_token": token}).status_code == 303  # fmt: skip
    panel = client.get(f"/api/search?q={query}").get_json()["number"]
    assert letter["id"] not in [hit["id"] for hit in panel["unsure"]]
    panel = client.get(f"/api/search?q={urllib.parse.quote(other)}").get_json()["number"]
    assert [d["id"] for d in panel["documents"]] == [letter["id"]]


def test_a_blank_left_empty_is_recorded_as_read_and_leaves_the_desk(desk: Any) -> None:
    data, _ = desk
    client = _client(data)
    letter = next(x for x in _queue(client)["letters"] if x["filename"].startswith("quet-"))
    form = {"number": "", "csrf_token": csrf_token(client)}
    assert client.post(f"/can-xem-lai/{letter['id']}", data=form).status_code == 303
    assert letter["id"] not in [x["id"] for x in _queue(client)["letters"]]
    with Catalog(data / "catalog.sqlite3") as catalog:
        (read,) = catalog.corrections_of(letter["id"])
        held = catalog.letter(letter["id"])
    assert read["field"] == "number" and read["old_value"] is None is read["new_value"]
    assert read["author"] == STAFF_NAME and held is not None and held.number is None
    page = client.get(f"/documents/{letter['id']}").get_data(as_text=True)
    assert "đã xem lại, giữ nguyên" in page and "cần xem lại:" not in page


def _typed(page: Any, field: dict[str, Any], value: str) -> None:
    """Type `value` into the focused input of `field`, with the keyboard only."""
    if field["kind"] == "date":  # typed as Vietnamese write it, day first
        year, month, day = value.split("-")
        value = f"{int(day)}/{int(month)}/{year}"
    page.keyboard.press("Control+A")
    page.keyboard.type(value)


def _tab_to(page: Any, element_id: str) -> None:
    for _ in range(10):
        if page.evaluate("document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


@needs_chromium
def test_ten_letters_cleared_with_the_keyboard_alone(page: Any, desk: Any) -> None:
    data, truth = desk
    with served(data) as site:
        sign_in(page, site, "/can-xem-lai")
        before = page.request.get(site + "/api/review").json()
        files = {x["id"]: x for x in before["letters"]}
        cleared, start = [], time.perf_counter()
        for _ in range(DESK_LETTERS):
            document_id = int(page.get_attribute("form.review-form", "data-document"))
            letter = files[document_id]
            for field in letter["review_fields"]:
                want = truth[letter["filename"]].get(field["field"])
                if want is None:
                    continue
                _tab_to(page, f"r-{field['field']}")  # the first is focused when the page opens
                _typed(page, field, want)
            page.keyboard.press("Enter")
            page.wait_for_url(f"**/can-xem-lai?sau={document_id}")
            cleared.append(document_id)
        seconds = (time.perf_counter() - start) / DESK_LETTERS
        print(f"\nbàn xem lại: {DESK_LETTERS} văn bản, {seconds:.2f} s mỗi văn bản (máy gõ)")
        after = page.request.get(site + "/api/review").json()
        remaining = {x["id"] for x in after["letters"]}
        assert not remaining & set(cleared)
        assert sum(after["counts"].values()) < sum(before["counts"].values())
        # The values saved are the letters' own, history kept, and search has them at once.
        with Catalog(data / "catalog.sqlite3") as catalog:
            for document_id in cleared:
                letter = files[document_id]
                want = truth[letter["filename"]]
                held = catalog.letter(document_id)
                assert held is not None
                if "number" in [f["field"] for f in letter["review_fields"]]:
                    assert held.number is not None and held.number.text == want["number"]
                    assert catalog.corrections_of(document_id)[0]["author"] == STAFF_NAME
                    query = urllib.parse.quote(want["number"])
                    found = page.request.get(f"{site}/api/search?q={query}").json()
                    assert document_id in [hit["id"] for hit in found["hits"][:3]]
