"""Application factory, per-request catalog, and the background index worker."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any

from flask import Flask, Response
from flask_wtf.csrf import CSRFProtect
from werkzeug.routing import IntegerConverter

from archive.settings import MAX_FILE_BYTES, Settings
from archive.store import OriginalStore
from indexer.search.factory import open_engine
from web import api, audit, errors, staff, views
from web.auth import require_login_to_view, secret_key
from web.context import close_catalog

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None, test_config: dict[str, Any] | None = None
) -> Flask:
    """Build the Flask app for one data folder."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.url_map.converters["int"] = CatalogId  # /documents/<int:…>: ids SQLite can hold
    app.config.update(
        JSON_AS_ASCII=False,
        SETTINGS=settings,
        SECRET_KEY=secret_key(settings),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,  # behind HTTPS: CONGVAN_SECURE_COOKIES=1
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        MAX_CONTENT_LENGTH=MAX_FILE_BYTES,  # one upload request; the upload page says so
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if test_config:
        app.config.update(test_config)
    app.extensions["congvan_engine"] = open_engine(settings)
    app.extensions["congvan_store"] = OriginalStore(settings.originals_dir)
    app.extensions["congvan_due"] = {"ocr": threading.Event()}

    CSRFProtect(app)  # every POST, PATCH and DELETE, forms and API alike
    app.before_request(require_login_to_view)
    app.after_request(_safety_headers)
    errors.register(app)
    app.register_blueprint(views.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(staff.blueprint)
    app.register_blueprint(audit.blueprint)
    app.teardown_appcontext(close_catalog)
    return app


# Scripts and styles come only from our own static files; originals may be shown inline
# (PDF viewer, images) only from this site, and no other site may frame our pages.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; "
    "form-action 'self'"
)


class CatalogId(IntegerConverter):
    """A catalog id in a URL: at most 18 digits (SQLite's integers stop at 2⁶³), so a huge
    id is a 404 like any unknown one, not a 500."""

    regex = r"\d{1,18}"


def _safety_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
