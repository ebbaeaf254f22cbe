"""Forgiving search (issue 14) beyond the engine contract: what the embedded engine does
only when exact matching finds few letters, how loosely typed numbers are read (and which
words are never taken for numbers), phrases marked on the document page, and the search
page's suggestion, empty result and CSV link."""

from __future__ import annotations

import re
import time

import pytest
from flask.testing import FlaskClient

from indexer.language.numbers import match_key, match_keys
from indexer.search import SearchRequest
from indexer.search.query import parse_query
from indexer.search.typos import FEW_RESULTS, one_edit, within_one_edit
from tests.conftest import Archive, letter
from web.highlight import highlight


def _add(archive: Archive, *bodies: str) -> list[int]:
    ids = []
    for serial, body in enumerate(bodies, 1):
        outcome = archive.add(f"{serial}.txt", letter(body, f"{serial}-CV/TU", "2021-03-02"))
        assert outcome.document_id is not None
        ids.append(outcome.document_id)
    archive.index()
    return ids


# --- typos in the embedded engine -------------------------------------------------------------


def test_typo_matches_only_when_exact_matching_finds_few(archive: Archive) -> None:
    exact = _add(archive, *["Khoanh vùng ổ dịch."] * FEW_RESULTS, "Khoảng cách an toàn.")
    assert archive.ids("khoanh") == exact[:FEW_RESULTS]  # plenty: "khoảng" is not added
    archive.engine.write([], exact[1:FEW_RESULTS])
    assert archive.ids("khoanh") == [exact[0], exact[-1]]  # one: the typo match follows


def test_exact_then_typo_matches_page_by_page(archive: Archive) -> None:
    ids = _add(archive, "Khoanh vùng.", "Khoảng cách.", "Khoanh vùng lần hai.", "Khoảng lặng.")
    every = archive.ids("khoanh")
    assert set(every[:2]) == {ids[0], ids[2]} and set(every[2:]) == {ids[1], ids[3]}
    pages = [archive.search("khoanh", page=n, per_page=1) for n in range(1, 5)]
    assert [page.hits[0]["id"] for page in pages] == every
    assert {page.total for page in pages} == {4}
    by_date = archive.ids("khoanh", sort="date_desc")
    assert sorted(by_date) == sorted(every)  # sorted by date, typo matches are among them


def test_typo_match_is_marked_in_its_snippet(archive: Archive) -> None:
    _add(archive, "Đề nghị khoanh vùng ổ dịch ngay.")
    (hit,) = archive.search("khoanhh vung").hits
    assert "<mark>khoanh</mark> <mark>vùng</mark>" in hit["snippet"]


def test_short_misspelt_word_is_suggested_not_matched(archive: Archive) -> None:
    """`chốg` (four letters) matches nothing, as every short word; the suggestion corrects
    it from the archive's words, spelled as the letters spell it."""
    _add(archive, "Phòng, chống dịch tại cửa khẩu.", "Công tác phòng, chống dịch.")
    result = archive.search("phòng chốg dịch")
    assert result.total == 0
    assert result.suggestion == "phòng chống dịch"
    assert archive.search("phong chog dich").suggestion == "phong chong dich"


def test_no_suggestion_for_words_the_archive_holds(archive: Archive) -> None:
    _add(archive, "Phòng, chống dịch.", "Sửa chữa cầu cống.")
    result = archive.search("dịch cầu")  # each word is there, in different letters
    assert result.total == 0 and result.suggestion is None


def test_one_edit_is_what_meilisearch_counts_as_one_typo() -> None:
    assert {"chong", "chnog", "hcong", "chongs"} <= one_edit("chong") | {"chong"}
    assert within_one_edit("chongg", "chong") and within_one_edit("chnog", "chong")
    assert not within_one_edit("chngo", "chong") and not within_one_edit("chong", "chong" + "xx")


# --- numbers typed loosely ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("1245/CV-TU", "1245.cv.tu"),
        ("1245 CV TU", "1245.cv.tu"),
        ("68 nq cp", "68.nq.cp"),
        ("NQ68", "68.nq"),
        ("68NQ", "68.nq"),
        ("16 CT TTg", "16.ct.ttg"),
        ("số 23/2021/QĐ-TTg", "23.2021.qd.ttg"),
    ],
)
def test_numbers_typed_loosely_are_numbers(query: str, key: str) -> None:
    (number,) = parse_query(query).numbers
    assert number.match_key == key


@pytest.mark.parametrize(
    "query", ["năm 2020", "covid19", "covid 19", "5 đã", "QH15", "H5N1", "ngày 5 tháng 7", "tổ 3"]
)
def test_words_with_digits_are_not_numbers(query: str) -> None:
    parsed = parse_query(query)
    assert parsed.numbers == () and parsed.words


def test_match_keys_ignore_separators_but_keep_runs_apart() -> None:
    assert match_key("1245-CV/TU") == match_key("1245/CV-TU") == match_key("1245 cv tu")
    assert match_key("1/2021/NQ-CP") != match_key("12021/NQ-CP")
    assert match_keys("23/2021/QĐ-TTg") == ("23.2021.qd.ttg", "23.qd.ttg", "23.qd")


# --- the document page ---------------------------------------------------------------------------


def test_page_marks_a_phrase_as_one_run_and_not_its_scattered_words() -> None:
    text = "Khôi phục sản xuất; phục vụ dân. Doanh nghiệp phục hồi, sản xuất ngay."
    marked = highlight(text, '"phục hồi sản xuất"')
    assert marked.count("<mark>") == 1
    assert "<mark>phục hồi, sản xuất</mark>" in marked
    both = highlight(text, '"phục hồi sản xuất" dân')
    assert both.count("<mark>") == 2 and "<mark>dân</mark>" in both


def test_page_highlight_of_a_phrase_stays_linear() -> None:
    paragraph = "phục hồi sản xuất, phục vụ sản xuất; " * 15_000  # one 550 KB paragraph
    start = time.perf_counter()
    marked = highlight(paragraph, '"phục hồi sản xuất" covid19 68/NQ-CP')
    assert marked.count("<mark>") == 15_000
    assert time.perf_counter() - start < 3


# --- the search page ---------------------------------------------------------------------------


def test_search_page_offers_the_suggestion_as_a_link(archive: Archive, client: FlaskClient) -> None:
    _add(archive, "Tăng cường phòng, chống dịch.")
    page = client.get("/?q=phong+chongg+dich").get_data(as_text=True)
    assert 'Có phải bạn muốn tìm: <a href="/?q=phong+chong+dich">phong chong dich</a>' in page
    data = client.get("/api/search?q=phong+chongg+dich").get_json()
    assert data["suggestion"] == "phong chong dich"
    assert client.get("/api/search?q=phong+chong+dich").get_json()["suggestion"] is None


def test_empty_result_is_a_message_not_a_list_item_and_offers_no_csv(
    archive: Archive, client: FlaskClient
) -> None:
    _add(archive, "Tăng cường phòng, chống dịch.")
    empty = client.get("/?q=xyzxyz").get_data(as_text=True)
    assert '<p class="empty">Không tìm thấy văn bản nào.' in empty
    assert '<ol class="hits"' not in empty and "Tải danh sách CSV" not in empty
    found = client.get("/?q=dich").get_data(as_text=True)
    assert '<ol class="hits"' in found and "Tải danh sách CSV" in found


def test_search_page_names_the_word_left_out_and_keeps_the_suggestion(
    archive: Archive, client: FlaskClient
) -> None:
    """Issue 21, point 7: `phòng chốg dịch` shows the letters holding `phòng` and `dịch`,
    says `chốg` was not found, and still offers the corrected query."""
    _add(archive, "Phòng, chống dịch tại cửa khẩu.", "Sửa chữa cầu cống.")
    data = client.get("/api/search?q=phòng+chốg+dịch").get_json()
    assert (data["total"], data["left_out"]) == (1, ["chốg"])
    assert data["suggestion"] == "phòng chống dịch"
    page = client.get("/?q=phòng+chốg+dịch").get_data(as_text=True)
    assert "Không tìm thấy: <del>chốg</del>" in page and "Có phải bạn muốn tìm" in page
    assert client.get("/api/search?q=phòng+dịch").get_json()["left_out"] == []


def test_no_number_panel_for_a_number_typed_in_part(archive: Archive, client: FlaskClient) -> None:
    _add(archive, "Thực hiện Nghị quyết số 68/NQ-CP của Chính phủ.")
    page = client.get("/?q=NQ68").get_data(as_text=True)
    assert "number-panel" not in page and "68/NQ-CP" in page
    assert archive.engine.search(SearchRequest(q="NQ68")).total == 1


def test_number_panel_for_a_number_typed_with_its_separators_swapped(
    archive: Archive, client: FlaskClient
) -> None:
    (bearer,) = _add(archive, "Tăng cường phòng, chống dịch.")  # numbered 1-CV/TU
    citing = archive.add("c.txt", letter("Thực hiện Công văn số 1-CV/TU của Tỉnh ủy.", "7-CV/TU"))
    archive.index()
    panel = client.get("/api/search?q=1/CV-TU").get_json()
    page = client.get("/?q=1/CV-TU").get_data(as_text=True)
    assert 'class="number-panel"' in page and "chưa có trong kho" not in page
    assert (
        f'href="/documents/{bearer}"' in page and f'href="/documents/{citing.document_id}"' in page
    )
    assert panel["hits"][0]["id"] == bearer


def test_api_search_has_the_number_panel_the_page_shows(
    archive: Archive, client: FlaskClient
) -> None:
    """The number panel is part of the search data: `/api/search` returns what the page
    shows, letter for letter, and null where the page shows none."""
    (bearer,) = _add(archive, "Tăng cường phòng, chống dịch.")  # numbered 1-CV/TU
    citing = archive.add("c.txt", letter("Thực hiện Công văn số 1-CV/TU của Tỉnh ủy.", "7-CV/TU"))
    archive.index()
    panel = client.get("/api/search?q=1-CV/TU").get_json()["number"]
    assert panel["number"] == "1-CV/TU" and panel["cited_by_total"] == 1
    assert [d["id"] for d in panel["documents"]] == [bearer]
    assert [c["id"] for c in panel["cited_by"]] == [citing.document_id]
    assert panel["cited_by"][0]["relation"] and panel["documents"][0]["number"] == "1-CV/TU"
    page = client.get("/?q=1-CV/TU").get_data(as_text=True)
    section = page[page.index('class="number-panel"') : page.index("</section>")]
    shown = [int(i) for i in re.findall(r'href="/documents/(\d+)"', section)]
    assert shown == [d["id"] for d in panel["documents"]] + [c["id"] for c in panel["cited_by"]]
    assert f"Số ký hiệu {panel['number']}" in section
    assert f"Được trích dẫn bởi {panel['cited_by_total']} văn bản" in section
    for query in ("dich", "NQ68", "1-CV/TU dich", ""):
        assert client.get("/api/search", query_string={"q": query}).get_json()["number"] is None
        assert "number-panel" not in client.get("/", query_string={"q": query}).get_data(True)
