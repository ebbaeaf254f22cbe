"""HTML pages; each is built from the same data dict as its JSON twin."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request
from flask.typing import ResponseReturnValue

from indexer.corrections import AUTHORITIES, EDITABLE, LIST_FIELDS, CorrectionError
from indexer.engine import FACETS, EngineError
from web.context import get_catalog, get_engine, record_correction
from web.data import ENGINE_DOWN, document_data, search_data
from web.params import ParamError, parse_search_params

blueprint = Blueprint("views", __name__)
log = logging.getLogger(__name__)

FIELD_LABELS = {
    "number": "Số, ký hiệu",
    "doc_type": "Loại văn bản",
    "issuer": "Cơ quan ban hành",
    "issuer_body": "Cấp cơ quan",
    "province": "Tỉnh, thành",
    "place": "Nơi ban hành",
    "date": "Ngày ban hành",
    "date_not_before": "Không sớm hơn ngày",
    "subject": "Trích yếu",
    "authority": "Thẩm quyền ký",
    "signer_title": "Chức vụ người ký",
    "signer": "Người ký",
    "references": "Văn bản trích dẫn",
    "recipients": "Kính gửi",
    "distribution": "Nơi nhận",
}
FACET_LABELS = {
    "province": "Tỉnh, thành",
    "issuer": "Cơ quan ban hành",
    "doc_type": "Loại văn bản",
    "year": "Năm",
    "signer": "Người ký",
}
RELATION_LABELS = {
    "basis": "căn cứ",
    "implements": "thực hiện",
    "follows_up": "tiếp theo",
    "mentions": "nhắc đến",
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
def search_page() -> ResponseReturnValue:
    """Search form, results and facets."""
    error, unavailable, data = None, None, None
    try:
        search_request = parse_search_params(request.args)
        data = search_data(get_engine(), search_request)
    except ParamError as problem:
        error = str(problem)
    except EngineError as problem:
        log.warning("search failed: %s", problem)
        unavailable = ENGINE_DOWN
    api_url = "/api/search?" + request.query_string.decode("latin-1")
    page = render_template(
        "search.html",
        data=data,
        error=error,
        unavailable=unavailable,
        args=request.args,
        facets=FACETS,
        facet_labels=FACET_LABELS,
        sort_labels=SORT_LABELS,
        url_with=_url_with,
        api_url=api_url,
    )
    return page, 503 if unavailable else 400 if error else 200


@blueprint.get("/documents/<int:document_id>")
def document_page(document_id: int, error: str | None = None) -> str:
    """One letter: metadata, text, citations, original, corrections."""
    data = document_data(get_catalog(), document_id)
    if data is None:
        abort(404)
    return render_template(
        "document.html",
        doc=data,
        error=error,
        labels=FIELD_LABELS,
        list_fields=LIST_FIELDS,
        editable=EDITABLE,
        authorities=AUTHORITIES,
        relations=RELATION_LABELS,
    )


@blueprint.post("/documents/<int:document_id>/corrections")
def correct_page(document_id: int) -> ResponseReturnValue:
    """The correction form: record changed fields, then show the letter again."""
    fields: dict[str, object] = {
        name: request.form[name]
        for name in EDITABLE
        if name not in LIST_FIELDS and name in request.form
    }
    for name in LIST_FIELDS:
        if name in request.form:
            fields[name] = request.form[name].splitlines()
    try:
        if not record_correction(document_id, request.form.get("author", ""), fields):
            abort(404)
    except CorrectionError as problem:
        return document_page(document_id, error=str(problem)), 400
    return redirect(f"/documents/{document_id}#lich-su-sua", code=303)


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
