"""The one table of a letter's fields: what each is called, what kind of value it holds,
whether it is a facet, a CSV column, editable, and how a staff correction is checked.

Every layer iterates this table: the reader (`metadata`), the engines (hit fields and
facets), the document page, the correction form and its validation, the CSV export and
the search parameters. Nothing else lists fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from indexer.language.doc_types import NAMES as TYPE_NAMES
from indexer.language.issuers import KINDS
from indexer.language.numbers import parse_number
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
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise FieldError("cần ngày dạng YYYY-MM-DD") from None


def _text(value: str) -> str:
    return value


@dataclass(frozen=True)
class Field:
    """One field of a letter, and how every layer shows, takes and checks it."""
    name: str
    label: str  # Vietnamese, as every screen and export shows it
    kind: str  # "text", "number", "date", "choice" or "list"
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
            return [self.check(v.strip()) for v in value if v.strip()]
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str) or len(value) > MAX_VALUE:
            raise FieldError(f"cần một chuỗi (tối đa {MAX_VALUE} ký tự) hoặc để trống")
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
