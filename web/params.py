"""The one parser of search parameters, shared by the HTML pages and the JSON API."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from indexer.language.letter import FACETS
from indexer.search import MAX_PER_PAGE, SORTS, SearchRequest
from indexer.search.query import bounded_query

DEFAULT_PER_PAGE = 20
MAX_PAGE = 10_000


# What the search form calls each parameter: errors name it so, then by its URL name.
PARAM_LABELS = {
    "date_from": "Từ ngày",
    "date_to": "Đến ngày",
    "sort": "Sắp xếp",
    "page": "Trang",
    "per_page": "Số văn bản mỗi trang",
    "missing": "Thiếu trường",
    "text_page": "Phần nội dung",
    "sau": "Sau văn bản",
}


class ParamError(ValueError):
    """A parameter is malformed; the message (Vietnamese) says which and why."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{PARAM_LABELS[name]} ({name}): {reason}")


def _date(args: Mapping[str, str], name: str) -> date | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ParamError(name, f"cần ngày dạng YYYY-MM-DD, nhận được {value[:40]!r}") from None


def _positive_int(args: Mapping[str, str], name: str, default: int, maximum: int) -> int:
    value = (args.get(name) or "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < 1:
        raise ParamError(name, f"cần số nguyên dương, nhận được {value[:40]!r}")
    return min(int(value), maximum)


def text_page_param(args: Mapping[str, str]) -> int:
    """Which part of a long letter's text its page and JSON twin show (`text_page`)."""
    return _positive_int(args, "text_page", 1, 10**6)


def review_after_param(args: Mapping[str, str]) -> int | None:
    """The review desk's place in its queue: letters older than this one (`sau`)."""
    after = _positive_int(args, "sau", 0, 2**63 - 1)
    return after or None


def query_param(args: Mapping[str, str]) -> str:
    """The `q` parameter as every page reads it (search, and the marks on a letter's page)."""
    return bounded_query(args.get("q") or "")


def parse_search_params(args: Mapping[str, str]) -> SearchRequest:
    """Build a SearchRequest from URL parameters, or raise ParamError."""
    q = query_param(args)
    sort = (args.get("sort") or "").strip() or ("relevance" if q else "date_desc")
    if sort not in SORTS:
        raise ParamError("sort", f"một trong {', '.join(SORTS)}; nhận được {sort[:40]!r}")
    filters = tuple(
        (name, value.strip()) for name in FACETS if (value := args.get(name) or "").strip()
    )
    missing = tuple(dict.fromkeys(n.strip() for n in (args.get("missing") or "").split(",")))
    unknown = [name for name in missing if name and name not in FACETS]
    if unknown:
        raise ParamError("missing", f"một trong {', '.join(FACETS)}; nhận được {unknown[0][:40]!r}")
    date_from, date_to = _date(args, "date_from"), _date(args, "date_to")
    if date_from and date_to and date_from > date_to:
        raise ParamError("date_from", "phải trước hoặc bằng Đến ngày (date_to)")
    return SearchRequest(
        q=q,
        filters=filters,
        missing=tuple(name for name in missing if name),
        ref=(args.get("ref") or "").strip() or None,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        page=_positive_int(args, "page", 1, MAX_PAGE),
        per_page=_positive_int(args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
    )
