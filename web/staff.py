"""Staff pages: signing in and out, uploading letters, saving a review."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Blueprint, current_app, redirect, render_template, request
from flask.typing import ResponseReturnValue

from indexer.followup.corrections import CorrectionError
from indexer.intake.pipeline import FORMATS
from indexer.language.letter import EDITABLE, LISTS
from web.auth import (
    check_login,
    current_user,
    record_failure,
    record_success,
    sign_in,
    sign_out,
    staff_required,
    wait_minutes,
)
from web.context import archive_uploads, get_catalog, record_correction
from web.data import review_data
from web.errors import size_text
from web.params import review_after_param

blueprint = Blueprint("staff", __name__)


def _safe_next(target: str | None) -> str:
    """Only a path on this site to go back to: never `//other.site`, a full URL, or one a
    browser would turn into either by dropping a tab or newline (`/%09/evil.example`) or
    reading a backslash as a slash."""
    for form in (target or "", unquote(target or "")):  # as sent, and as a browser decodes it
        if not form.startswith("/") or form.startswith("//") or "\\" in form:
            return "/"
        if not form.isprintable() or " " in form or urlsplit(form).netloc:
            return "/"
    return target or "/"


@blueprint.get("/dang-nhap")
def login_form(error: str | None = None) -> str:
    """The sign-in page, with an error when the last attempt failed."""
    return render_template("login.html", error=error, next=request.args.get("next", ""))


@blueprint.post("/dang-nhap")
def login() -> ResponseReturnValue:
    """Sign in with name and password, then go back to `next`; refused after too many wrong ones."""
    username = request.form.get("username", "")
    wait = wait_minutes(username)
    if wait:
        error = f"Đăng nhập sai quá nhiều lần; hãy thử lại sau {wait} phút."
        return login_form(error=error), 429
    if check_login(get_catalog(), username, request.form.get("password", "")) is None:
        record_failure(username)
        return login_form(error="Sai tên đăng nhập hoặc mật khẩu."), 401
    record_success(username)
    sign_in(username.strip())
    return redirect(_safe_next(request.form.get("next")), code=303)


@blueprint.post("/dang-xuat")
def logout() -> ResponseReturnValue:
    """Sign out and go to the search page."""
    sign_out()
    return redirect("/", code=303)


def _upload_page(results: list[dict[str, Any]] | None) -> str:
    limit = current_app.config["MAX_CONTENT_LENGTH"]  # archive.settings.MAX_FILE_BYTES
    return render_template(
        "upload.html", results=results, limit=limit, limit_text=size_text(limit), formats=FORMATS
    )


@blueprint.get("/tai-len")
@staff_required
def upload_page() -> str:
    """The upload form; with JavaScript each file goes in its own request (upload.js)."""
    return _upload_page(None)


@blueprint.post("/tai-len")
@staff_required
def upload_form() -> ResponseReturnValue:
    """The upload form without JavaScript: every file of the form at once."""
    files = [f for f in request.files.getlist("files") if f.filename]
    if not files:
        return _upload_page([]), 400
    answers, status = archive_uploads(files, current_user() or "")
    return _upload_page(answers), status


@blueprint.post("/can-xem-lai/<int:document_id>")
@staff_required
def save_review(document_id: int) -> ResponseReturnValue:
    """The review desk's form: record the values read (a field left as it was, as read
    too), then open the next letter (the desk's queue after this one). A refused value
    shows the same letter again."""
    fields: dict[str, object] = {
        name: value
        for name, value in request.form.items()
        if name in EDITABLE and name not in LISTS
    }
    try:
        if not record_correction(document_id, current_user() or "", fields, reviewed=True):
            return redirect("/can-xem-lai", code=303)
    except CorrectionError as problem:
        data = review_data(get_catalog(), review_after_param(request.form))
        page = render_template(
            "review.html", data=data, api_url="/api/review", error=problem, entered=request.form
        )
        return page, 400
    return redirect(f"/can-xem-lai?sau={document_id}", code=303)
