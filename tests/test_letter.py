"""The typed letter: its fields are the field table's, and the catalog's JSON of it is kept
byte for byte through `Letter` and back; the letter as held lays inference and corrections."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import get_type_hints

import pytest

from archive.catalog import Catalog
from archive.catalog.letter import held, letter_from_json, letter_to_json
from archive.catalog.schema import SCHEMA_VERSION
from indexer.intake.pipeline import read_letter
from indexer.language.letter import TABLE, Inferred, Letter
from indexer.language.numbers import DocumentNumber, held_number
from indexer.pages.extract import extract
from tests.conftest import Archive, letter
from web.cli import main

KIND_TYPES = {
    "number": DocumentNumber | None,
    "text": str | None,
    "date": str | None,
    "month": str | None,
    "choice": str | None,
}


def test_the_letter_is_the_field_table() -> None:
    names = [f.name for f in dataclasses.fields(Letter)]
    assert names[: len(TABLE)] == [field.name for field in TABLE]
    hints = get_type_hints(Letter)
    for field in TABLE:
        if field.kind == "list":
            want = tuple[DocumentNumber, ...] if field.name == "references" else tuple[str, ...]
        else:
            want = KIND_TYPES[field.kind]
        assert hints[field.name] == want, field.name
    assert "provenance" in names and "inferred" not in names  # kept apart from the fields


def _stored(catalog: Catalog) -> list[str]:
    return [row[0] for row in catalog.db.execute("SELECT metadata FROM documents ORDER BY id")]


def test_the_catalog_json_goes_through_the_letter_unchanged(
    sample_files: list[Path], tmp_path: Path
) -> None:
    """Every sample letter's stored JSON, read as a `Letter` and written again, is the same
    text: the typed letter changed nothing the catalog holds."""
    data = tmp_path / "data"
    assert main(["--data", str(data), "ingest", *map(str, sample_files)]) in (0, 1)
    with Catalog(data / "catalog.sqlite3") as catalog:
        stored = _stored(catalog)
        assert len(stored) >= 10
        for text in stored:
            again = letter_to_json(letter_from_json(json.loads(text)))
            assert json.dumps(again, ensure_ascii=False) == text


def test_held_lays_archive_inference_then_corrections() -> None:
    read = Letter(number=held_number("12-CV/TU"), signer="Lê Văn A")
    suggested = {"province": {"document_id": 7, "evidence": "cùng người ký", "value": "Nghệ An"}}
    inferred = held(read, suggested, [])
    assert inferred.province == "Nghệ An"
    assert inferred.inferred["province"] == Inferred("cùng người ký", 7)
    assert inferred.inferred["province"].from_archive
    corrected = held(read, suggested, [("province", "Hà Tĩnh"), ("number", "13-CV/TU")])
    assert corrected.province == "Hà Tĩnh" and "province" not in corrected.inferred
    assert corrected.number is not None and corrected.number.key == "13-cv/tu"
    assert held(read, suggested, [("province", None)]).province is None  # cleared by staff
    stated = dataclasses.replace(read, province="Lạng Sơn")
    assert held(stated, suggested, []).province == "Lạng Sơn"  # a stated value stays


@pytest.mark.parametrize("number", ["600-CV/TU", "128/NQ-CP", "23/2021/QĐ-TTg"])
def test_a_held_number_keeps_its_grammar_and_key(number: str) -> None:
    parsed = held_number(number)
    assert parsed.text == number and parsed.grammar in ("party", "state")
    assert parsed.key == number.lower().replace("đ", "d")


def test_the_archive_hands_out_letters_as_held(archive: Archive) -> None:
    """`letter` and `letters` give the same letter, corrections laid over; `as_read` keeps
    what was read."""
    document_id = archive.add("a.txt", letter("Nội dung.", "12-CV/TU")).document_id or 0
    archive.catalog.add_corrections(document_id, "cán bộ", {"signer": (None, "Trần Thị B")})
    one = archive.catalog.letter(document_id)
    assert one is not None and one.signer == "Trần Thị B"
    assert archive.catalog.letters([document_id, 999]) == {document_id: one}
    read = archive.catalog.as_read(document_id)
    assert read is not None and read.signer != "Trần Thị B"
    assert one.number == read.number and one.number_key == "12-cv/tu"


def test_a_corrected_number_keeps_its_key_when_the_letter_is_read_again(
    archive: Archive,
) -> None:
    """A scan recognised again (or any new reading) must not bring back the number a
    person corrected: lookups by number follow the letter as held."""
    raw = letter("Nội dung.", "12-CV/TU")
    document_id = archive.add("a.txt", raw).document_id or 0
    archive.catalog.add_corrections(document_id, "cán bộ", {"number": ("12-CV/TU", "13-CV/TU")})
    assert archive.catalog.documents_numbered("13-cv/tu") == [document_id]
    again = read_letter("a.txt", raw.encode(), "b" * 64, extract("a.txt", raw.encode()))
    archive.catalog.replace_extraction(document_id, again)
    assert archive.catalog.documents_numbered("13-cv/tu") == [document_id]
    assert archive.catalog.documents_numbered("12-cv/tu") == []
    assert archive.catalog.numbers_starting("13") == [("13-CV/TU", document_id)]  # suggested


def test_a_catalog_of_another_schema_version_is_brought_up_to_date(tmp_path: Path) -> None:
    """Opening the catalog applies the schema only when its recorded version differs (every
    request opens it); an older catalog gets the schema and the migrations."""
    path = tmp_path / "catalog.sqlite3"
    with Catalog(path) as catalog:
        assert catalog.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        catalog.db.execute("DROP INDEX documents_number_loose")
        catalog.db.execute("PRAGMA user_version = 0")
    with Catalog(path) as catalog:
        indexes = {row[0] for row in catalog.db.execute("SELECT name FROM sqlite_master")}
        assert "documents_number_loose" in indexes
        assert catalog.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
