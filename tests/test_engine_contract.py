"""The engine contract: what every search engine must do, the must-pass examples and the
ranking rules. The embedded engine always runs it; Meilisearch runs it too when MEILI_URL
(and its keys, see README) point at a real server, each test in an index of its own
(conftest's `each_engine`).
"""

from __future__ import annotations

import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from indexer.followup.corrections import correct
from indexer.search import HIT_FIELDS, IndexDocument, SearchRequest, leaving_out
from indexer.search.indexing import reindex
from indexer.search.query import parse_query
from indexer.search.steps import Page, no_facets, ordered_facets, rerank
from tests.conftest import Archive, letter


@pytest.fixture
def archive(each_engine: Archive) -> Archive:
    """The archive of conftest, searched by each engine in turn."""
    return each_engine


@pytest.fixture
def letters(archive: Archive) -> dict[str, int]:
    """A small archive: Party and State letters citing each other."""
    texts = {
        "dang": letter(
            "Đảng bộ tỉnh lãnh đạo công tác phòng, chống dịch.", "101-CV/TU", "2021-03-02"
        ),
        "dinh_lap": letter("Tăng cường kiểm soát tại huyện Đình Lập và cửa khẩu.", None, None),
        "hoa_old": letter(
            "Bảo đảm hoà nhịp giữa phòng dịch và sản xuất.", "103-CV/TU", "2021-05-10"
        ),
        "nq68_bearer": "CHÍNH PHỦ\nSố: 68/NQ-CP\nHà Nội, ngày 01 tháng 7 năm 2021\n\n"
        "NGHỊ QUYẾT\nVề một số chính sách hỗ trợ người lao động\n\nNội dung nghị quyết.",
        "cites_68_a": letter(
            "Thực hiện Nghị quyết số 68/NQ-CP ngày 01/7/2021 của Chính phủ về hỗ trợ.",
            "104-CV/TU",
            "2021-07-20",
        ),
        "cites_68_b": letter(
            "Tiếp tục triển khai Nghị quyết 68 / NQ - CP, ngày 01-7-2021 của Chính phủ.",
            "105-CV/TU",
            "2021-09-15",
        ),
        "ban_table": letter("Kê thêm một cái bàn họp cho phòng trực.", "106-CV/TU", "2022-01-04"),
        "ban_sell": letter("Không bán hàng rong trước cổng chợ.", "107-CV/TU", "2022-02-08"),
    }
    ids = {}
    for key, text in texts.items():
        outcome = archive.add(f"{key}.txt", text)
        assert outcome.document_id is not None, outcome.message
        ids[key] = outcome.document_id
    archive.index()
    return ids


def test_accentless_word_finds_accented(archive: Archive, letters: dict[str, int]) -> None:
    assert letters["dang"] in archive.ids("dang")


def test_accentless_place_name(archive: Archive, letters: dict[str, int]) -> None:
    assert archive.ids("Dinh Lap") == [letters["dinh_lap"]]


def test_d_with_stroke_folds_to_d(archive: Archive) -> None:
    road = archive.add("a.txt", letter("Sửa chữa đường giao thông nông thôn."))
    archive.index()
    assert archive.ids("duong giao thong") == [road.document_id]
    assert archive.ids("ĐƯỜNG") == [road.document_id]


def test_word_deep_in_a_long_letter_is_found_once(archive: Archive) -> None:
    filler = "Các cơ quan, đơn vị tiếp tục thực hiện nghiêm các biện pháp đã đề ra. " * 900
    long = archive.add("dai.txt", letter(filler + "\n\nRiêng xã Hữu Kiên báo cáo trước ngày 5."))
    archive.add("ngan.txt", letter("Các cơ quan, đơn vị thực hiện."))
    archive.index()
    result = archive.search("huu kien")
    assert [hit["id"] for hit in result.hits] == [long.document_id] and result.total == 1
    assert archive.search("co quan don vi").total == 2  # each letter once, however long


def test_letter_too_long_for_one_document_is_still_one_letter(archive: Archive) -> None:
    # 280,000 characters: more word positions than Meilisearch indexes in one document.
    filler = "Các cơ quan, đơn vị tiếp tục thực hiện nghiêm các biện pháp đã đề ra. " * 4000
    text = f"Mở đầu: xã Hữu Kiên.\n\n{filler}\n\nRiêng xã Thần Sa báo cáo trước ngày 5."
    long = archive.add("dai.txt", letter(text, "9-CV/TU", "2021-01-02"))
    archive.add("ngan.txt", letter("Các cơ quan, đơn vị thực hiện.", "10-CV/TU", "2022-01-02"))
    archive.index()
    for query in ("huu kien", "than sa", "9-CV/TU"):
        result = archive.search(query)
        assert [hit["id"] for hit in result.hits] == [long.document_id] and result.total == 1
    every = archive.search("co quan don vi")
    assert every.total == 2 and len(every.hits) == 2
    assert every.facets["year"] == {"2021": 1, "2022": 1}  # letters counted, not pieces
    assert archive.search().facets["province"] == {"Bắc Kạn": 2}


def test_query_longer_than_ten_words_still_finds(archive: Archive) -> None:
    wanted = archive.add(
        "a.txt",
        letter("Về việc tăng cường công tác phòng chống dịch bệnh trên địa bàn tỉnh Lạng Sơn."),
    )
    archive.add("b.txt", letter("Họp giao ban tuần."))
    archive.index()
    query = "về việc tăng cường công tác phòng chống dịch bệnh trên địa bàn tỉnh Lạng Sơn"
    assert archive.ids(query) == [wanted.document_id]


def test_tone_placement_variants_match(archive: Archive, letters: dict[str, int]) -> None:
    assert archive.ids("hòa nhịp") == [letters["hoa_old"]]
    assert archive.ids("hoà nhịp") == [letters["hoa_old"]]


def test_nfd_letter_found_by_nfc_query_and_back(archive: Archive) -> None:
    nfd = archive.add(
        "nfd.txt", unicodedata.normalize("NFD", letter("Trạm kiểm soát Nghinh Tường."))
    )
    nfc = archive.add("nfc.txt", letter("Điểm tiêm chủng ở Thần Sa."))
    archive.index()
    assert archive.ids("Nghinh Tường") == [nfd.document_id]
    assert archive.ids(unicodedata.normalize("NFD", "Thần Sa")) == [nfc.document_id]


def test_number_finds_bearer_first_then_every_citing_letter(
    archive: Archive, letters: dict[str, int]
) -> None:
    ids = archive.ids("68/NQ-CP")
    assert ids[0] == letters["nq68_bearer"]
    assert set(ids) == {letters["nq68_bearer"], letters["cites_68_a"], letters["cites_68_b"]}
    assert archive.ids("68/nq-cp") == ids


def test_number_only_in_the_text_is_found_after_bearer_and_citing_letters(
    archive: Archive, letters: dict[str, int]
) -> None:
    """A letter whose header could not be read (no number, its number line not taken as a
    citation) stays findable by the number its text holds, ranked last."""
    hit: dict[str, Any] = dict.fromkeys(HIT_FIELDS)
    hit.update(id=900, filename="ban-chup-mo.pdf", status="ready", references=[], inferred={})
    unread = IndexDocument(
        900, "f" * 64, hit, "Bản chụp mờ.\nSố: 68/NQ-CP\nNội dung.", None, (), ""
    )
    archive.engine.write([unread], [])
    ids = archive.ids("68/NQ-CP")
    assert ids[0] == letters["nq68_bearer"] and ids[-1] == 900
    assert set(ids[1:3]) == {letters["cites_68_a"], letters["cites_68_b"]}
    assert 900 not in archive.ids("69/NQ-CP")


@pytest.mark.parametrize("number", ["1879-CV/TU", "5123/UBND-KGVX", "23/2021/QĐ-TTg"])
def test_number_queries_are_exact(archive: Archive, number: str) -> None:
    bearer = archive.add("bearer.txt", letter("Nội dung.", number, "2021-06-01"))
    citing = archive.add("citing.txt", letter(f"Thực hiện văn bản số {number} của cấp trên."))
    archive.add("other.txt", letter("Văn bản số 1880-CV/TU và 23/2022/QĐ-TTg khác hẳn."))
    archive.index()
    assert archive.ids(number) == [bearer.document_id, citing.document_id]


def test_ref_filter_lists_citing_letters(archive: Archive, letters: dict[str, int]) -> None:
    assert set(archive.ids(ref="68/NQ-CP")) == {letters["cites_68_a"], letters["cites_68_b"]}


def test_exact_accents_rank_first(archive: Archive, letters: dict[str, int]) -> None:
    # Every letter has "BAN" (Ban Thường vụ): the accents typed decide which comes first.
    for query, first, other in (("bàn", "ban_table", "ban_sell"), ("bán", "ban_sell", "ban_table")):
        ranked = archive.ids(query)
        assert ranked[0] == letters[first]
        assert ranked.index(letters[first]) < ranked.index(letters[other])


def test_phrase_match_ranks_above_scattered_words(archive: Archive) -> None:
    scattered = archive.add("a.txt", letter("Người dân ở vùng xanh; phương án bảo vệ mới."))
    together = archive.add("b.txt", letter("Giữ vững vùng xanh, bảo vệ người dân."))
    archive.index()
    assert archive.ids("bao ve nguoi dan")[0] == together.document_id
    assert archive.ids('"bảo vệ người dân"') == [together.document_id]
    assert scattered.document_id in archive.ids("bao ve nguoi dan")


def test_a_quoted_name_finds_the_letter_whose_metadata_holds_it(archive: Archive) -> None:
    """A signer corrected by staff is in the letter's metadata, not its text: a quoted name
    finds it as the same words unquoted do (the embedded engine looked in the text only)."""
    signed = archive.add("a.txt", letter("Nội dung công văn."))
    assert signed.document_id is not None
    correct(archive.catalog, signed.document_id, "cán bộ", {"signer": "Nguyễn Văn Thử"})
    archive.index()
    assert archive.ids("Nguyen Van Thu") == [signed.document_id]
    assert archive.ids('"Nguyễn Văn Thử"') == [signed.document_id]
    assert archive.ids('"nguyen van thu"') == [signed.document_id]


def test_snippet_shows_original_diacritics_marked_and_escaped(archive: Archive) -> None:
    archive.add("x.txt", letter("Huyện Đình Lập <script>alert(1)</script> chống dịch & kiểm soát."))
    archive.index()
    (hit,) = archive.search("dinh lap").hits
    assert "<mark>Đình</mark> <mark>Lập</mark>" in hit["snippet"]
    assert "&lt;script&gt;" in hit["snippet"] and "<script>" not in hit["snippet"]
    assert "&amp;" in hit["snippet"]


def test_number_snippet_marks_the_whole_number(archive: Archive, letters: dict[str, int]) -> None:
    hits = {hit["id"]: hit for hit in archive.search("68/NQ-CP").hits}
    assert "<mark>68/NQ-CP</mark>" in hits[letters["cites_68_a"]]["snippet"]


def test_the_engines_search_the_requests_one_parse(
    archive: Archive, letters: dict[str, int]
) -> None:
    """The query is parsed once, into the request: matching, ranking and snippets read
    `request.parsed`, never the text `q` again."""
    request = SearchRequest(q="dinh lap")
    assert request.parsed == parse_query("dinh lap") and request.parsed is request.parsed
    # A request whose parse says another thing than its text: the parse is what is searched.
    object.__setattr__(request, "parsed", SearchRequest(q="68/NQ-CP").parsed)
    hits = {hit["id"]: hit for hit in archive.engine.search(request).hits}
    assert letters["dinh_lap"] not in hits and letters["cites_68_a"] in hits
    assert "<mark>68/NQ-CP</mark>" in hits[letters["cites_68_a"]]["snippet"]


def test_facets_filters_and_dates(archive: Archive, letters: dict[str, int]) -> None:
    result = archive.search()
    assert result.total == len(letters)
    assert result.facets["province"] == {"Bắc Kạn": 7}
    assert result.facets["year"] == {"2021": 5, "2022": 2}
    assert result.facets["doc_type"]["CV"] == 6
    assert result.facets["signer"] == {"Vũ Minh Quân": 7}
    assert set(archive.ids(filters=(("year", "2022"),))) == {
        letters["ban_table"],
        letters["ban_sell"],
    }
    in_range = archive.ids(date_from=date(2021, 7, 1), date_to=date(2021, 12, 31))
    assert set(in_range) == {letters[k] for k in ("nq68_bearer", "cites_68_a", "cites_68_b")}
    assert archive.ids("dang", filters=(("province", "Hà Nội"),)) == []


def test_letter_known_only_to_its_month_is_browsed_in_that_month(archive: Archive) -> None:
    """A day left blank (`ngày    tháng 4 năm 2021`): the letter stands in April 2021 and in
    2021, not in a range holding only some of April's days, and sorts at the month's start."""
    text = letter("Kế hoạch kiểm tra cuối năm.", "120-CV/TU").replace(
        "ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG CỘNG SẢN VIỆT NAM\nBắc Kạn, ngày      tháng 4 năm 2021"
    )
    april = archive.add("thang4.txt", text).document_id
    dated = archive.add("ngay.txt", letter("Họp chi bộ.", "121-CV/TU", "2021-04-10")).document_id
    may = archive.add("thang5.txt", letter("Họp giao ban.", "122-CV/TU", "2021-05-03")).document_id
    archive.index()
    hit = archive.search("ke hoach kiem tra").hits[0]
    assert (hit["date"], hit["date_month"], hit["id"]) == (None, "2021-04", april)
    whole_april = archive.ids(date_from=date(2021, 4, 1), date_to=date(2021, 4, 30))
    assert set(whole_april) == {april, dated}
    assert set(archive.ids(date_from=date(2021, 1, 1), date_to=date(2021, 12, 31))) == {
        april, dated, may
    }
    assert archive.ids(date_from=date(2021, 4, 5), date_to=date(2021, 4, 12)) == [dated]
    assert archive.ids(date_from=date(2021, 4, 15)) == [may]
    assert archive.search().facets["year"] == {"2021": 3}
    oldest_first = archive.ids(sort="date_asc")
    assert oldest_first == [april, dated, may]


def test_missing_filter_lists_letters_without_that_value(
    archive: Archive, letters: dict[str, int]
) -> None:
    outcome = archive.add("khong-ro.txt", "Đề nghị các xã rà soát danh sách hộ nghèo.")
    archive.index()
    assert sum(archive.search().facets["issuer"].values()) == len(letters)
    assert archive.ids(missing=("issuer",)) == [outcome.document_id]  # what no facet counts
    assert set(archive.ids(missing=("year",))) == {letters["dinh_lap"], outcome.document_id}
    assert archive.ids("ra soat", missing=("year",)) == [outcome.document_id]
    assert archive.ids(missing=("year",), filters=(("province", "Bắc Kạn"),)) == [
        letters["dinh_lap"]
    ]


def test_sort_and_paging(archive: Archive, letters: dict[str, int]) -> None:
    newest = archive.ids(sort="date_desc")
    assert newest[:2] == [letters["ban_sell"], letters["ban_table"]]
    oldest = archive.ids(sort="date_asc")
    assert oldest[0] == letters["dang"]
    assert newest[-1] == letters["dinh_lap"] and oldest[-1] == letters["dinh_lap"]  # undated last
    page_two = archive.engine.search(SearchRequest(sort="date_desc", page=2, per_page=3))
    assert [hit["id"] for hit in page_two.hits] == newest[3:6]
    assert page_two.total == len(letters)


def test_no_facet_counts_when_none_are_asked(archive: Archive, letters: dict[str, int]) -> None:
    counted = archive.search("dang", per_page=100)
    bare = archive.search("dang", per_page=100, facet_values=0)
    assert bare.facets == {name: {} for name in counted.facets}
    assert (bare.total, [h["id"] for h in bare.hits]) == (
        counted.total,
        [h["id"] for h in counted.hits],
    )


UNSAFE = [
    '"',
    '"unclosed phrase',
    "(((",
    "a) OR (b",
    "*",
    "-",
    "- dịch",
    "AND",
    "NEAR",
    "dịch AND NOT",
    "title:foo",
    "field:[1 TO",
    "😀🇻🇳",
    "\\",
    "'; DROP TABLE documents; --",
    "x" * 2000,
    "phòng " * 400,
    "\x00\x01",
]


@pytest.mark.parametrize("query", UNSAFE)
def test_any_input_is_safe(archive: Archive, letters: dict[str, int], query: str) -> None:
    result = archive.search(query)
    assert result.total >= 0
    assert letters  # the archive is not empty, so a match-all would show


def test_star_does_not_match_everything(archive: Archive, letters: dict[str, int]) -> None:
    assert archive.search("*").total == 0


def test_reindex_rebuilds_from_catalog(archive: Archive, letters: dict[str, int]) -> None:
    before = archive.ids("dang")
    archive.engine.rebuild([])
    assert archive.search().total == 0
    assert reindex(archive.catalog, archive.engine) == len(letters)
    assert archive.ids("dang") == before


def test_snippets_of_a_very_long_letter_stay_bounded(archive: Archive) -> None:
    """A match deep in a long letter is shown, and no snippet grows with the letter (the
    embedded engine looks in the first million characters, then shows the opening)."""
    filler = "Nội dung báo cáo tuần được lặp lại nhiều lần. " * 8000  # ~370,000 characters
    near = archive.add("dai.txt", letter(filler + "Kiểm soát dịch tả lợn châu Phi.", "1-BC/TU"))
    far = archive.add("rat-dai.txt", letter(filler * 3 + "Dịch tả lợn châu Phi.", "2-BC/TU"))
    archive.index()
    hits = {hit["id"]: hit["snippet"] for hit in archive.search("ta lon chau phi").hits}
    assert "<mark>tả</mark> <mark>lợn</mark>" in hits[near.document_id]
    assert far.document_id in hits and len(hits[far.document_id]) < 2000  # a snippet, bounded


def test_ids_are_every_letter_indexed(archive: Archive, letters: dict[str, int]) -> None:
    assert archive.engine.ids() == set(letters.values())
    archive.engine.write([], [letters["dang"]])
    assert archive.engine.ids() == set(letters.values()) - {letters["dang"]}


def test_an_index_of_another_schema_is_rebuilt_by_itself(tmp_path: Path) -> None:
    """An index left by an older version (another schema) no longer locks anyone out: it
    is set aside, and the next write fills a new one from the catalog."""
    import tantivy

    from archive.catalog import Catalog
    from archive.settings import Settings
    from archive.store import OriginalStore
    from indexer.intake.pipeline import ingest_bytes
    from indexer.search.factory import open_engine
    from indexer.search.indexing import apply_pending

    settings = Settings(data_dir=tmp_path / "data")
    with Catalog(settings.catalog_path) as catalog:
        data = letter("Phòng chống dịch tại cửa khẩu.", "1-CV/TU").encode()
        ingest_bytes(catalog, OriginalStore(settings.originals_dir), data, "a.txt")
        old = tantivy.SchemaBuilder()
        old.add_text_field("body", stored=True)
        settings.index_dir.mkdir(parents=True)
        tantivy.Index(old.build(), path=str(settings.index_dir))
        engine = open_engine(settings)
        assert engine.needs_rebuild()
        assert apply_pending(catalog, engine) == 1 and not engine.needs_rebuild()
        assert len(engine.search(SearchRequest(q="phong chong dich")).hits) == 1


# --- forgiving search (issue 14) ------------------------------------------------------------
# Both engines match words of five letters or more with one typo (on the folded form) and
# rank every exact match above them. Meilisearch does so always; the embedded engine only
# when exact matching finds few letters (tests/test_search_forgiving.py), which is what
# these archives hold.


def test_long_word_with_a_typo_is_found_after_exact_matches(archive: Archive) -> None:
    exact = archive.add("a.txt", letter("Khoanh vùng ổ dịch tại xã Thần Sa.", "1-CV/TU"))
    typo = archive.add("b.txt", letter("Khoảng cách an toàn trong vùng dịch.", "2-CV/TU"))
    archive.add("c.txt", letter("Họp giao ban tuần.", "3-CV/TU"))
    archive.index()
    assert archive.ids("khoanh") == [exact.document_id, typo.document_id]
    # Accents typed rank exact-accent letters first, but never a typo match first.
    plain = archive.add("d.txt", letter("Khoanh vung o dich (van ban go khong dau).", "4-CV/TU"))
    archive.index()
    ranked = archive.ids("khoanh vùng dịch")
    assert ranked == [exact.document_id, plain.document_id, typo.document_id]
    assert archive.ids("khoangg") == [typo.document_id]  # one typo from "khoảng" alone


def test_a_typo_with_diacritics_is_found(archive: Archive) -> None:
    wanted = archive.add("a.txt", letter("Tăng cường kiểm soát phòng, chống dịch.", "1-CV/TU"))
    archive.add("b.txt", letter("Họp giao ban tuần.", "2-CV/TU"))
    archive.index()
    for query in ("phong chongg dich", "tăng cuờngg", "kiểm sóat", "kiêm soats"):
        assert archive.ids(query) == [wanted.document_id], query


def test_short_words_stay_exact(archive: Archive) -> None:
    archive.add("a.txt", letter("Phòng, chống dịch bệnh.", "1-CV/TU"))
    archive.index()
    assert archive.ids("dinh") == []  # "dịch" is one letter away, but short
    assert archive.ids("phong chongg dicg") == []


def test_misspelt_query_carries_a_corrected_suggestion(archive: Archive) -> None:
    archive.add("a.txt", letter("Tăng cường phòng, chống dịch Covid-19.", "1-CV/TU"))
    archive.add("b.txt", letter("Công tác phòng, chống dịch tại cửa khẩu.", "2-CV/TU"))
    archive.index()
    assert archive.search("phong chongg dich").suggestion == "phong chong dich"
    assert archive.search("phòng chốngg dịch").suggestion == "phòng chống dịch"
    assert archive.search("phong chong dich").suggestion is None  # nothing to correct


def test_digits_glued_to_letters_match_apart_and_back(archive: Archive) -> None:
    dashed = archive.add("a.txt", letter("Phòng chống dịch Covid-19 tại xã.", "1-CV/TU"))
    glued = archive.add("b.txt", letter("Tiêm vắc xin covid19 cho người dân.", "2-CV/TU"))
    spaced = archive.add("c.txt", letter("Sau đại dịch covid 19, khôi phục.", "3-CV/TU"))
    archive.add("d.txt", letter("Covid kéo dài 19 ngày.", "4-CV/TU"))  # apart: no match
    archive.index()
    every = {dashed.document_id, glued.document_id, spaced.document_id}
    assert set(archive.ids("covid19")) == every
    assert set(archive.ids("covid 19")) >= every  # and the letter with both words apart


@pytest.mark.parametrize("query", ["1245/CV-TU", "1245 CV TU", "1245 cv tu", "1245-cv-tu"])
def test_number_found_whatever_its_separators(archive: Archive, query: str) -> None:
    citing = archive.add("b.txt", letter("Thực hiện Công văn số 1245-CV/TU của Tỉnh ủy."))
    bearer = archive.add("a.txt", letter("Nội dung.", "1245-CV/TU", "2021-06-01"))
    archive.add("c.txt", letter("Công văn số 1246-CV/TU và 245-CV/TU khác hẳn.", "9-CV/TU"))
    archive.add("d.txt", letter("Có 1245 hộ dân; CV gửi các chi bộ.", "10-CV/TU"))  # words apart
    archive.index()
    assert archive.ids(query) == [bearer.document_id, citing.document_id]


@pytest.mark.parametrize("query", ["NQ68", "nq68", "68 NQ CP", "68 nq", "68NQ"])
def test_number_typed_loosely_finds_bearer_then_citing(
    archive: Archive, letters: dict[str, int], query: str
) -> None:
    archive.add("apart.txt", letter("Tổ 68 họp; NQ của chi bộ gửi CP.", "110-CV/TU"))  # words apart
    archive.index()
    ids = archive.ids(query)
    assert ids[0] == letters["nq68_bearer"]
    assert set(ids) == {letters["nq68_bearer"], letters["cites_68_a"], letters["cites_68_b"]}


def test_words_with_numbers_stay_words(archive: Archive) -> None:
    """`năm 2020` is two words, not a number 2020/…: it finds the letter that says it."""
    year = archive.add("a.txt", letter("Kết quả thực hiện năm 2020 của tỉnh.", "7-BC/TU"))
    archive.add("b.txt", letter("Kế hoạch năm 2021 của tỉnh.", "8-KH/TU"))
    archive.index()
    assert archive.ids("năm 2020") == [year.document_id]
    assert archive.ids("2020 năm") == [year.document_id]


def test_phrase_snippet_marks_the_phrase_where_it_stands(archive: Archive) -> None:
    scattered = "Khôi phục niềm tin, sản xuất nông nghiệp, phục vụ người dân. " * 5
    text = scattered + "Các doanh nghiệp phục hồi sản xuất ngay sau dịch."
    archive.add("a.txt", letter(text, "1-CV/TU"))
    archive.index()
    (hit,) = archive.search('"phục hồi sản xuất"').hits
    assert "<mark>phục hồi sản xuất</mark>" in hit["snippet"]
    assert hit["snippet"].count("<mark>") == 1  # the scattered words are not the phrase


# --- the steps both engines share (indexer/search/steps.py) --------------------------------


def test_a_page_across_lists_ranked_one_after_another() -> None:
    """Bearers, then citing letters, then letters holding the number: each list fills what
    the lists before it left of the page."""
    page = Page.of(SearchRequest(page=3, per_page=10))
    assert page == Page(20, 10) and page.cut(list(range(25))) == [20, 21, 22, 23, 24]
    assert page.after(before=25, shown=5) == Page(0, 5)  # 25 bearers, 5 on this page
    assert page.after(before=3, shown=0) == Page(17, 10)  # 3 bearers, all on page 1
    assert page.after(before=30, shown=10).limit == 0  # the page is full
    assert Page(190, 10).reranked and not Page(191, 10).reranked


def test_facets_by_count_then_value_and_bonuses_after_what_ranks_first() -> None:
    counts = {"issuer": {"b": 2, "a": 2, "c": 5}}
    assert ordered_facets(counts, 2) == {**no_facets(), "issuer": {"c": 5, "a": 2}}
    scores = {1: 3.0, 2: 2.0, 3: 1.0}
    assert rerank([1, 2, 3], scores, [{3: 2.5}]) == [3, 1, 2]
    assert rerank([1, 2, 3], scores, [{3: 2.5}], lambda i: (int(i != 2),)) == [2, 3, 1]


def _leaving_out(archive: Archive, q: str) -> tuple[list[int], tuple[str, ...]]:
    found = leaving_out.search(archive.engine, SearchRequest(q=q, per_page=100))
    return [hit["id"] for hit in found.hits], found.left_out


def test_a_word_that_matches_nothing_is_left_out_and_named(
    archive: Archive, letters: dict[str, int]
) -> None:
    """Issue 21, point 7: a slip in a word too short for typos ("chốg") no longer empties
    the answer: the letters matching the other words, and the word named."""
    assert archive.ids("phòng chốg dịch") == []  # every word must match
    ids, left_out = _leaving_out(archive, "phòng chốg dịch")
    assert left_out == ("chốg",)
    assert set(ids) == set(archive.ids("phòng dịch")) and letters["dang"] in ids
    ids, left_out = _leaving_out(archive, "kiem soat zqxw huyen")
    assert (ids, left_out) == ([letters["dinh_lap"]], ("zqxw",))


def test_words_that_each_match_but_not_together_leave_one_out(
    archive: Archive, letters: dict[str, int]
) -> None:
    assert archive.ids("hàng rong khẩu") == [] and archive.ids("khẩu")  # each word matches
    assert _leaving_out(archive, "hàng rong khẩu") == ([letters["ban_sell"]], ("khẩu",))
    assert _leaving_out(archive, "hàng rong cửa khẩu") == ([], ())  # one word out: nothing


def test_nothing_is_left_out_of_a_query_that_finds_or_of_a_number(
    archive: Archive, letters: dict[str, int]
) -> None:
    assert _leaving_out(archive, "phong chong dich")[1] == ()
    assert _leaving_out(archive, "99/NQ-CP chống dịch") == ([], ())  # numbers stay exact
    assert _leaving_out(archive, "zqxw wqzx") == ([], ())  # no word to keep
    assert _leaving_out(archive, "zqxw") == ([], ())
