"""The letter: the one table of its fields, and the typed `Letter` built on it.

The table says what each field is called, what kind of value it holds, whether it is a
facet, a CSV column, editable, and how a staff correction is checked. Every layer iterates
it: the reader (`indexer.letter.metadata`), the catalog's JSON, the engines (hit fields and
facets), the document page, the correction form and its validation, the CSV export, the
search parameters and the evaluation. Nothing else lists fields.

`Letter` holds one letter's values: the table's fields in its order and of its kinds
(tests/test_letter.py holds them together), then where each value came from
(`Provenance`) kept apart from the values, and what the reading keeps besides. The reader
makes a `Letter`; the catalog stores it as JSON and hands it back as held, archive
inference and corrections laid over it (`archive.catalog.letter`); the index and the pages
read it. Only the catalog converts it to and from JSON. A new field is a row of the table,
its attribute here, and its reading in `indexer.letter.metadata`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from indexer.language.dates import NUMERIC
from indexer.language.doc_types import NAMES as TYPE_NAMES
from indexer.language.issuers import KINDS
from indexer.language.numbers import DocumentNumber, parse_number
from indexer.language.signature import AUTHORITIES

MAX_VALUE = 2000  # characters of one corrected value


class FieldError(ValueError):
    """A value a field cannot take; the message (Vietnamese) says why."""


def _number(value: str) -> str:
    number = parse_number(value)
    if number is None:
        raise FieldError(f"không phải số, ký hiệu văn bản: {value[:60]!r}")
    return number.text


def _date(value: str) -> str:
    written = NUMERIC.fullmatch(value.strip())  # day first, as Vietnamese write it: 23/6/2026
    try:
        if written:
            return date(int(written["y"]), int(written["m"]), int(written["d"])).isoformat()
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise FieldError("cần ngày dạng YYYY-MM-DD hoặc ngày/tháng/năm (23/6/2026)") from None


# What no letter's text holds: control characters (NUL…) and halves of UTF-16 pairs, which
# UTF-8 cannot store (`"\\ud800"` in JSON). Line breaks and tabs are text.
_NOT_TEXT = {"Cc": "ký tự điều khiển", "Cs": "nửa cặp UTF-16"}


_MONTH = re.compile(
    r"(?:tháng\s*)?(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})|(?P<y2>\d{4})-(?P<m2>\d{2})"
)


def _month(value: str) -> str:
    """A month of a year as stored ("2026-04"), from "2026-04" or "4/2026"."""
    written = _MONTH.fullmatch(value.strip().lower())
    month = int(written["m"] or written["m2"]) if written else 0
    if not written or not 1 <= month <= 12:
        raise FieldError("cần tháng dạng YYYY-MM hoặc tháng/năm (4/2026)")
    return f"{written['y'] or written['y2']}-{month:02d}"


def _printable(value: str) -> str:
    """The value, or FieldError naming the kind of character no letter's text holds."""
    for character in value:
        kind = _NOT_TEXT.get(unicodedata.category(character))
        if kind and character not in "\n\r\t":
            raise FieldError(f"chứa ký tự không hợp lệ ({kind}), cần văn bản thường")
    return value


def _text(value: str) -> str:
    return value


@dataclass(frozen=True)
class Field:
    """One field of a letter, and how every layer shows, takes and checks it."""
    name: str
    label: str  # Vietnamese, as every screen and export shows it
    kind: str  # "text", "number", "date", "month", "choice" or "list"
    facet: str | None = None  # the facet it is browsed by ("year" for the date)
    facet_label: str | None = None  # when the facet is not called as the field is
    csv: bool = False  # a column of the CSV export
    editable: bool = True  # staff may correct it
    check: Callable[[str], str] = _text  # a corrected value as stored, or FieldError
    choices: tuple[str, ...] = ()  # the values a "choice" field takes
    names: tuple[tuple[str, str], ...] = ()  # (value, name) when values are codes

    def shown(self, value: str | None) -> str:
        """A value as screens show it: a code beside its name, "Công văn (CV)"."""
        name = dict(self.names).get(value or "")
        return f"{name} ({value})" if name else value or ""

    def clean(self, value: Any) -> Any:
        """A corrected value as it is stored (None clears it), or FieldError."""
        if self.kind == "list":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise FieldError("cần một danh sách chuỗi")
            return [self.check(_printable(v.strip())) for v in value if v.strip()]
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or len(value) > MAX_VALUE:
            raise FieldError(f"cần một chuỗi (tối đa {MAX_VALUE} ký tự) hoặc để trống")
        _printable(value)
        if self.choices and value.strip() not in self.choices:
            raise FieldError(f"một trong {', '.join(self.choices)}")
        return self.check(value.strip())


TABLE = (
    Field("number", "Số, ký hiệu", "number", csv=True, check=_number),
    Field(
        "doc_type",
        "Loại văn bản",
        "choice",
        facet="doc_type",
        csv=True,
        choices=tuple(code for code, _ in TYPE_NAMES),
        names=TYPE_NAMES,  # the codes with their names (`doc_types`)
    ),
    Field("issuer", "Cơ quan ban hành", "text", facet="issuer", csv=True),
    Field("issuer_body", "Loại cơ quan", "choice", choices=KINDS),
    Field("province", "Tỉnh, thành", "text", facet="province", csv=True),
    Field("place", "Nơi ban hành", "text"),
    Field("date", "Ngày ban hành", "date", facet="year", facet_label="Năm", csv=True, check=_date),
    # Only the month and year are known (a handwritten day unread): the letter still
    # stands in its month and year when browsing.
    Field("date_month", "Tháng ban hành (chưa rõ ngày)", "month", csv=True, check=_month),
    Field("date_not_before", "Không sớm hơn ngày", "date", csv=True, check=_date),
    Field("subject", "Trích yếu", "text", csv=True),
    Field("authority", "Thẩm quyền ký", "choice", choices=AUTHORITIES),
    Field("signer_title", "Chức vụ người ký", "text", csv=True),
    Field("signer", "Người ký", "text", facet="signer", csv=True),
    Field("references", "Văn bản trích dẫn", "list", check=_number),
    Field("recipients", "Kính gửi", "list"),
    Field("distribution", "Nơi nhận", "list"),
)
BY_NAME = {field.name: field for field in TABLE}
SCALARS = tuple(field.name for field in TABLE if field.kind != "list")  # read by `metadata`
LISTS = tuple(field.name for field in TABLE if field.kind == "list")
EDITABLE = tuple(field.name for field in TABLE if field.editable)
CSV_COLUMNS = tuple(field.name for field in TABLE if field.csv)
LABELS = {field.name: field.label for field in TABLE}
FACETS = tuple(field.facet for field in TABLE if field.facet)
FACET_LABELS = {f.facet: f.facet_label or f.label for f in TABLE if f.facet}
HIT_FACETS = tuple(f.name for f in TABLE if f.facet == f.name)  # facet values kept in a hit


# --- the typed letter ----------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a value was read: the page, and how that page was read."""

    page: int
    method: str  # "pdf:text-layer", "ocr:tesseract-vie", "docx", …


@dataclass(frozen=True)
class Inferred:
    """Why a value the letter does not state was filled in: the words it rests on, and the
    other letter when the archive inferred it from one."""

    evidence: str
    document_id: int | None = None  # another archived letter (archive-wide inference)

    @property
    def from_archive(self) -> bool:
        """Whether another letter of the archive, not this one's text, suggested it."""
        return self.document_id is not None


@dataclass(frozen=True)
class Provenance:
    """Per field: where its value was read, why a person should look at it, and the
    evidence of a value inferred rather than read."""

    sources: Mapping[str, Source] = field(default_factory=dict)
    review: Mapping[str, str] = field(default_factory=dict)
    inferred: Mapping[str, Inferred] = field(default_factory=dict)
    # A field left for review with the readings a person may choose from, best first
    # (value, probability 0–1): a handwritten number or date read unsure.
    candidates: Mapping[str, tuple[tuple[str, float], ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Citation:
    """A document the letter cites: its number, the relation (basis, follows_up,
    implements, mentions) and what the text says of it (type word, date, issuer)."""

    number: DocumentNumber
    relation: str = "mentions"
    details: Mapping[str, str] = field(default_factory=dict)

    @property
    def number_key(self) -> str:
        """The cited number's comparison key (`numbers.number_key`)."""
        return self.number.key


@dataclass(frozen=True)
class Letter:
    """One letter's metadata. The first fields are the field table's, in its order (names
    and kinds: tests/test_fields.py); then provenance and what the reading keeps besides."""

    number: DocumentNumber | None = None
    doc_type: str | None = None
    issuer: str | None = None
    issuer_body: str | None = None
    province: str | None = None
    place: str | None = None
    date: str | None = None  # ISO 8601
    date_month: str | None = None  # "2026-04" when only the month is known
    date_not_before: str | None = None  # a lower bound when the date is not known
    subject: str | None = None
    authority: str | None = None
    signer_title: str | None = None
    signer: str | None = None
    references: tuple[DocumentNumber, ...] = ()
    recipients: tuple[str, ...] = ()
    distribution: tuple[str, ...] = ()
    provenance: Provenance = field(default_factory=Provenance)
    central: bool = False  # the issuer is a central body: it has no province
    # Signing certificates of the file's signature fields (who, for whom, when, page).
    signatures: tuple[Mapping[str, Any], ...] = ()
    page_starts: tuple[int, ...] | None = None  # a recognised scan: where each page's text begins

    @property
    def inferred(self) -> Mapping[str, Inferred]:
        """The fields filled in from evidence rather than read, with that evidence."""
        return self.provenance.inferred

    @property
    def number_key(self) -> str | None:
        """The number's comparison key, None without a number."""
        return self.number.key if self.number else None
