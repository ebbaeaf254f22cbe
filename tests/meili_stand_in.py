"""A stand-in for a Meilisearch server at its HTTP boundary, for machines without one.

It listens on a real port, records every request (method, path, JSON body, Authorization
header) and answers the routes the engine uses in the shapes of the Meilisearch API
reference (v1.15): index creation, settings, documents, deletion by filter, swaps, tasks,
keys, health and search. It does not search: tests give it the search answers to return,
and they check what the engine sent and how it reads what comes back. Tasks succeed
unless a test says they fail or stay processing.
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

    def sent(self, method: str, pattern: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and re.fullmatch(pattern, r.path)]

    # --- answers -------------------------------------------------------------------------

    def _task(self, kind: str, uid: str | None) -> tuple[int, dict[str, Any]]:
        number = len(self.tasks)
        error = self.failing_task_types.get(kind)
        self.tasks[number] = {
            "uid": number,
            "indexUid": uid,
            "status": "failed" if error else "succeeded",
            "type": kind,
            "error": error,
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

    def answer(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        route = re.fullmatch(r"/indexes/([^/]+)(/.*)?", path)
        if path == "/health":
            return 200, {"status": "available"}
        if method == "GET" and (match := re.fullmatch(r"/tasks/(\d+)", path)):
            task = dict(self.tasks[int(match[1])])
            if self.tasks_stay_processing:
                task.update(status="processing", error=None)
            return 200, task
        if path.startswith("/keys"):
            return self._keys(method, body)
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
            if self.search_answers:
                return 200, self.search_answers.pop(0)
            return 200, {"hits": [], "totalHits": 0, "facetDistribution": {}, "query": body["q"]}
        return 404, {"message": f"no route {method} {path}", "code": "not_found"}

    def _keys(self, method: str, body: Any) -> tuple[int, Any]:
        if method == "GET":
            return 200, {"results": self.keys, "offset": 0, "limit": 1000, "total": len(self.keys)}
        key = {
            **body,
            "key": f"key-{body['name']}-0123456789abcdef",
            "uid": f"00000000-0000-0000-0000-00000000000{len(self.keys)}",
            "createdAt": "2026-11-24T10:00:00.000000Z",
            "updatedAt": "2026-11-24T10:00:00.000000Z",
        }
        self.keys.append(key)
        return 201, key


def _handler(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            path = self.path.split("?")[0]
            stand_in.requests.append(
                Recorded(self.command, path, body, self.headers.get("Authorization"))
            )
            status, answer = stand_in.answer(self.command, path, body)
            data = json.dumps(answer).encode()
            self.send_response(status)
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
