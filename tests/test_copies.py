"""One letter, several files: a scan and a digital copy (or two scans) are one letter in
search, listed on its page as other copies; a new copy is warned of when it is archived."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.followup.corrections import correct
from indexer.followup.steps import FollowedUp, follow_up
from indexer.intake.copies import NEAR_BITS, text_fingerprint
from tests.conftest import Archive, letter
from tests.samples.build import LETTERS, write_scan

BODY = (
    "Thực hiện Kế hoạch số 15-KH/TU của Tỉnh ủy về công tác phòng, chống dịch trong mùa "
    "mưa bão, Ban Thường vụ Huyện ủy yêu cầu các chi bộ, đảng bộ cơ sở rà soát lực lượng "
    "tại chỗ, chuẩn bị phương tiện, vật tư, lương thực cho các khu dân cư vùng thấp trũng, "
    "tổ chức trực ban nghiêm túc và báo cáo kết quả về Văn phòng Huyện ủy trước ngày 30 "
    "tháng 9 để tổng hợp gửi Thường trực Tỉnh ủy theo đúng quy định hiện hành."
)


@pytest.fixture
def archive(each_engine: Archive) -> Archive:
    """Each engine in turn (Meilisearch when MEILI_URL is set): both show a letter once."""
    return each_engine


def _relate_and_index(archive: Archive) -> FollowedUp:
    done = follow_up(archive.catalog, archive.store, archive.engine, max_pages=4)
    assert done.index_problem is None
    return done


def test_a_scan_and_the_digital_copy_are_one_letter_in_search(
    archive: Archive, client: FlaskClient, tmp_path: Path
) -> None:
    text = (LETTERS / "09_ban_scan.txt").read_text("utf-8")
    digital = archive.add("702-CV-TU.txt", text).document_id
    scan = write_scan(text, tmp_path / "702-ban-chup", "png")
    scanned = archive.add(scan.name, scan.read_bytes())
    assert scanned.outcome == "needs_ocr"  # its number is read by OCR, after archiving
    (recognised,) = _relate_and_index(archive).recognised
    assert f"có thể là bản khác của văn bản #{digital}" in recognised.message

    assert archive.ids("702-CV/TU") == [digital]  # once, by its digital copy
    assert archive.ids("kiem tra cong tac phong chong dich") == [digital]
    page = client.get(f"/api/documents/{digital}").get_json()
    assert [other["id"] for other in page["copies"]["others"]] == [scanned.document_id]
    assert page["copies"]["shown_in_search"] == digital
    scan_page = client.get(f"/api/documents/{scanned.document_id}").get_json()
    assert scan_page["copies"]["shown_in_search"] == digital

    again = archive.add("702-ban-sao.txt", text + "\nBản sao lưu tại Văn phòng.")
    assert again.copy_of == digital
    assert f"có thể là bản khác của văn bản #{digital}" in again.line()
    assert "cùng số, cơ quan ban hành và ngày" in again.line()
    _relate_and_index(archive)
    assert archive.ids("702-CV/TU") == [digital]


def test_near_identical_texts_are_one_letter_unless_what_they_state_differs(
    archive: Archive,
) -> None:
    first = archive.add("a.txt", "Kính gửi: Các chi bộ.\n\n" + BODY).document_id
    slip = BODY.replace("nghiêm túc", "nghiêm tủc").replace("bão", "bāo")
    second = archive.add("b.txt", "Kính gửi: Các chi bộ.\n\n" + slip)
    assert second.copy_of == first and "nội dung gần như trùng" in second.message
    numbered = [letter(BODY, f"{n}-CV/HU") for n in (41, 42)]  # one template, two letters
    third, fourth = (archive.add(f"{i}.txt", t).document_id for i, t in enumerate(numbered))
    _relate_and_index(archive)
    assert archive.ids("mua bao") == sorted([first, third, fourth])
    assert archive.catalog.copies(second.document_id or 0) == (first, [first])
    assert archive.catalog.copies(first or 0) == (first, [second.document_id])


def test_a_correction_that_changes_the_number_parts_the_copies(archive: Archive) -> None:
    text = letter("Nội dung công văn về việc kiểm tra.", "702-CV/TU", "2021-12-20")
    first = archive.add("a.txt", text).document_id or 0
    second = archive.add("b.pdf.txt", text.replace("kiểm tra", "kiểm tra, đôn đốc")).document_id
    _relate_and_index(archive)
    assert archive.ids("kiem tra") == [first]
    correct(archive.catalog, first, "kiểm tra", {"number": "703-CV/TU"})
    _relate_and_index(archive)
    assert archive.ids("kiem tra") == sorted([first, second or 0])
    assert archive.catalog.copies(first) == (first, [])


def test_fingerprints_of_other_letters_lie_far_apart() -> None:
    texts = [
        (LETTERS / name).read_text("utf-8") for name in sorted(p.name for p in LETTERS.iterdir())
    ]
    prints = [fp for fp in map(text_fingerprint, texts) if fp is not None]
    assert len(prints) >= 8
    distances = [(a ^ b).bit_count() for i, a in enumerate(prints) for b in prints[i + 1 :]]
    assert min(distances) > 3 * NEAR_BITS


def test_a_letter_without_a_number_never_joins_two_numbered_ones(archive: Archive) -> None:
    long_body = "\n".join([BODY] * 4)  # the number line is then a slight difference
    unnumbered = archive.add("a.txt", "Kính gửi: Các chi bộ.\n\n" + long_body).document_id
    numbered = [
        archive.add(f"{n}.txt", f"Số {n}-CV/HU\nKính gửi: Các chi bộ.\n\n" + long_body)
        for n in (41, 42)
    ]
    assert all(copy.copy_of == unnumbered for copy in numbered)  # each alone is alike
    _relate_and_index(archive)
    ids = [unnumbered or 0, *(copy.document_id or 0 for copy in numbered)]
    groups = [archive.catalog.copies(d)[0] for d in ids]
    assert groups[1] != groups[2]  # two letters of one template stay two
    assert len(archive.ids("mua bao")) == 2


def test_the_letter_page_lists_its_other_copies(archive: Archive, client: FlaskClient) -> None:
    text = letter("Nội dung công văn về việc kiểm tra.", "702-CV/TU", "2021-12-20")
    first = archive.add("ban-dien-tu.txt", text).document_id
    second = archive.add("ban-sao.txt", text + "\nSao lục.").document_id
    _relate_and_index(archive)
    page = client.get(f"/documents/{second}").get_data(as_text=True)
    assert "Bản khác của cùng văn bản" in page
    assert f'Tìm kiếm hiển thị văn bản này qua <a href="/documents/{first}">' in page
    assert "ban-dien-tu.txt · bản điện tử" in page
    alone = archive.add("khac.txt", letter("Việc khác hẳn.", "9-CV/TU")).document_id
    _relate_and_index(archive)
    assert "Bản khác của cùng văn bản" not in client.get(f"/documents/{alone}").get_data(
        as_text=True
    )
