"""HTML pages; each is built from the same data dict as its JSON twin."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from indexer.followup.corrections import CorrectionError
from indexer.language.letter import BY_NAME, EDITABLE, FACET_LABELS, FACETS, LABELS, LISTS, TABLE
from indexer.search import EngineError
from web.auth import current_user, staff_required
from web.context import get_catalog, get_engine, record_correction
from web.data import document_data, search_data
from web.errors import ENGINE_DOWN
from web.highlight import highlight
from web.labels import RELATION_LABELS, SORT_LABELS, ZONE, first_words, read_by, vietnam_time
from web.params import ParamError, parse_search_params, query_param, text_page_param

blueprint = Blueprint("views", __name__)
# How an original is shown beside its text: PDFs in the browser's viewer, images as such
# (TIFF, which browsers do not show, and Word files are read through their text).
INLINE_ORIGINALS = {"application/pdf": "pdf", "image/png": "image", "image/jpeg": "image"}
log = logging.getLogger(__name__)


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
        data = search_data(get_engine(), get_catalog, parse_search_params(request.args))
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
        csv_url="/api/search.csv?" + request.query_string.decode("latin-1"),
        relations=RELATION_LABELS,
    )
    return page, 503 if unavailable else 400 if error else 200


@blueprint.get("/documents/<int:document_id>")
def document_page(
    document_id: int,
    error: CorrectionError | None = None,
    entered: Mapping[str, str] | None = None,
) -> str:
    """One letter: metadata, text, citations, original, corrections. After a refused
    correction, `error` says why and `entered` keeps what the form held."""
    data = document_data(get_catalog(), document_id, text_page_param(request.args))
    if data is None:
        abort(404)
    return render_template(
        "document.html",
        doc=data,
        error=str(error) if error else None,
        error_field=error.field if error else None,
        entered=entered,
        labels=LABELS,
        fields=TABLE,
        relations=RELATION_LABELS,
        q=query_param(request.args),
        inline=INLINE_ORIGINALS.get(data["file"]["mime"].split(";")[0]),
    )


@blueprint.get("/documents/<int:document_id>/corrections")
def corrections_address(document_id: int) -> ResponseReturnValue:
    """The form's address opened again (a reload, a bookmark): the letter's form."""
    return redirect(f"/documents/{document_id}#sua", code=303)


@blueprint.post("/documents/<int:document_id>/corrections")
@staff_required
def correct_page(document_id: int) -> ResponseReturnValue:
    """The correction form: record changed fields, then show the letter again."""
    fields: dict[str, object] = {
        name: request.form[name] for name in EDITABLE if name not in LISTS and name in request.form
    }
    for name in LISTS:
        if name in request.form:
            fields[name] = request.form[name].splitlines()
    try:
        if not record_correction(document_id, current_user() or "", fields):
            abort(404)
    except CorrectionError as problem:
        return document_page(document_id, error=problem, entered=request.form), 400
    return redirect(f"/documents/{document_id}#lich-su-sua", code=303)


@blueprint.app_template_filter("doc_bang")
def read_by_filter(source: dict[str, object]) -> str:
    """Where a field was read: "trang 1, nhận dạng chữ (OCR)"."""
    return f"trang {source['page']}, {read_by(str(source['method']))}"


@blueprint.app_template_filter("ngay")
def format_date(value: str | None) -> str:
    """ISO date → dd/mm/yyyy, as Vietnamese readers write it (a month alone: mm/yyyy)."""
    if not value:
        return ""
    return "/".join(reversed(value.split("-")))


@blueprint.app_template_filter("shown")
def shown_filter(value: object, name: str) -> object:
    """A field's or facet's value as screens show it: a type code beside its name."""
    field = BY_NAME.get(name)
    return field.shown(value) if field and isinstance(value, str) else value


@blueprint.app_template_filter("label")
def label_filter(name: str) -> str:
    """A field's name as screens call it ("number" → "Số, ký hiệu")."""
    return LABELS.get(name, name)


@blueprint.app_template_filter("gio")
def time_filter(stamp: str | None) -> Markup:
    """A catalog timestamp (UTC) in Vietnam's time, machine-readable in <time>; pages say
    the zone once (`zone`) where times are listed."""
    return Markup('<time datetime="{}">{}</time>').format(stamp or "", vietnam_time(stamp))


blueprint.add_app_template_filter(first_words, "first_words")


@blueprint.app_context_processor
def time_zone() -> dict[str, str]:
    """The time zone every page names beside its times."""
    return {"zone": ZONE}


@blueprint.app_template_filter("highlight")
def highlight_filter(text: str, q: str) -> Markup:
    """A paragraph of a letter, escaped, with the words of the query marked."""
    return Markup(highlight(text, q))


@blueprint.app_context_processor
def signed_in() -> dict[str, str | None]:
    """The signed-in account, for the header of every page."""
    return {"user": current_user()}
