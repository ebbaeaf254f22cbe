"""Citations: what is cited, how, and which archived letter it is."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from indexer.followup.references import citing
from indexer.language.numbers import number_key
from indexer.letter.citations import find_citations
from tests.conftest import Archive, letter


@pytest.mark.parametrize(
    ("sentence", "relation"),
    [
        ("Căn cứ Nghị quyết số 128/NQ-CP ngày 11/10/2021 của Chính phủ;", "basis"),
        ("Thực hiện Nghị quyết số 128/NQ-CP của Chính phủ, Tỉnh ủy yêu cầu", "implements"),
        (
            "- Tiếp tục triển khai thực hiện tốt Nghị quyết số 128/NQ-CP, ngày 01-7-2021",
            "implements",
        ),
        ("Tiếp theo Công văn số 128/NQ-CP, Thường trực yêu cầu", "follows_up"),
        ("không được trái với chỉ đạo tại Nghị quyết số 128/NQ-CP ngày 11/10/2021", "mentions"),
    ],
)
def test_relation_from_wording(sentence: str, relation: str) -> None:
    (citation,) = find_citations(sentence)
    assert (citation.number.text, citation.relation) == ("128/NQ-CP", relation)


def test_citation_details() -> None:
    (citation,) = find_citations(
        "Tiếp tục chỉ đạo thực hiện tốt Thông báo số 368-TB/TU, ngày 13-8-2021 của Ban Thường vụ "
        "Tỉnh ủy về công tác phòng, chống dịch"
    )
    assert citation.details == {
        "type_word": "Thông báo",
        "date": "2021-08-13",
        "issuer": "Ban Thường vụ Tỉnh ủy",
    }


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Thực hiện NQ 68 của Chính phủ về hỗ trợ người lao động", "68/NQ-CP"),
        ("Nghị quyết 128/NQ-CP về thích ứng an toàn", "128/NQ-CP"),
        ("theo Chỉ thị 16 ngày 31/3/2020 của Thủ tướng Chính phủ", "16/CT-TTg"),
        ("Kết luận 07 của Bộ Chính trị", "07-KL/TW"),
        ("Nghị quyết số 128 / NQ - CP", "128/NQ-CP"),
        ("Công văn số 1879-\nCV/TU", "1879-CV/TU"),
    ],
)
def test_informal_and_broken_forms(text: str, number: str) -> None:
    assert [c.number.text for c in find_citations(text)] == [number]


def test_informal_form_without_issuer_is_not_resolved() -> None:
    assert find_citations("như NQ 68 đã nêu, các địa phương") == []


@pytest.fixture
def twins(archive: Archive) -> dict[str, int]:
    """Two archived letters numbered 12-CV/TU (numbering restarts each term)."""
    old = archive.add("old.txt", letter("Văn bản nhiệm kỳ trước.", "12-CV/TU", "2019-03-04"))
    new = archive.add("new.txt", letter("Văn bản nhiệm kỳ này.", "12-CV/TU", "2021-05-06"))
    assert old.document_id and new.document_id
    return {"old": old.document_id, "new": new.document_id}


def _cited(client: FlaskClient, document_id: int) -> dict[str, object]:
    (cite,) = client.get(f"/api/documents/{document_id}").get_json()["cites"]
    assert isinstance(cite, dict)
    return cite


def test_cited_date_picks_the_letter(
    archive: Archive, client: FlaskClient, twins: dict[str, int]
) -> None:
    by_date = archive.add(
        "a.txt",
        letter(
            "Thực hiện Công văn số 12-CV/TU, ngày 06-5-2021 của Ban Thường vụ Tỉnh ủy.",
            "20-CV/TU",
            "2021-08-01",
        ),
    )
    assert _cited(client, by_date.document_id or 0)["document_id"] == twins["new"]


def test_citing_date_bounds_the_cited_letter(
    archive: Archive, client: FlaskClient, twins: dict[str, int]
) -> None:
    early = archive.add(
        "b.txt",
        letter("Tiếp theo Công văn số 12-CV/TU, Ban Thường vụ yêu cầu.", "30-CV/TU", "2020-01-10"),
    )
    assert _cited(client, early.document_id or 0)["document_id"] == twins["old"]


def test_undecidable_citation_is_ambiguous(
    archive: Archive, client: FlaskClient, twins: dict[str, int]
) -> None:
    undated = archive.add("c.txt", letter("Tiếp theo Công văn số 12-CV/TU, đề nghị thực hiện."))
    cite = _cited(client, undated.document_id or 0)
    assert cite["document_id"] is None
    assert cite["ambiguous"] == [twins["old"], twins["new"]]


def test_references_endpoint(archive: Archive, client: FlaskClient) -> None:
    bearer = archive.add(
        "nq.txt",
        "CHÍNH PHỦ\nSố: 68/NQ-CP\nHà Nội, ngày 01 tháng 7 năm 2021\n\n"
        "NGHỊ QUYẾT\nVề hỗ trợ người lao động\n\nNội dung.",
    )
    formal = archive.add(
        "a.txt",
        letter("Triển khai Nghị quyết số 68/NQ-CP của Chính phủ.", "41-CV/TU", "2021-08-01"),
    )
    informal = archive.add(
        "b.txt", letter("Căn cứ NQ 68 của Chính phủ, Tỉnh ủy yêu cầu.", "42-CV/TU", "2021-09-01")
    )
    body = client.get("/api/references/68/nq-cp").get_json()
    assert body["number"] == "68/NQ-CP"
    assert [d["id"] for d in body["documents"]] == [bearer.document_id]
    relations = {c["id"]: (c["relation"], c["resolves_to"]) for c in body["cited_by"]}
    assert relations == {
        formal.document_id: ("implements", bearer.document_id),
        informal.document_id: ("basis", bearer.document_id),
    }
    assert client.get("/api/references/khong-phai-so").status_code == 400


def test_cited_by_counts_all_and_lists_the_first(archive: Archive, client: FlaskClient) -> None:
    bearer = archive.add("nq.txt", letter("Văn bản gốc.", "50-CV/TU", "2021-01-04"))
    citing_ids = [
        archive.add(f"c{i}.txt", letter(f"Thực hiện Công văn số 50-CV/TU, lần {i}.")).document_id
        for i in range(3)
    ]
    total, first = citing(archive.catalog, number_key("50-CV/TU"), limit=2)
    assert total == 3 and [item["id"] for item in first] == citing_ids[:2]
    assert all(item["resolves_to"] == bearer.document_id for item in first)
    body = client.get(f"/api/documents/{bearer.document_id}").get_json()
    assert body["cited_by_total"] == 3 and len(body["cited_by"]) == 3
