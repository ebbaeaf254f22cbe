"""The official Meilisearch client on a kept-alive connection.

The client sends each request with `requests.get`/`requests.post`, which opens a new TCP
connection every time (5–10 ms a request). A `requests.Session` keeps the connection but
was worse: urllib3 writes a request's head and its body apart, and on a reused
connection each search then waited about 40 ms for a delayed acknowledgement (57 ms
against 13 ms for the same search, measured). So the client's requests go through
`http.client`, which writes head and body together, on one connection per client. A
connection is not meant to be shared between threads, and neither is the client (it
rewrites one header dict per request), so each thread makes its own.
"""

from __future__ import annotations

import http.client
import weakref
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import meilisearch
import requests
from meilisearch._httprequests import HttpRequests
from meilisearch.config import Config
from meilisearch.index import Index
from requests.structures import CaseInsensitiveDict

Sender = Callable[..., requests.Response]
_VERBS = ("GET", "POST", "PATCH", "PUT", "DELETE")
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class KeptAlive:
    """One kept-alive HTTP connection to the server, opened again when the server has
    closed it (Meilisearch closes an idle one after a few seconds)."""

    def __init__(self, url: str, timeout: float) -> None:
        parts = urlsplit(url)
        self._secure = parts.scheme == "https"
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or (443 if self._secure else 80)
        self._timeout = timeout
        self._connection: http.client.HTTPConnection | None = None
        self._closer: weakref.finalize[Any, Any] | None = None

    def sender(self, method: str) -> Sender:
        """A stand-in for `requests.get`, `requests.post`… as the client calls them."""

        def send(url: str, timeout: float | None = None, headers: Any = None,
                 data: Any = None) -> requests.Response:  # fmt: skip
            return self._send(method, url, dict(headers or {}), data)

        send.__name__ = method.lower()  # the client tells a GET by this name
        return send

    def _open(self) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self._secure else http.client.HTTPConnection
        self._connection = connection = kind(self._host, self._port, timeout=self._timeout)
        # Closed when this object goes, even when it goes with a cycle (a Flask app's):
        # a finalizer runs before the garbage's own, which would warn of an open socket.
        self._closer = weakref.finalize(self, connection.close)
        return connection

    def _send(self, method: str, url: str, headers: dict[str, str], data: Any) -> requests.Response:
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        body = data.encode() if isinstance(data, str) else data
        for attempt in (1, 2):
            fresh = self._connection is None
            connection = self._connection or self._open()
            try:
                connection.request(method, path, body=body, headers=headers)
                answer = connection.getresponse()
                content = answer.read()
                break
            except _STALE as error:
                self.close()
                if fresh or attempt == 2:  # not a connection the server closed while idle
                    raise requests.exceptions.ConnectionError(str(error)) from error
            except TimeoutError as error:
                self.close()
                raise requests.exceptions.Timeout(str(error)) from error
            except (OSError, http.client.HTTPException) as error:
                self.close()
                raise requests.exceptions.ConnectionError(str(error)) from error
        if answer.will_close:
            self.close()
        return _response(url, answer, content)

    def close(self) -> None:
        """Close the connection (the next request opens another)."""
        if self._closer is not None:
            self._closer()  # closes the connection, once
        self._connection, self._closer = None, None


def _response(url: str, answer: http.client.HTTPResponse, content: bytes) -> requests.Response:
    """The answer as the `requests.Response` the client reads."""
    response = requests.Response()
    response.status_code = answer.status
    response.reason = answer.reason
    response.headers = CaseInsensitiveDict(answer.getheaders())
    response.url = url
    response.encoding = "utf-8"
    response._content = content
    return response


class _Requests(HttpRequests):
    """The client's request layer, sending through the kept-alive connection: its `get`,
    `post`… hand `send_request` the `requests` function of their verb, which is swapped
    here for the connection's sender of the same name."""

    def __init__(self, config: Config, connection: KeptAlive) -> None:
        super().__init__(config)
        self._send = {verb.lower(): connection.sender(verb) for verb in _VERBS}

    def send_request(self, http_method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return super().send_request(self._send[http_method.__name__], *args, **kwargs)


class KeptAliveClient(meilisearch.Client):
    """`meilisearch.Client` whose every request, its indexes' and tasks' too, goes
    through one kept-alive connection."""

    def __init__(self, url: str, api_key: str | None, timeout: int) -> None:
        super().__init__(url, api_key, timeout=timeout)
        self.connection = KeptAlive(url, timeout)
        self.http = _Requests(self.config, self.connection)
        self.task_handler.http = _Requests(self.config, self.connection)
        self._indexes: dict[str, Index] = {}

    def index(self, uid: str) -> Index:
        """The index `uid`, made once, on this client's connection."""
        found = self._indexes.get(uid)
        if found is None:
            found = super().index(uid)
            found.http = _Requests(self.config, self.connection)
            found.task_handler.http = _Requests(self.config, self.connection)
            self._indexes[uid] = found
        return found
