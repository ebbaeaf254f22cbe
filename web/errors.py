"""The one renderer of errors: a Vietnamese page for people, the documented JSON shape
(`{"error": "…"}`) for /api/ paths. Every refusal of the app goes through `error_response`,
and every error Flask or an extension raises (405, 413, a CSRF failure, an unexpected
exception) is caught here, so no English default page ever reaches a reader."""

from __future__ import annotations

import logging
import sqlite3

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from indexer.intake.pipeline import cannot_write
from indexer.search import EngineError
from web.params import ParamError

log = logging.getLogger(__name__)

# Shown instead of results when the engine cannot answer; the reason (with the engine's
# internal address) goes to the log, not to the reader.
ENGINE_DOWN = (
    "Máy tìm kiếm tạm thời không trả lời nên chưa tìm được. Các văn bản vẫn được lưu an toàn "
    "trong kho; xin thử lại sau ít phút."
)
# What each refusal says when the code raising it gives no reason of its own.
MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Cần đăng nhập bằng tài khoản cán bộ.",
    403: "Bạn không có quyền xem trang này.",
    404: "Không tìm thấy trang hoặc văn bản này.",
    405: "Địa chỉ này không nhận kiểu yêu cầu đó (ví dụ: mở bằng trình duyệt một địa chỉ "
    "chỉ dành cho biểu mẫu gửi đi).",
    413: "Dữ liệu gửi lên quá lớn: mỗi lần tải lên tối đa {limit}.",
    429: "Quá nhiều yêu cầu; xin thử lại sau ít phút.",
    500: "Máy chủ gặp lỗi ngoài dự kiến nên chưa làm được việc này. Dữ liệu trong kho không "
    "bị ảnh hưởng; xin thử lại, nếu vẫn lỗi hãy báo quản trị viên.",
    503: ENGINE_DOWN,
    507: "Kho không ghi được: đĩa chứa dữ liệu đã đầy.",
}
# The disk holding the archive is full: nothing can be archived or corrected until room is made.
DISK_FULL_PAGE = (
    "Kho không ghi được: đĩa chứa dữ liệu đã đầy (hoặc bị lỗi). Các văn bản đã lưu vẫn an "
    "toàn; hãy báo quản trị viên giải phóng chỗ trống rồi thử lại."
)
CSRF_PAGE = (
    "Biểu mẫu đã hết hạn hoặc thiếu mã bảo vệ (CSRF), nên chưa được gửi đi. Hãy tải lại "
    "trang rồi gửi lại."
)
CSRF_API = "thiếu hoặc sai mã CSRF: gửi header X-CSRFToken với mã lấy từ GET /api/session"
# A page that needs nothing to render: the answer when rendering the real one failed.
BARE_PAGE = (
    '<!doctype html><html lang="vi"><meta charset="utf-8"><title>Lỗi · Kho công văn</title>'
    '<p role="alert">{message}</p><p><a href="/">Về trang tìm kiếm</a></p></html>'
)


def size_text(size: int) -> str:
    """A size in bytes as a person reads it: "200 MB"."""
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size} byte"


def default_message(status: int) -> str:
    """The Vietnamese message for an HTTP status (with the upload limit where it applies)."""
    template = MESSAGES.get(status, "Không thực hiện được yêu cầu (mã {status}).")
    limit = size_text(current_app.config["MAX_CONTENT_LENGTH"])
    return template.format(limit=limit, status=status)


def wants_json() -> bool:
    """Whether the request is to the API (`/api/…`), so is answered in JSON."""
    return request.path.startswith("/api/")


def error_response(status: int, message: str | None = None) -> tuple[Response | str, int]:
    """The refusal: JSON for the API, else the error page; Vietnamese either way."""
    message = message or default_message(status)
    if wants_json():
        return jsonify({"error": message}), status
    try:
        return render_template("error.html", message=message, status=status), status
    except Exception:  # the page needs the catalog (who is signed in): it may be the cause
        log.exception("the error page could not be rendered")
        return BARE_PAGE.format(message=escape(message)), status


def _http_error(error: HTTPException) -> tuple[Response | str, int]:
    """Werkzeug's errors, and any unexpected exception (Flask wraps it as a 500, after
    logging it): the reader gets the status's own message, never the English default."""
    return error_response(error.code or 500)


def _csrf_error(_error: CSRFError) -> tuple[Response | str, int]:
    return error_response(400, CSRF_API if wants_json() else CSRF_PAGE)


def _engine_down(problem: EngineError) -> tuple[Response | str, int]:
    log.warning("search engine failed: %s", problem)  # its address stays in the log
    return error_response(503, ENGINE_DOWN)


def _bad_parameter(problem: ParamError) -> tuple[Response | str, int]:
    return error_response(400, str(problem))


def _cannot_write(problem: sqlite3.OperationalError) -> tuple[Response | str, int]:
    """A full disk (or SQLite's I/O error on it) is a 507 that says so; other database
    errors are the 500 they were."""
    if not cannot_write(problem):
        log.error("database error: %s", problem)
        return error_response(500)
    log.error("the data folder cannot be written: %s", problem)
    return error_response(507, DISK_FULL_PAGE)


def register(app: Flask) -> None:
    """Route every error of the app through `error_response`."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(EngineError, _engine_down)
    app.register_error_handler(ParamError, _bad_parameter)
    app.register_error_handler(sqlite3.OperationalError, _cannot_write)
