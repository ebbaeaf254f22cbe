"""Manual correction: the extracted value is kept, every change is history, and corrections
survive reindexing and re-extraction."""

from __future__ import annotations

import sqlite3

import pytest
from flask.testing import FlaskClient

from archive.catalog.letter import letter_to_json
from indexer.intake.pipeline import read_letter
from indexer.pages.extract import extract
from indexer.search.indexing import reindex
from tests.conftest import STAFF_NAME, Archive, letter

HEADERLESS = (
    "Kính gửi: Các sở.\n\nKiểm soát tại huyện Đình Lập.\n\n"
    "T/M BAN THƯỜNG VỤ\nBÍ THƯ\n\nVũ Minh Quân"
)


@pytest.fixture
def document_id(archive: Archive) -> int:
    outcome = archive.add("thu.txt", HEADERLESS)
    archive.index()
    assert outcome.document_id is not None
    return outcome.document_id


def patch(client: FlaskClient, document_id: int, payload: object):  # type: ignore[no-untyped-def]
    """PATCH as the signed-in staff member (the `staff` fixture), with the CSRF header."""
    token = client.get("/api/session").get_json()["csrf_token"]
    return client.patch(
        f"/api/documents/{document_id}", json=payload, headers={"X-CSRFToken": token}
    )


def test_correction_is_recorded_and_extracted_value_kept(
    archive: Archive, client: FlaskClient, staff: str, document_id: int
) -> None:
    before = client.get(f"/api/documents/{document_id}").get_json()
    assert before["province"] == "Lạng Sơn" and "province" in before["inferred"]
    response = patch(
        client,
        document_id,
        {"fields": {"province": "Cao Bằng", "number": "77 - CV/TU", "date": "2021-09-30"}},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["province"], body["number"], body["date"]) == (
        "Cao Bằng",
        "77-CV/TU",
        "2021-09-30",
    )
    assert "province" not in body["inferred"]
    history = {c["field"]: c for c in body["corrections"]}
    assert history["province"]["old_value"] == "Lạng Sơn"
    assert history["province"]["new_value"] == "Cao Bằng"
    assert history["number"]["old_value"] is None and history["province"]["author"] == STAFF_NAME
    assert history["province"]["corrected_at"]
    read = archive.catalog.as_read(document_id)
    assert read is not None and letter_to_json(read)["province"] == "Lạng Sơn"  # extraction kept


def test_unchanged_values_are_not_recorded(
    client: FlaskClient, staff: str, document_id: int
) -> None:
    body = patch(client, document_id, {"fields": {"signer": "Vũ Minh Quân"}}).get_json()
    assert body["corrections"] == []


def test_corrections_are_append_only(
    archive: Archive, client: FlaskClient, staff: str, document_id: int
) -> None:
    patch(client, document_id, {"fields": {"subject": "V/v kiểm soát biên giới"}})
    for statement in ("UPDATE corrections SET author = 'x'", "DELETE FROM corrections"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            archive.catalog.db.execute(statement)


def test_search_follows_corrections_at_once_and_after_reindex(
    archive: Archive, client: FlaskClient, staff: str, document_id: int
) -> None:
    patch(
        client, document_id, {"fields": {"province": "Cao Bằng", "subject": "V/v chốt kiểm dịch"}}
    )
    assert client.get("/api/search?province=Cao+Bằng").get_json()["total"] == 1
    assert client.get("/api/search?q=chot+kiem+dich").get_json()["total"] == 1
    reindex(archive.catalog, archive.engine)
    assert archive.search(filters=(("province", "Cao Bằng"),)).total == 1


def test_corrections_survive_reextraction(
    archive: Archive, client: FlaskClient, staff: str, document_id: int
) -> None:
    patch(client, document_id, {"fields": {"signer_title": "Phó Bí thư"}})
    data = (HEADERLESS + "\n").encode()
    archive.catalog.replace_extraction(
        document_id, read_letter("thu.txt", data, "0" * 64, extract("thu.txt", data))
    )
    body = client.get(f"/api/documents/{document_id}").get_json()
    assert body["signer_title"] == "Phó Bí thư"
    assert body["text"].startswith("Kính gửi")


def test_corrected_number_moves_cited_by(
    archive: Archive, client: FlaskClient, staff: str, document_id: int
) -> None:
    citing = archive.add(
        "cite.txt",
        letter("Thực hiện Công văn số 77-CV/TU của Ban Thường vụ.", "80-CV/TU", "2021-10-01"),
    )
    patch(client, document_id, {"fields": {"number": "77-CV/TU"}})
    body = client.get(f"/api/documents/{document_id}").get_json()
    assert [c["id"] for c in body["cited_by"]] == [citing.document_id]


def test_a_month_alone_is_taken_as_vietnamese_write_it(
    client: FlaskClient, staff: str, document_id: int
) -> None:
    body = patch(client, document_id, {"fields": {"date_month": "tháng 4/2021"}}).get_json()
    assert (body["date"], body["date_month"]) == (None, "2021-04")
    listed = client.get("/api/search?date_from=2021-04-01&date_to=2021-04-30").get_json()
    assert [hit["id"] for hit in listed["hits"]] == [document_id]  # search follows at once
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "tháng 04/2021, chưa rõ ngày" in page


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"fields": {"date": "31/9/2021"}}, 400, "YYYY-MM-DD"),  # no 31 September
        ({"fields": {"date_month": "13/2021"}}, 400, "tháng/năm"),
        ({"fields": {"colour": "đỏ"}}, 400, "colour"),
        ({"fields": {"number": "không số"}}, 400, "số, ký hiệu"),
        ({"fields": {"authority": "TM"}}, 400, "Thẩm quyền ký: một trong"),
        ({"fields": {"issuer_body": "Hợp tác xã"}}, 400, "Loại cơ quan: một trong"),
        ({"fields": {"references": "68/NQ-CP"}}, 400, "danh sách"),
        ({"author": "A"}, 400, "fields"),
    ],
)
def test_bad_corrections_are_refused(
    client: FlaskClient,
    staff: str,
    document_id: int,
    payload: dict[str, object],
    status: int,
    message: str,
) -> None:
    response = patch(client, document_id, payload)
    assert response.status_code == status and message in response.get_json()["error"]
    assert client.get(f"/api/documents/{document_id}").get_json()["corrections"] == []


def test_missing_document_is_404(client: FlaskClient, staff: str) -> None:
    assert patch(client, 42, {"fields": {}}).status_code == 404


def test_corrections_need_a_staff_account_and_a_csrf_token(
    archive: Archive, client: FlaskClient, document_id: int
) -> None:
    anonymous = client.patch(
        f"/api/documents/{document_id}", json={"fields": {"province": "Cao Bằng"}}
    )
    assert anonymous.status_code == 400  # no CSRF token: refused before anything else
    token = client.get("/api/session").get_json()["csrf_token"]
    anonymous = client.patch(
        f"/api/documents/{document_id}",
        json={"fields": {"province": "Cao Bằng"}},
        headers={"X-CSRFToken": token},
    )
    assert anonymous.status_code == 401 and "đăng nhập" in anonymous.get_json()["error"]
    form = client.post(
        f"/documents/{document_id}/corrections", data={"province": "X", "csrf_token": token}
    )
    assert form.status_code == 302 and "/dang-nhap" in form.headers["Location"]
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "Đăng nhập</a> bằng tài khoản cán bộ để sửa" in page and 'name="province"' not in page
    assert archive.catalog.corrections_of(document_id) == []


def test_correction_form_and_history_on_the_page(
    client: FlaskClient, staff: str, document_id: int
) -> None:
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert "suy luận từ: huyện Đình Lập" in page and "Chưa có sửa đổi nào." in page
    response = client.post(
        f"/documents/{document_id}/corrections",
        data={
            "csrf_token": staff,
            "province": "Cao Bằng",
            "references": "68/NQ-CP\n128 / NQ - CP\n",
        },
    )
    assert response.status_code == 303
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    assert STAFF_NAME in page and "Cao Bằng" in page and "128/NQ-CP" in page
    assert "suy luận từ: huyện Đình Lập" not in page
    refused = client.post(
        f"/documents/{document_id}/corrections", data={"csrf_token": staff, "date": "hôm qua"}
    )
    assert refused.status_code == 400 and "Không lưu được" in refused.get_data(as_text=True)


def test_a_batch_of_letters_is_corrected_at_once_or_not_at_all(
    archive: Archive, client: FlaskClient, staff: str, document_id: int
) -> None:
    other = archive.add("thu2.txt", HEADERLESS.replace("Đình Lập", "Chi Lăng")).document_id
    token = client.get("/api/session").get_json()["csrf_token"]
    fields = {"issuer": "Tỉnh ủy Lạng Sơn", "issuer_body": "Tỉnh ủy"}
    refused = client.post(
        "/api/corrections",
        json={"ids": [document_id, other, 4242], "fields": fields},
        headers={"X-CSRFToken": token},
    )
    assert refused.status_code == 400 and "#4242" in refused.get_json()["error"]
    assert archive.catalog.corrections_of(document_id) == []  # nothing written
    done = client.post(
        "/api/corrections",
        json={"ids": [document_id, other], "fields": fields},
        headers={"X-CSRFToken": token},
    )
    assert done.status_code == 200
    assert done.get_json()["changed"] == {str(document_id): ["issuer", "issuer_body"],
                                           str(other): ["issuer", "issuer_body"]}  # fmt: skip
    found = client.get("/api/search", query_string={"issuer": "Tỉnh ủy Lạng Sơn"}).get_json()
    assert {hit["id"] for hit in found["hits"]} == {document_id, other}


def test_batch_correction_from_the_command_line(
    archive: Archive, document_id: int, capsys: pytest.CaptureFixture[str]
) -> None:
    from web.cli import main

    data = str(archive.settings.data_dir)
    archive.catalog.close()
    argv = ["--data", data, "correct", str(document_id), "--author", "Lê An"]
    assert main([*argv, "--set", "date=31/9/2021"]) == 1
    assert "Ngày ban hành: cần ngày dạng YYYY-MM-DD" in capsys.readouterr().err
    assert main([*argv, "--set", "date=30/9/2021", "--set", "references=68/NQ-CP;128/NQ-CP"]) == 0
    assert f"văn bản #{document_id}: Ngày ban hành, Văn bản trích dẫn" in capsys.readouterr().out
