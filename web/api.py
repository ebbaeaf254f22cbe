"""The JSON API (documented in docs/api.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from flask import Blueprint, Response, jsonify, request, send_file, stream_with_context
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import generate_csrf

from indexer.followup.corrections import CorrectionError
from indexer.intake.pipeline import display_name
from indexer.intake.scans import OcrError, field_image, page_image
from indexer.language.numbers import parse_number
from web.auth import current_user, log_access, staff_required
from web.browse import csv_lines
from web.context import (
    archive_uploads,
    get_catalog,
    get_engine,
    get_store,
    record_correction,
    record_corrections,
    unreadable_upload,
)
from web.data import (
    document_data,
    health_data,
    reference_data,
    search_data,
    status_data,
)
from web.errors import error_response
from web.params import parse_search_params, text_page_param
from web.suggest import suggestions

blueprint = Blueprint("api", __name__, url_prefix="/api")
MAX_ID = 2**63 - 1
_error = error_response  # under /api/ it answers the documented JSON shape


@blueprint.get("/search")
def search() -> ResponseReturnValue:
    """Search or browse letters."""
    return jsonify(search_data(get_engine(), get_catalog, parse_search_params(request.args)))


@blueprint.get("/documents/<int:document_id>")
def document(document_id: int) -> ResponseReturnValue:
    """One letter with its text (a part at a time: `text_page`), citations and file."""
    data = document_data(get_catalog(), document_id, text_page_param(request.args))
    return _found(data, document_id)


@blueprint.get("/documents/<int:document_id>/status")
def document_status(document_id: int) -> ResponseReturnValue:
    """Whether a letter's scan still waits for OCR (polled by the upload page)."""
    return _found(status_data(get_catalog(), document_id), document_id)


def _found(data: dict[str, Any] | None, document_id: int) -> ResponseReturnValue:
    """A letter's data as JSON, or 404 when there is no such letter."""
    return jsonify(data) if data is not None else _error(404, f"không có văn bản #{document_id}")


@blueprint.patch("/documents/<int:document_id>")
@staff_required
def correct_document(document_id: int) -> ResponseReturnValue:
    """Correct metadata fields as the signed-in staff member; the extracted values and
    every change are kept."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
        return _error(400, 'cần JSON dạng {"fields": {"trường": giá trị}}')
    try:
        if not record_correction(document_id, current_user() or "", body["fields"]):
            return _error(404, f"không có văn bản #{document_id}")
    except CorrectionError as error:
        return _error(400, str(error))
    return jsonify(document_data(get_catalog(), document_id))


@blueprint.post("/corrections")
@staff_required
def correct_documents() -> ResponseReturnValue:
    """The same corrections over a batch of letters: `{"ids": [..], "fields": {..}}`."""
    body = request.get_json(silent=True)
    ids = body.get("ids") if isinstance(body, dict) else None
    fields = body.get("fields") if isinstance(body, dict) else None
    if (
        not isinstance(ids, list)
        or not all(type(i) is int for i in ids)
        or not isinstance(fields, dict)
    ):
        return _error(400, 'cần JSON dạng {"ids": [số văn bản], "fields": {"trường": giá trị}}')
    if not all(0 < i <= MAX_ID for i in ids):  # SQLite holds ids up to 2⁶³ − 1
        return _error(400, f"ids: số văn bản là số nguyên từ 1 đến {MAX_ID}")
    try:
        changed = record_corrections(ids, current_user() or "", fields)
    except CorrectionError as error:
        return _error(400, str(error))
    return jsonify({"changed": {str(k): v for k, v in changed.items()}})


@blueprint.get("/documents/<int:document_id>/original")
def original(document_id: int) -> ResponseReturnValue:
    """The original file, byte for byte."""
    record = get_catalog().document(document_id)
    if record is None:
        return _error(404, f"không có văn bản #{document_id}")
    path = get_store().path(record.sha256)
    download = request.args.get("download") == "1"
    log_access(document_id, "tải bản gốc" if download else "xem bản gốc")
    response = send_file(
        path,
        mimetype=record.mime,
        download_name=display_name(record.filename),  # stored before names were escaped
        as_attachment=download,  # else shown inline
        etag=record.sha256,
    )
    response.headers["Content-Type"] = record.mime  # as catalogued, charset included
    response.headers["X-Content-SHA256"] = record.sha256
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blueprint.get("/references/<path:number>")
def references(number: str) -> ResponseReturnValue:
    """The letter bearing a document number, and every letter citing it."""
    parsed = parse_number(number)
    if parsed is None:
        return _error(400, f"không phải số, ký hiệu văn bản: {number[:60]!r}")
    return jsonify(reference_data(get_catalog(), parsed))


@blueprint.get("/documents/<int:document_id>/pages/<int:page>.png")
def page_image_route(document_id: int, page: int) -> ResponseReturnValue:
    """One page of a scanned letter as an image (100 dpi)."""
    render = partial(page_image, get_catalog(), get_store(), document_id, page)
    return _picture(document_id, render, f"xem ảnh trang {page}", "max-age=86400")


@blueprint.get("/documents/<int:document_id>/review/<field>.png")
@staff_required
def review_image_route(document_id: int, field: str) -> ResponseReturnValue:
    """The part of a scanned page where a field under review is read (200 dpi)."""
    render = partial(field_image, get_catalog(), get_store(), document_id, field)
    return _picture(
        document_id, render, f"xem ảnh trường {field} cần xem lại", "private, max-age=3600"
    )


def _picture(
    document_id: int, render: Callable[[], bytes], action: str, caching: str
) -> ResponseReturnValue:
    """A picture of a letter's page as PNG, its viewing logged; 404 when there is none."""
    try:
        png = render()
    except OcrError as error:
        return _error(404, str(error))
    log_access(document_id, action)
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = caching
    return response


@blueprint.get("/health")
def health() -> tuple[Response, int]:
    """Service status: 200 when search works, 503 when only the archive does."""
    data = health_data(get_engine(), get_catalog())
    return jsonify(data), 200 if data["engine_available"] else 503


@blueprint.get("/session")
def session_info() -> Response:
    """Who is signed in, and the CSRF token API writes must send as `X-CSRFToken`."""
    return jsonify({"user": current_user(), "csrf_token": generate_csrf()})


@blueprint.post("/upload")
@staff_required
def upload() -> ResponseReturnValue:
    """Archive the uploaded files (form field `files`, one or more); one outcome each."""
    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        return _error(400, unreadable_upload() or "không có tệp nào (trường `files`)")
    answers, status = archive_uploads(files, current_user() or "")
    return jsonify({"files": answers}), status


@blueprint.get("/suggest")
def suggest() -> Response:
    """Document numbers, issuers and signers starting with (or containing) what is typed."""
    return jsonify({"suggestions": suggestions(get_catalog(), get_engine(), request.args)})


@blueprint.get("/search.csv")
def search_csv() -> ResponseReturnValue:
    """Every letter matching the search as CSV (UTF-8 with BOM), with permalinks."""
    lines = csv_lines(get_engine(), parse_search_params(request.args), request.host_url)
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    return Response(
        stream_with_context(lines),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="cong-van-{stamp}.csv"',
        },
    )
