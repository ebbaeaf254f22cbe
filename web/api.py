"""The JSON API (documented in docs/api.md)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request, send_file

from indexer.corrections import CorrectionError
from indexer.engine import EngineError
from indexer.numbers import parse_number
from indexer.ocr import OcrError
from indexer.scans import page_image
from web.context import get_catalog, get_engine, get_store, record_correction
from web.data import ENGINE_DOWN, document_data, health_data, reference_data, search_data
from web.params import ParamError, parse_search_params

blueprint = Blueprint("api", __name__, url_prefix="/api")
log = logging.getLogger(__name__)


def _error(status: int, message: str) -> tuple[Response, int]:
    return jsonify({"error": message}), status


@blueprint.get("/search")
def search() -> Response | tuple[Response, int]:
    """Search or browse letters."""
    try:
        search_request = parse_search_params(request.args)
    except ParamError as error:
        return _error(400, str(error))
    try:
        return jsonify(search_data(get_engine(), search_request))
    except EngineError as error:
        log.warning("search failed: %s", error)
        return _error(503, ENGINE_DOWN)


@blueprint.get("/documents/<int:document_id>")
def document(document_id: int) -> Response | tuple[Response, int]:
    """One letter with its text, citations and file."""
    data = document_data(get_catalog(), document_id)
    if data is None:
        return _error(404, f"không có văn bản #{document_id}")
    return jsonify(data)


@blueprint.patch("/documents/<int:document_id>")
def correct_document(document_id: int) -> Response | tuple[Response, int]:
    """Correct metadata fields; the extracted values and every change are kept."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
        return _error(400, 'cần JSON dạng {"author": "...", "fields": {"trường": giá trị}}')
    try:
        if not record_correction(document_id, str(body.get("author") or ""), body["fields"]):
            return _error(404, f"không có văn bản #{document_id}")
    except CorrectionError as error:
        return _error(400, str(error))
    return jsonify(document_data(get_catalog(), document_id))


@blueprint.get("/documents/<int:document_id>/original")
def original(document_id: int) -> Response | tuple[Response, int]:
    """The original file, byte for byte."""
    record = get_catalog().get_document(document_id)
    if record is None:
        return _error(404, f"không có văn bản #{document_id}")
    path = get_store().path(record.sha256)
    response = send_file(
        path,
        mimetype=record.mime,
        download_name=record.filename,
        as_attachment=False,
        etag=record.sha256,
    )
    response.headers["Content-Type"] = record.mime  # as catalogued, charset included
    response.headers["X-Content-SHA256"] = record.sha256
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blueprint.get("/references/<path:number>")
def references(number: str) -> Response | tuple[Response, int]:
    """The letter bearing a document number, and every letter citing it."""
    parsed = parse_number(number)
    if parsed is None:
        return _error(400, f"không phải số, ký hiệu văn bản: {number[:60]!r}")
    return jsonify(reference_data(get_catalog(), parsed))


@blueprint.get("/documents/<int:document_id>/pages/<int:page>.png")
def page_image_route(document_id: int, page: int) -> Response | tuple[Response, int]:
    """One page of a scanned letter as an image (100 dpi)."""
    try:
        png = page_image(get_catalog(), get_store(), document_id, page)
    except OcrError as error:
        return _error(404, str(error))
    response = Response(png, mimetype="image/png")
    response.headers["Cache-Control"] = "max-age=86400"
    return response


@blueprint.get("/health")
def health() -> tuple[Response, int]:
    """Service status: 200 when search works, 503 when only the archive does."""
    data = health_data(get_engine(), get_catalog())
    return jsonify(data), 200 if data["engine_available"] else 503
