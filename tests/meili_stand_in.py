"""A stand-in for a Meilisearch server at its HTTP boundary, for machines without one.

It listens on a real port, records every request (method, path, JSON body, Authorization
header) and answers the routes the engine uses in the shapes a real Meilisearch v1.50.0
gave: index creation, settings, documents, deletion by filter, swaps, tasks, keys, health
and search. It does not search: tests give it the search answers to return, and they check
what the engine sent and how it reads what comes back. Tasks succeed unless a test says
they fail or stay processing.

Given a master key it checks keys as the real server does: the master key may do
anything, a key created through /keys only its actions on its indexes (else 403
`invalid_api_key`), and a key limited to some indexes does not see tasks that belong to
no single index, such as an index swap (404 `task_not_found`).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    authorization: str | None
    client_port: int = 0  # the connection it came on


@dataclass
class StandIn:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)  # index uid → settings
    keys: list[dict[str, Any]] = field(default_factory=list)
    search_answers: list[dict[str, Any]] = field(default_factory=list)  # returned in order
    failing_task_types: dict[str, dict[str, str]] = field(default_factory=dict)
    tasks_stay_processing: bool = False
    search_delay: float = 0.0
    search_error: dict[str, str] | None = None  # answered with status 400
    tasks: dict[int, dict[str, Any]] = field(default_factory=dict)
    master_key: str | None = None  # set: keys are checked
    pieces: int = 0  # documents after a letter's first: what a `chunk >= 1` search finds

    def sent(self, method: str, pattern: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and re.fullmatch(pattern, r.path)]

    def searches(self, uid: str = "congvan") -> list[Recorded]:
        """Every search asked of index `uid`, alone or in a multi-search, in order."""
        found = []
        for r in self.requests:
            if r.method == "POST" and r.path == f"/indexes/{uid}/search":
                found.append(r)
            elif r.method == "POST" and r.path == "/multi-search":
                found += [
                    Recorded(r.method, f"/indexes/{uid}/search", _without_uid(query),
                             r.authorization, r.client_port)
                    for query in r.body["queries"] if query["indexUid"] == uid
                ]  # fmt: skip
        return found

    # --- answers -------------------------------------------------------------------------

    def _task(self, kind: str, uid: str | None) -> tuple[int, dict[str, Any]]:
        number = len(self.tasks)
        error = self.failing_task_types.get(kind)
        self.tasks[number] = {
            "uid": number,
            "batchUid": number,
            "indexUid": uid,
            "status": "failed" if error else "succeeded",
            "type": kind,
            "canceledBy": None,
            "details": {},
            "error": error,
            "duration": "PT1S",
            "enqueuedAt": "2026-11-24T10:00:00.000000Z",
            "startedAt": "2026-11-24T10:00:00.000000Z",
            "finishedAt": "2026-11-24T10:00:01.000000Z",
        }
        if kind == "indexCreation" and uid is not None and not error:
            self.settings.setdefault(uid, {})
        summary = {
            "taskUid": number,
            "indexUid": uid,
            "status": "enqueued",
            "type": kind,
            "enqueuedAt": "2026-11-24T10:00:00.000000Z",
        }
        return 202, summary

    def answer(
        self, method: str, path: str, body: Any, authorization: str | None = None
    ) -> tuple[int, Any]:
        route = re.fullmatch(r"/indexes/([^/]+)(/.*)?", path)
        if path == "/health":
            return 200, {"status": "available"}
        if method == "POST" and path == "/multi-search":
            return self._multi_search(body, authorization)
        refused = self._refused(method, path, body, authorization)
        if refused:
            return refused
        if method == "GET" and (match := re.fullmatch(r"/tasks/(\d+)", path)):
            task = dict(self.tasks[int(match[1])])
            if task["indexUid"] is None and not self._on_every_index(authorization):
                message = f"Task `{match[1]}` not found."
                return 404, {"message": message, "code": "task_not_found"}
            if self.tasks_stay_processing:
                task.update(status="processing", error=None)
            return 200, task
        if path.startswith("/keys"):
            return self._keys(method, path, body)
        if method == "POST" and path == "/indexes":
            return self._task("indexCreation", body["uid"])
        if method == "POST" and path == "/swap-indexes":
            return self._task("indexSwap", None)
        if route is None:
            return 404, {"message": f"no route {path}", "code": "not_found"}
        uid, rest = route[1], route[2] or ""
        if uid not in self.settings and not (method == "DELETE" and rest == ""):
            message = f"Index `{uid}` not found."
            return 404, {"message": message, "code": "index_not_found", "type": "invalid_request"}
        if rest == "/settings" and method == "GET":
            return 200, self.settings[uid]
        if rest == "/settings" and method == "PATCH":
            self.settings[uid].update(body)
            return self._task("settingsUpdate", uid)
        if rest == "/documents" and method == "POST":
            return self._task("documentAdditionOrUpdate", uid)
        if rest == "/documents/delete" and method == "POST":
            return self._task("documentDeletion", uid)
        if rest == "" and method == "DELETE":
            existed = self.settings.pop(uid, None) is not None
            if not existed:
                self.failing_task_types.setdefault(
                    "indexDeletion", {"code": "index_not_found", "message": f"`{uid}` not found"}
                )
            status, summary = self._task("indexDeletion", uid)
            if not existed:
                self.failing_task_types.pop("indexDeletion", None)
            return status, summary
        if rest == "/search" and method == "POST":
            time.sleep(self.search_delay)
            if self.search_error:
                return 400, self.search_error
            if body.get("filter") == ["chunk >= 1"]:  # the engine asks if letters are split
                return 200, {"hits": [], "estimatedTotalHits": self.pieces, "query": ""}
            if self.search_answers:
                return 200, self.search_answers.pop(0)
            return 200, {"hits": [], "totalHits": 0, "facetDistribution": {}, "query": body["q"]}
        return 404, {"message": f"no route {method} {path}", "code": "not_found"}

    def _multi_search(self, body: Any, authorization: str | None) -> tuple[int, Any]:
        """Each query answered as a search of its index; the first refusal is the answer."""
        results = []
        for query in body["queries"]:
            uid = query["indexUid"]
            path = f"/indexes/{uid}/search"
            status, found = self.answer("POST", path, _without_uid(query), authorization)
            if status != 200:
                return status, found
            results.append({"indexUid": uid, **found})
        return 200, {"results": results}

    # --- keys ------------------------------------------------------------------------------

    def _key(self, authorization: str | None) -> dict[str, Any] | None:
        """The key a request carries: the master key as a key on everything."""
        given = (authorization or "").removeprefix("Bearer ")
        if self.master_key is None or given == self.master_key:
            return {"actions": ["*"], "indexes": ["*"]}
        return next((key for key in self.keys if key["key"] == given), None)

    def _on_every_index(self, authorization: str | None) -> bool:
        key = self._key(authorization)
        return key is not None and "*" in key["indexes"]

    def _refused(
        self, method: str, path: str, body: Any, authorization: str | None
    ) -> tuple[int, Any] | None:
        """403 `invalid_api_key` unless the key may take this action on these indexes."""
        action, indexes = _action(method, path, body)
        key = self._key(authorization)
        if (
            key is None
            or not _covers(key["actions"], action)
            or not all(_covers(key["indexes"], uid) for uid in indexes)
        ):
            message = "The provided API key is invalid."
            return 403, {"message": message, "code": "invalid_api_key", "type": "auth"}
        return None

    def _keys(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if method == "GET":
            return 200, {"results": self.keys, "offset": 0, "limit": 1000, "total": len(self.keys)}
        if method == "DELETE":
            given = path.removeprefix("/keys/")
            self.keys = [key for key in self.keys if given not in (key["key"], key["uid"])]
            return 204, None
        key = {
            **body,
            "key": f"key-{body['name']}-0123456789abcdef",
            "uid": f"00000000-0000-0000-0000-{len(self.keys):012d}",
            "createdAt": "2026-11-24T10:00:00.000000Z",
            "updatedAt": "2026-11-24T10:00:00.000000Z",
        }
        self.keys.append(key)
        return 201, key


_ACTIONS = {
    ("POST", "/indexes"): "indexes.create",
    ("POST", "/swap-indexes"): "indexes.swap",
    ("GET", "/keys"): "keys.get",
    ("POST", "/keys"): "keys.create",
    ("GET", ""): "indexes.get",
    ("DELETE", ""): "indexes.delete",
    ("GET", "/settings"): "settings.get",
    ("PATCH", "/settings"): "settings.update",
    ("POST", "/documents"): "documents.add",
    ("POST", "/documents/delete"): "documents.delete",
    ("POST", "/search"): "search",
}


def _without_uid(query: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in query.items() if name != "indexUid"}


def _action(method: str, path: str, body: Any) -> tuple[str, list[str]]:
    """The key action a request needs and the indexes it touches."""
    if path.startswith("/tasks/"):
        return "tasks.get", []
    if path.startswith("/keys/") and method == "DELETE":
        return "keys.delete", []
    if route := re.fullmatch(r"/indexes/([^/]+)(/.*)?", path):
        return _ACTIONS.get((method, route[2] or ""), "unknown"), [route[1]]
    if path == "/indexes":
        return "indexes.create", [body["uid"]]
    if path == "/swap-indexes":
        return "indexes.swap", [uid for swap in body for uid in swap["indexes"]]
    return _ACTIONS.get((method, path), "unknown"), []


def _covers(patterns: list[str], name: str) -> bool:
    """Whether an index uid or an action is granted by patterns such as `*`, `congvan*` or
    `documents.*`."""
    return any(p == name or (p.endswith("*") and name.startswith(p[:-1])) for p in patterns)


def _handler(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # connections kept alive, as Meilisearch keeps them

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if self.headers.get("Content-Type") == "application/x-ndjson":
                body: Any = [json.loads(line) for line in raw.splitlines()]  # documents
            else:
                body = json.loads(raw) if raw else None
            path = self.path.split("?")[0]
            authorization = self.headers.get("Authorization")
            port = self.client_address[1]
            stand_in.requests.append(Recorded(self.command, path, body, authorization, port))
            status, answer = stand_in.answer(self.command, path, body, authorization)
            data = b"" if answer is None else json.dumps(answer).encode()  # 204: no body
            self.send_response(status)
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

    return Handler


@contextmanager
def running(stand_in: StandIn | None = None, port: int = 0) -> Iterator[StandIn]:
    """Serve a stand-in on 127.0.0.1 (`port` 0: any free one) while the block runs."""
    stand_in = stand_in or StandIn()
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(stand_in))
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
