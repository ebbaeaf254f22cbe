"""Staff accounts: passwords (hashed with werkzeug's scrypt), sessions, and who may do what.

Reading is public unless CONGVAN_VIEW=login; uploading and correcting always need a staff
account. Accounts are created from the command line (`congvan user add`).
"""

from __future__ import annotations

import math
import os
import secrets
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from archive.catalog import Catalog
from archive.settings import Settings
from web.context import get_catalog
from web.errors import error_response, wants_json

F = TypeVar("F", bound=Callable[..., Any])
MIN_PASSWORD = 10
# Pages anyone may open even when reading needs an account.
OPEN_ENDPOINTS = {"staff.login", "staff.login_form", "static", "api.health"}


class UserExists(Exception):
    """An account of that name exists already."""


def hash_password(password: str) -> str:
    """A password's scrypt hash; ValueError (Vietnamese) when it is too short."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")
    return generate_password_hash(password)


def add_user(catalog: Catalog, username: str, password: str, is_admin: bool = False) -> int:
    """A new staff account; ValueError for a bad name or password, UserExists."""
    username = username.strip()
    if not username or len(username) > 60:
        raise ValueError("tên đăng nhập cần từ 1 đến 60 ký tự")
    try:
        return catalog.add_user(username, hash_password(password), is_admin)
    except sqlite3.IntegrityError:  # the name is the table's key
        raise UserExists(username) from None


def change_password(catalog: Catalog, username: str, password: str) -> bool:
    """A new password for an account (its open sessions close); False: no such account."""
    return catalog.set_password(username, hash_password(password))


_UNKNOWN_USER_HASH: list[str] = []  # checked against when the name is unknown


def check_login(catalog: Catalog, username: str, password: str) -> dict[str, Any] | None:
    """The account if the password is right; as slow when the name is unknown, so the
    answer's timing does not tell which names exist."""
    user = catalog.get_user(username.strip())
    if user is None:
        if not _UNKNOWN_USER_HASH:
            _UNKNOWN_USER_HASH.append(generate_password_hash(secrets.token_hex(16)))
        check_password_hash(_UNKNOWN_USER_HASH[0], password)
        return None
    return user if check_password_hash(user["password_hash"], password) else None


SESSION_HOURS = 12
# Guessing is slowed where it comes from, so that a stranger cannot keep staff out:
# - one account from one address: MAX_FAILURES wrong passwords, then a wait of
#   THROTTLE_MINUTES that doubles with each further one (counted over a day), to a day;
# - one address, any accounts: ADDRESS_FAILURES within THROTTLE_MINUTES, then a wait;
# - one account from many addresses: ACCOUNT_FAILURES within THROTTLE_MINUTES, then only
#   the addresses it signed in from within KNOWN_DAYS may try (its owner's way in).
MAX_FAILURES, THROTTLE_MINUTES = 5, 15
ADDRESS_FAILURES, ACCOUNT_FAILURES, KNOWN_DAYS = 20, 50, 90
MAX_WAIT_MINUTES = 24 * 60


def current_user() -> str | None:
    """The signed-in staff member's name: the cookie's session must still be open in the
    catalog (signing out and a new password close it) and younger than SESSION_HOURS."""
    if "user" not in g:
        token = session.get("token")
        opened_after = _ago(timedelta(hours=SESSION_HOURS))
        g.user = get_catalog().session_user(token, opened_after) if token else None
    user: str | None = g.user
    return user


def _ago(span: timedelta) -> str:
    return (datetime.now(UTC) - span).isoformat(timespec="seconds")


def sign_in(username: str) -> None:
    """A new session for the staff member, in the catalog and the cookie."""
    session.clear()  # a fresh session (and CSRF token) at each sign-in
    session["token"] = get_catalog().open_session(username)
    session.permanent = True


def sign_out() -> None:
    """The session closed in the catalog and the cookie cleared."""
    token = session.get("token")
    if token:
        get_catalog().close_session(token)
    session.clear()


def wait_minutes(username: str) -> int:
    """How long this address must wait before trying this account again (0: now)."""
    name, address, now = username.strip(), request.remote_addr or "", datetime.now(UTC)
    catalog = get_catalog()
    failures = catalog.login_failures(name, address, _ago(timedelta(days=1)))
    waits = [0.0]
    if failures.pair >= MAX_FAILURES and failures.pair_last:
        doubled = THROTTLE_MINUTES * 2 ** min(failures.pair - MAX_FAILURES, 10)
        until = datetime.fromisoformat(failures.pair_last) + timedelta(
            minutes=min(doubled, MAX_WAIT_MINUTES)
        )
        waits.append((until - now).total_seconds() / 60)
    recent = catalog.login_failures(name, address, _ago(timedelta(minutes=THROTTLE_MINUTES)))
    if recent.address >= ADDRESS_FAILURES:
        waits.append(THROTTLE_MINUTES)
    known = catalog.known_address(name, address, _ago(timedelta(days=KNOWN_DAYS)))
    if recent.account >= ACCOUNT_FAILURES and not known:
        waits.append(THROTTLE_MINUTES)
    return math.ceil(max(waits))


def record_failure(username: str) -> None:
    """A wrong password recorded, for the account and the address."""
    get_catalog().record_login_failure(username.strip(), request.remote_addr or "")


def record_success(username: str) -> None:
    """The address the account signed in from, known from now on (its owner's way in)."""
    get_catalog().record_login_success(username.strip(), request.remote_addr or "")


def _refuse() -> Any:
    if wants_json():
        return error_response(401, "cần đăng nhập bằng tài khoản cán bộ")
    return redirect(url_for("staff.login_form", next=request.full_path.rstrip("?")))


def staff_required(view: F) -> F:
    """Only for signed-in staff: others are sent to the sign-in page (or get 401 JSON)."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return _refuse()
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def is_admin() -> bool:
    """Whether the signed-in staff member is an administrator."""
    user = current_user()
    account = get_catalog().get_user(user) if user else None
    return bool(account and account["is_admin"])


def admin_required(view: F) -> F:
    """Only for administrators (the access log): others are refused with 403."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return _refuse()
        if not is_admin():
            return error_response(403, "Chỉ quản trị viên được xem trang này.")
        return view(*args, **kwargs)

    return guarded  # type: ignore[return-value]


def log_access(document_id: int, action: str) -> None:
    """Who (the signed-in account, else only the address) opened which original, and how."""
    get_catalog().log_access(document_id, action, current_user(), request.remote_addr or "")


def require_login_to_view() -> Any:
    """Before each request when reading needs an account (CONGVAN_VIEW=login)."""
    settings: Settings = current_app.config["SETTINGS"]
    open_to_all = not settings.login_to_view or request.endpoint in OPEN_ENDPOINTS
    return None if open_to_all or current_user() is not None else _refuse()


def secret_key(settings: Settings) -> str:
    """CONGVAN_SECRET_KEY, else a random key kept in the data folder (created once, 0600),
    so sessions survive restarts and every process of one archive agrees."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.secret_key_path
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text("ascii").strip()
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
    return path.read_text("ascii").strip()
