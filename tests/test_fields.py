"""The field table is the one list of fields: every layer shows and takes what it says."""

from __future__ import annotations

import csv
import io
import re

from flask.testing import FlaskClient

from indexer.language.letter import BY_NAME, CSV_COLUMNS, FACET_LABELS, SCALARS, TABLE
from indexer.language.numbers import TYPE_CODES
from indexer.letter.metadata import FIELDS, HEADINGS
from indexer.search import FACETS, HIT_FIELDS
from tests.conftest import Archive, letter
from web.params import parse_search_params


def test_every_layer_takes_its_fields_from_the_table() -> None:
    assert FIELDS == SCALARS and set(SCALARS) <= set(HIT_FIELDS)
    assert tuple(f.facet for f in TABLE if f.facet) == FACETS
    assert FACETS == ("doc_type", "issuer", "province", "year", "signer")
    request = parse_search_params({name: "x" for name in FACETS})
    assert dict(request.filters) == dict.fromkeys(FACETS, "x")


def test_document_page_and_correction_form_follow_the_table(
    archive: Archive, client: FlaskClient, staff: str
) -> None:
    document_id = archive.add("a.txt", letter("Nội dung.", "12-CV/TU", "2021-07-01")).document_id
    archive.index()
    page = client.get(f"/documents/{document_id}").get_data(as_text=True)
    for field in TABLE:
        assert f">{field.label}</" in page, field.name  # a row or a label of the form
        if field.editable:
            assert f'name="{field.name}"' in page
    assert "đọc từ trang 1, tệp văn bản" in page  # where the number was read
    for field in TABLE:  # every field with choices is a choice list, named as on screens
        for choice in field.choices:
            option = re.search(rf'<option value="{re.escape(choice)}"( selected)?>([^<]*)<', page)
            assert option and option[2] == field.shown(choice), (field.name, choice)
    assert '<option value="CV" selected>Công văn (CV)</option>' in page


def test_every_type_code_the_reader_gives_has_a_name() -> None:
    doc_type = BY_NAME["doc_type"]
    assert doc_type.kind == "choice" and doc_type.choices
    for code in {*TYPE_CODES, *HEADINGS.values()}:
        assert code in doc_type.choices and doc_type.shown(code) != code, code
    assert doc_type.shown("CĐ") == "Công điện (CĐ)" and doc_type.shown("XYZ") == "XYZ"


def test_csv_columns_and_facet_labels_come_from_the_table(
    archive: Archive, client: FlaskClient
) -> None:
    archive.add("a.txt", letter("Phòng chống dịch.", "12-CV/TU", "2021-07-01"))
    archive.index()
    rows = list(csv.reader(io.StringIO(client.get("/api/search.csv?q=dich").text.lstrip("\ufeff"))))
    assert rows[0] == ["ID", *(BY_NAME[n].label for n in CSV_COLUMNS), "Tệp gốc", "Đường dẫn"]
    page = client.get("/?q=dich").get_data(as_text=True)
    assert all(label in page for label in FACET_LABELS.values())
