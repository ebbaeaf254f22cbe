"""HTML pages; each is built from the same data dict as its JSON twin."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, render_template, request

from indexer.engine import FACETS
from web.context import get_catalog, get_engine
from web.data import document_data, search_data
from web.params import ParamError, parse_search_params

blueprint = Blueprint("views", __name__)

FACET_LABELS = {
    "province": "Tỉnh, thành",
    "issuer": "Cơ quan ban hành",
    "doc_type": "Loại văn bản",
    "year": "Năm",
    "signer": "Người ký",
}
SORT_LABELS = {"relevance": "Liên quan nhất", "date_desc": "Mới nhất", "date_asc": "Cũ nhất"}


def _url_with(**changes: str | None) -> str:
    """The current search URL with some parameters changed (None removes one)."""
    args = {k: v for k, v in request.args.items() if v}
    args.pop("page", None)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return "/?" + urlencode(args) if args else "/"


@blueprint.get("/")
def search_page() -> str:
    """Search form, results and facets."""
    error, data = None, None
    try:
        search_request = parse_search_params(request.args)
        data = search_data(get_engine(), search_request)
    except ParamError as problem:
        error = str(problem)
    api_url = "/api/search?" + request.query_string.decode("latin-1")
    return render_template(
        "search.html",
        data=data,
        error=error,
        args=request.args,
        facets=FACETS,
        facet_labels=FACET_LABELS,
        sort_labels=SORT_LABELS,
        url_with=_url_with,
        api_url=api_url,
    )


@blueprint.get("/documents/<int:document_id>")
def document_page(document_id: int) -> str:
    """One letter: metadata, text, citations, original."""
    data = document_data(get_catalog(), document_id)
    if data is None:
        abort(404)
    return render_template("document.html", doc=data, facet_labels=FACET_LABELS)


@blueprint.app_template_filter("ngay")
def format_date(value: str | None) -> str:
    """ISO date → dd/mm/yyyy, as Vietnamese readers write it."""
    if not value:
        return ""
    year, month, day = value.split("-")
    return f"{day}/{month}/{year}"


@blueprint.app_errorhandler(404)
def not_found(_error: Exception) -> tuple[str, int]:
    return render_template("error.html", message="Không tìm thấy trang hoặc văn bản này."), 404
