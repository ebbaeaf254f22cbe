"""Auditors' views: letters counted by issuer, year and month, and whole result lists as
CSV. Everything is asked of the search engine, so counts follow corrections and
inference exactly as search does, and every count links to the search that lists it.
"""

from __future__ import annotations

import calendar
import csv
import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from indexer.language.letter import CSV_COLUMNS, LABELS
from indexer.search import (
    MAX_FACET_VALUES,
    MAX_PER_PAGE,
    SearchEngine,
    SearchRequest,
    SearchResult,
)

MONTHS = range(1, 13)


def year_param(value: str | None) -> int | None:
    """A year from the URL, or None when absent or not a plausible year."""
    return int(value) if value and value.isdigit() and 1900 <= int(value) <= 2100 else None


def search_url(**params: str | None) -> str:
    """The search page listing what a count counts."""
    return "/?" + urlencode({name: value for name, value in params.items() if value})


def _month(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _counts(engine: SearchEngine, request: SearchRequest) -> tuple[int, dict[str, dict[str, int]]]:
    result = engine.search(replace(request, per_page=1, facet_values=MAX_FACET_VALUES))
    return result.total, result.facets


def browse_data(engine: SearchEngine, issuer: str | None, year: int | None) -> dict[str, Any]:
    """Issuers with their counts; an issuer's years; an issuer's months in a year."""
    if not issuer:
        total, facets = _counts(engine, SearchRequest())
        issuers = facets["issuer"]
        return {
            "level": "issuers",
            "total": total,
            "without_issuer": total - sum(issuers.values()),
            "without_issuer_search": search_url(missing="issuer"),
            "items": [
                {
                    "label": name,
                    "count": count,
                    "browse": "/duyet?" + urlencode({"issuer": name}),
                    "search": search_url(issuer=name),
                }
                for name, count in sorted(issuers.items(), key=lambda item: (-item[1], item[0]))
            ],
        }
    filters = (("issuer", issuer),)
    total, facets = _counts(engine, SearchRequest(filters=filters))
    if year is None:
        years = sorted(facets["year"].items(), reverse=True)
        return {
            "level": "years",
            "issuer": issuer,
            "total": total,
            "undated": total - sum(count for _, count in years),
            "undated_search": search_url(issuer=issuer, missing="year"),
            "items": [
                {
                    "label": name,
                    "count": count,
                    "browse": "/duyet?" + urlencode({"issuer": issuer, "year": name}),
                    "search": search_url(issuer=issuer, year=name),
                }
                for name, count in years
            ],
        }
    items = []
    for month, search in zip(MONTHS, _month_links(year, issuer), strict=True):
        first, last = _month(year, month)
        count, _ = _counts(engine, SearchRequest(filters=filters, date_from=first, date_to=last))
        items.append({"label": f"Tháng {month}", "month": month, "count": count, "search": search})
    return {
        "level": "months",
        "issuer": issuer,
        "year": year,
        "total": sum(item["count"] for item in items),
        "items": items,
    }


def _month_links(year: int, issuer: str | None, missing: str | None = None) -> list[str]:
    """The search listing each month's letters (of an issuer, of no known issuer with
    `missing="issuer"`, or all of them)."""
    spans = [_month(year, month) for month in MONTHS]
    return [
        search_url(
            issuer=issuer, missing=missing, date_from=first.isoformat(), date_to=last.isoformat()
        )
        for first, last in spans
    ]


def month_table_data(engine: SearchEngine, year: int | None) -> dict[str, Any]:
    """Letters per issuer per month of one year (the latest with letters by default).
    Letters whose issuer is unknown have a row of their own, so each month adds up."""
    _, facets = _counts(engine, SearchRequest())
    years = sorted((int(y) for y in facets["year"]), reverse=True)
    year = year or (years[0] if years else date.today().year)
    rows: dict[str, list[int]] = {}
    totals = []
    for month in MONTHS:
        first, last = _month(year, month)
        total, counts = _counts(engine, SearchRequest(date_from=first, date_to=last))
        totals.append(total)
        for issuer, count in counts["issuer"].items():
            rows.setdefault(issuer, [0] * 12)[month - 1] = count
    ordered = sorted(rows.items(), key=lambda item: (-sum(item[1]), item[0]))
    unknown = [total - sum(counts[m] for _, counts in ordered) for m, total in enumerate(totals)]
    every_issuer = _month_links(year, None)
    table = [
        {
            "issuer": issuer,
            "counts": counts,
            "total": sum(counts),
            "links": _month_links(year, issuer),
        }
        for issuer, counts in ordered
    ]
    if any(unknown):
        table.append(
            {
                "issuer": None,
                "counts": unknown,
                "total": sum(unknown),
                "links": _month_links(year, None, missing="issuer"),
            }
        )
    return {
        "year": year,
        "years": years,
        "months": list(MONTHS),
        "rows": table,
        "month_totals": totals,
        "month_links": every_issuer,
    }


def csv_lines(engine: SearchEngine, request: SearchRequest, site: str) -> Iterator[str]:
    """Every matching letter as CSV lines (UTF-8 with BOM, so Excel reads Vietnamese),
    with a permalink to each letter; fetched page by page, never all in memory.

    The first page is searched now, so an engine that cannot answer fails the request
    before any byte of the file is sent; the others as the file is written.
    """
    pages = replace(request, page=1, per_page=MAX_PER_PAGE, facet_values=0)
    return _csv_rows(engine, pages, engine.search(pages), site)


def _inert(cell: Any) -> Any:
    """A cell a spreadsheet shows as text: one starting with =, +, -, @ (or a tab or a
    carriage return) would be run as a formula, so it is quoted with an apostrophe."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def _csv_rows(
    engine: SearchEngine, pages: SearchRequest, first: SearchResult, site: str
) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: list[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_inert(cell) for cell in cells])
        return buffer.getvalue()

    yield "\ufeff" + line(["ID", *(LABELS[name] for name in CSV_COLUMNS), "Tệp gốc", "Đường dẫn"])
    result = first
    while True:
        for hit in result.hits:
            cells = [hit["id"], *(hit.get(name) or "" for name in CSV_COLUMNS), hit["filename"]]
            yield line([*cells, f"{site.rstrip('/')}/documents/{hit['id']}"])
        if pages.page * MAX_PER_PAGE >= result.total or not result.hits:
            return
        pages = replace(pages, page=pages.page + 1)
        result = engine.search(pages)
