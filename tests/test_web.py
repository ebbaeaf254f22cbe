"""The Flask app: JSON API shapes, HTML pages and their JSON twins, escaping."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from indexer.search import HIT_FIELDS
from tests.conftest import Archive, letter
from tests.test_engine_contract import UNSAFE

API_HIT_FIELDS = {
    "id",
    "number",
    "doc_type",
    "issuer",
    "issuer_body",
    "province",
    "place",
    "date",
    "date_not_before",
    "subject",
    "signer",
    "signer_title",
    "authority",
    "references",
    "filename",
    "snippet",
}


@pytest.fixture
def ids(archive: Archive) -> dict[str, int]:
    cited = archive.add(
        "cited.txt", letter("Văn bản gốc về phòng dịch.", "368-TB/TU", "2021-08-13")
    )
    citing = archive.add(
        "citing.txt",
        letter(
            "Thực hiện Thông báo số 368-TB/TU, ngày 13-8-2021 của Ban Thường vụ Tỉnh ủy "
            "và Nghị quyết số 68/NQ-CP. <script>alert('x')</script> tại huyện Đình Lập.",
            "412-CV/TU",
            "2021-09-01",
        ),
    )
    archive.index()
    assert cited.document_id and citing.document_id
    return {"cited": cited.document_id, "citing": citing.document_id}


def test_search_api_shape(client: FlaskClient, ids: dict[str, int]) -> None:
    body = client.get("/api/search?q=dinh+lap").get_json()
    assert set(body) == {"total", "page", "per_page", "hits", "facets", "suggestion", "left_out",
                         "number"}
    assert body["total"] == 1 and body["page"] == 1 and body["per_page"] == 20
    assert set(body["facets"]) == {"province", "issuer", "doc_type", "year", "signer"}
    (hit,) = body["hits"]
    assert set(hit) >= API_HIT_FIELDS and set(HIT_FIELDS) <= set(hit)
    assert hit["id"] == ids["citing"]
    assert hit["number"] == "412-CV/TU" and hit["date"] == "2021-09-01"
    assert hit["references"] == ["368-TB/TU", "68/NQ-CP"]
    assert hit["place"] == "Bắc Kạn" and hit["filename"] == "citing.txt"
    assert "<mark>Đình</mark>" in hit["snippet"]


def test_browse_without_query_lists_all_newest_first(
    client: FlaskClient, ids: dict[str, int]
) -> None:
    body = client.get("/api/search").get_json()
    assert [hit["id"] for hit in body["hits"]] == [ids["citing"], ids["cited"]]


def test_document_api(client: FlaskClient, archive: Archive, ids: dict[str, int]) -> None:
    body = client.get(f"/api/documents/{ids['citing']}").get_json()
    assert "Thực hiện Thông báo số 368-TB/TU" in body["text"]
    assert body["cites"][0]["number"] == "368-TB/TU"
    assert body["cites"][0]["document_id"] == ids["cited"]
    assert body["cites"][0]["relation"] == "implements"
    assert body["cites"][1] == {
        "number": "68/NQ-CP",
        "document_id": None,
        "ambiguous": [],
        "relation": "implements",
        "type_word": "Nghị quyết",
    }
    record = archive.catalog.document(ids["citing"])
    assert record is not None
    assert body["file"] == {
        "filename": "citing.txt",
        "sha256": record.sha256,
        "size": record.size,
        "mime": "text/plain; charset=utf-8",
        "pages": None,
        "extraction": "txt:utf-8",
        "ingested_at": record.ingested_at,
    }
    cited = client.get(f"/api/documents/{ids['cited']}").get_json()
    assert [c["id"] for c in cited["cited_by"]] == [ids["citing"]]
    assert cited["cited_by"][0]["relation"] == "implements"
    # the citing letter's own date, not the date it gives for the letter it cites
    assert cited["cited_by"][0]["date"] == "2021-09-01"
    assert cited["cited_by"][0]["citation"]["date"] == "2021-08-13"


def test_original_bytes_and_type(
    client: FlaskClient, archive: Archive, ids: dict[str, int]
) -> None:
    record = archive.catalog.document(ids["cited"])
    assert record is not None
    with client.get(f"/api/documents/{ids['cited']}/original", buffered=True) as response:
        assert response.status_code == 200
        assert response.data == archive.store.read(record.sha256)
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
        assert response.headers["X-Content-SHA256"] == record.sha256


def test_health(client: FlaskClient, ids: dict[str, int]) -> None:
    assert client.get("/api/health").get_json() == {
        "status": "ok",
        "engine": "tantivy",
        "engine_available": True,
        "engine_message": None,
        "documents": 2,
        "indexed": 2,
        "pending": 0,
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date_from=2021-13-01", "Từ ngày (date_from)"),
        ("sort=random", "Sắp xếp (sort)"),
        ("page=0", "Trang (page)"),
        ("per_page=abc", "Số văn bản mỗi trang (per_page)"),
        ("date_from=2022-01-01&date_to=2021-01-01", "Từ ngày (date_from)"),
    ],
)
def test_bad_parameters_are_400(client: FlaskClient, query: str, message: str) -> None:
    """Named as the search form names them (a person reads the page), then as the URL."""
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400 and message in response.get_json()["error"]
    page = client.get(f"/?{query}")
    assert page.status_code == 400 and "Tham số không hợp lệ" in page.get_data(as_text=True)
    assert message in page.get_data(as_text=True)


def test_per_page_is_capped(client: FlaskClient, ids: dict[str, int]) -> None:
    assert client.get("/api/search?per_page=500").get_json()["per_page"] == 100


@pytest.mark.parametrize("query", UNSAFE)
def test_unsafe_queries_never_error(client: FlaskClient, ids: dict[str, int], query: str) -> None:
    assert client.get("/api/search", query_string={"q": query}).status_code == 200
    assert client.get("/", query_string={"q": query}).status_code == 200


def test_search_page_renders_results_and_links_json(
    client: FlaskClient, ids: dict[str, int]
) -> None:
    html = client.get("/?q=dinh+lap").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "412-CV/TU" in html and "<mark>Đình</mark> <mark>Lập</mark>" in html
    assert 'href="/api/search?q=dinh+lap"' in html
    assert "Bắc Kạn" in html  # facet sidebar


def test_letter_html_is_inert(client: FlaskClient, ids: dict[str, int]) -> None:
    for url in (f"/documents/{ids['citing']}", "/?q=script", "/?q=alert"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html
    page = client.get(f"/documents/{ids['citing']}").get_data(as_text=True)
    assert "&lt;script&gt;alert(" in page and "&lt;/script&gt;" in page


def test_document_page(client: FlaskClient, ids: dict[str, int]) -> None:
    html = client.get(f"/documents/{ids['cited']}").get_data(as_text=True)
    assert "368-TB/TU" in html
    assert "Được trích dẫn bởi 1 văn bản" in html
    assert f'href="/documents/{ids["citing"]}"' in html
    assert f'href="/api/documents/{ids["cited"]}"' in html
    assert f'href="/api/documents/{ids["cited"]}/original?download=1"' in html


def test_missing_document_is_404(client: FlaskClient, ids: dict[str, int]) -> None:
    assert client.get("/api/documents/999").status_code == 404
    assert client.get("/api/documents/999/original").status_code == 404
    assert "Không tìm thấy" in client.get("/documents/999").get_data(as_text=True)


def test_highlight_marks_every_match_in_a_long_paragraph() -> None:
    from web.highlight import highlight

    paragraph = "Đường phố đông đúc, đường làng yên tĩnh; " * 20_000  # one 800 KB paragraph
    marked = highlight(paragraph, "duong")
    assert marked.count("<mark>") == 40_000
    assert marked.startswith("<mark>Đường</mark> phố đông đúc, <mark>đường</mark> làng")
