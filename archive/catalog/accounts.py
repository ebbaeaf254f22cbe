"""Staff accounts, their sessions and wrong passwords (tables `users`, `sessions`,
`login_failures`); passwords arrive hashed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from archive.catalog.connection import Connection, now_iso


@dataclass(frozen=True)
class LoginFailures:
    """Wrong passwords counted since a moment (see `Accounts.login_failures`)."""

    pair: int  # for this account from this address
    pair_last: str | None  # when the last of those was
    address: int  # from this address, any account
    account: int  # for this account, any address


class Accounts(Connection):
    """Staff accounts, their sessions and wrong passwords (tables `users`, `sessions`,
    `login_failures`); passwords arrive hashed."""

    def add_user(self, username: str, password_hash: str, is_admin: bool = False) -> int:
        """A new staff account; sqlite3.IntegrityError if the name is taken."""
        cursor = self.db.execute(
            "INSERT INTO users (username, password_hash, is_admin, created_at) VALUES (?,?,?,?)",
            (username, password_hash, int(is_admin), now_iso()),
        )
        return int(cursor.lastrowid or 0)

    def set_password(self, username: str, password_hash: str) -> bool:
        """A new password; every session of the account ends with the old one."""
        with self._transaction():
            cursor = self.db.execute(
                "UPDATE users SET password_hash = ? WHERE username = ?", (password_hash, username)
            )
            self.db.execute("DELETE FROM sessions WHERE username = ?", (username,))
        return cursor.rowcount == 1

    def open_session(self, username: str) -> str:
        """A new session for the account, in the catalog; its random token."""
        token = secrets.token_urlsafe(32)
        self.db.execute(
            "INSERT INTO sessions (token, username, created_at) VALUES (?,?,?)",
            (token, username, now_iso()),
        )
        return token

    def session_user(self, token: str, opened_after: str) -> str | None:
        """The account of a session still open and opened after the given time."""
        row = self.db.execute(
            "SELECT s.username FROM sessions s JOIN users u ON u.username = s.username"
            " WHERE s.token = ? AND s.created_at > ?",
            (token, opened_after),
        ).fetchone()
        return str(row["username"]) if row else None

    def close_session(self, token: str) -> None:
        """End the session with this token (signing out)."""
        self.db.execute("DELETE FROM sessions WHERE token = ?", (token,))

    def record_login_failure(self, username: str, address: str) -> None:
        """Note a wrong password for this account from this address."""
        self.db.execute(
            "INSERT INTO login_failures (username, address, at) VALUES (?,?,?)",
            (username, address, now_iso()),
        )

    def login_failures(self, username: str, address: str, since: str) -> LoginFailures:
        """Wrong passwords since `since`: for this account from this address (and when the
        last was), from this address for any account, for this account from anywhere."""
        row = self.db.execute(
            "SELECT SUM(username = ? AND address = ?) AS pair,"
            " MAX(CASE WHEN username = ? AND address = ? THEN at END) AS pair_last,"
            " SUM(address = ?) AS place, SUM(username = ?) AS account"
            " FROM login_failures WHERE at > ?",
            (username, address, username, address, address, username, since),
        ).fetchone()
        return LoginFailures(
            int(row["pair"] or 0), row["pair_last"], int(row["place"] or 0),
            int(row["account"] or 0),
        )  # fmt: skip

    def record_login_success(self, username: str, address: str) -> None:
        """Note that the account signed in from this address (a known address)."""
        self.db.execute(
            "INSERT INTO known_addresses (username, address, last_at) VALUES (?,?,?)"
            " ON CONFLICT(username, address) DO UPDATE SET last_at = excluded.last_at",
            (username, address, now_iso()),
        )

    def known_address(self, username: str, address: str, since: str) -> bool:
        """Whether the account signed in from this address since `since`."""
        row = self.db.execute(
            "SELECT 1 FROM known_addresses WHERE username = ? AND address = ? AND last_at > ?",
            (username, address, since),
        ).fetchone()
        return row is not None

    def get_user(self, username: str) -> dict[str, Any] | None:
        """The account of this name as stored, password hash included; None if none."""
        row = self.db.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        return dict(row) if row else None

    def list_users(self) -> list[dict[str, Any]]:
        """Every staff account, oldest first, without its password hash."""
        rows = self.db.execute("SELECT id, username, is_admin, created_at FROM users ORDER BY id")
        return [dict(row) for row in rows]
