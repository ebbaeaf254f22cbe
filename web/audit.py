"""Auditors' pages: browse by issuer → year → month, and letters per issuer per month."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from web.auth import admin_required
from web.browse import browse_data, month_table_data, year_param
from web.context import get_catalog, get_engine
from web.data import access_entries

blueprint = Blueprint("audit", __name__)


@blueprint.get("/duyet")
def browse_page() -> ResponseReturnValue:
    issuer = (request.args.get("issuer") or "").strip() or None
    data = browse_data(get_engine(), issuer, year_param(request.args.get("year")))
    return render_template("browse.html", data=data, api_url="/api/browse?" + _query())


@blueprint.get("/nhat-ky-truy-cap")
@admin_required
def access_log_page() -> ResponseReturnValue:
    """Who opened or downloaded which original, and when (administrators only)."""
    entries = access_entries(get_catalog(), request.args)
    return render_template(
        "access_log.html", entries=entries, api_url="/api/access-log?" + _query()
    )


@blueprint.get("/bang")
def table_page() -> ResponseReturnValue:
    data = month_table_data(get_engine(), year_param(request.args.get("year")))
    return render_template("table.html", data=data, api_url="/api/table?" + _query())


def _query() -> str:
    return request.query_string.decode("latin-1")
