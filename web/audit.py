"""Auditors' and staff's pages, each an HTML page and its JSON twin built from one data
function: browse by issuer → year → month, letters per issuer per month, the access log,
the review desk.

A new page with its JSON twin is a `Twin` here, its data function (`web/data.py` or
`web/browse.py`) and its template: the two cannot drift, they are one dict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request
from flask.typing import ResponseReturnValue

from web.auth import admin_required, staff_required
from web.browse import browse_data, month_table_data, year_param
from web.context import get_catalog, get_engine
from web.data import access_entries, review_data
from web.params import review_after_param

blueprint = Blueprint("audit", __name__)


@dataclass(frozen=True)
class Twin:
    """A page (`page`, HTML from `template`) and its JSON twin (`api`), one data dict."""

    page: str
    api: str
    template: str
    data: Callable[[], Any]  # the dict both show, from the request's arguments
    admin: bool = False  # administrators only
    staff: bool = False  # signed-in staff only


def _browse() -> dict[str, Any]:
    issuer = (request.args.get("issuer") or "").strip() or None
    return browse_data(get_engine(), issuer, year_param(request.args.get("year")))


def _month_table() -> dict[str, Any]:
    return month_table_data(get_engine(), year_param(request.args.get("year")))


def _access_log() -> dict[str, Any]:
    return {"entries": access_entries(get_catalog(), request.args)}


def _review() -> dict[str, Any]:
    return review_data(get_catalog(), review_after_param(request.args))


TWINS = (
    # Counts by issuer, an issuer's years, or its months in a year.
    Twin("/duyet", "/api/browse", "browse.html", _browse),
    # Letters per issuer per month of a year.
    Twin("/bang", "/api/table", "table.html", _month_table),
    # Who opened or downloaded which original, and when: the newest 100 entries
    # (`before=ID` for older ones, `document=ID` for one letter's).
    Twin("/nhat-ky-truy-cap", "/api/access-log", "access_log.html", _access_log, admin=True),
    # Letters with a field left for a person to read, newest first (`sau=ID`: older ones).
    Twin("/can-xem-lai", "/api/review", "review.html", _review, staff=True),
)


def _page(twin: Twin) -> Callable[[], ResponseReturnValue]:
    def page() -> ResponseReturnValue:
        api_url = twin.api + "?" + request.query_string.decode("latin-1")
        return render_template(twin.template, data=twin.data(), api_url=api_url)

    return page


def _json(twin: Twin) -> Callable[[], Response]:
    def twin_json() -> Response:
        return jsonify(twin.data())

    return twin_json


def _register(twin: Twin) -> None:
    name = twin.template.removesuffix(".html")
    page, twin_json = _page(twin), _json(twin)
    if twin.admin:
        page, twin_json = admin_required(page), admin_required(twin_json)
    elif twin.staff:
        page, twin_json = staff_required(page), staff_required(twin_json)
    blueprint.add_url_rule(twin.page, f"{name}_page", page, methods=["GET"])
    blueprint.add_url_rule(twin.api, f"{name}_json", twin_json, methods=["GET"])


for twin in TWINS:
    _register(twin)
