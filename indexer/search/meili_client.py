"""The official Meilisearch client on kept-alive connections.

The client sends each request with `requests.get`/`requests.post`, which opens a new TCP
connection every time: 5–10 ms a request, more than Meilisearch takes to answer most
searches. Here its requests go through one `requests.Session` instead, whose pool keeps
the connection open. A session is not meant to be shared between threads, and neither is
the client (it rewrites one header dict per request), so each thread makes its own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import meilisearch
import requests
from meilisearch._httprequests import HttpRequests
from meilisearch.config import Config
from meilisearch.index import Index

_Body = Mapping[str, Any] | Sequence[Any] | bytes | str | None


class _KeptAlive(HttpRequests):
    """The client's request layer, sending through a session."""

    def __init__(self, config: Config, session: requests.Session) -> None:
        super().__init__(config)
        self._session = session

    def get(self, path: str) -> Any:
        return self.send_request(self._session.get, path)

    def post(
        self,
        path: str,
        body: _Body = None,
        content_type: str | None = "application/json",
        *,
        serializer: type[json.JSONEncoder] | None = None,
    ) -> Any:
        return self.send_request(
            self._session.post, path, body, content_type, serializer=serializer
        )

    def patch(
        self, path: str, body: _Body = None, content_type: str | None = "application/json"
    ) -> Any:
        return self.send_request(self._session.patch, path, body, content_type)

    def put(
        self,
        path: str,
        body: Any = None,
        content_type: str | None = "application/json",
        *,
        serializer: type[json.JSONEncoder] | None = None,
    ) -> Any:
        return self.send_request(self._session.put, path, body, content_type, serializer=serializer)

    def delete(self, path: str, body: Any = None) -> Any:
        return self.send_request(self._session.delete, path, body)


class KeptAliveClient(meilisearch.Client):
    """`meilisearch.Client` whose every request, its indexes' and tasks' too, goes
    through one session of kept-alive connections."""

    def __init__(self, url: str, api_key: str | None, timeout: int) -> None:
        super().__init__(url, api_key, timeout=timeout)
        self.session = requests.Session()
        self.http = _KeptAlive(self.config, self.session)
        self.task_handler.http = _KeptAlive(self.config, self.session)
        self._indexes: dict[str, Index] = {}

    def index(self, uid: str) -> Index:
        """The index `uid`, made once, on this client's session."""
        found = self._indexes.get(uid)
        if found is None:
            found = super().index(uid)
            found.http = _KeptAlive(self.config, self.session)
            found.task_handler.http = _KeptAlive(self.config, self.session)
            self._indexes[uid] = found
        return found
