"""Staff accounts, their sessions and wrong passwords (tables `users`, `sessions`,
`login_failures`); passwords arrive hashed."""

from __future__ import annotations

import secrets
from typing import Any

from archive.catalog.connection import Connection, now_iso


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

    def login_failures_since(self, username: str, address: str, since: str) -> int:
        """Wrong passwords since `since` for this account or from this address, whichever
        is more (guessing one account, or many accounts from one place)."""
        row = self.db.execute(
            "SELECT SUM(username = ?) AS account, SUM(address = ?) AS place"
            " FROM login_failures WHERE at > ?",
            (username, address, since),
        ).fetchone()
        return max(int(row["account"] or 0), int(row["place"] or 0))

    def get_user(self, username: str) -> dict[str, Any] | None:
        """The account of this name as stored, password hash included; None if none."""
        row = self.db.execute("SELECT * FROM users WHERE username = ?", (username,)).fetchone()
        return dict(row) if row else None

    def list_users(self) -> list[dict[str, Any]]:
        """Every staff account, oldest first, without its password hash."""
        rows = self.db.execute("SELECT id, username, is_admin, created_at FROM users ORDER BY id")
        return [dict(row) for row in rows]
