"""A local fake of the Slack Web API that records every call, for tests and benchmarks.

Point the bot at it with SLACK_API_URL=<fake.url>/api/. It answers the methods the bot uses the way
Slack documents them (`{"ok": true, ...}`), records each call as (method, arguments), serves
response_url posts at /response/<id>, and a Socket Mode WebSocket at /link (apps.connections.open
returns its URL) through which a test can push envelopes and read the app's acknowledgements.

Runs an aiohttp server on 127.0.0.1 in a thread of its own, so synchronous tests can use it.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from aiohttp import WSMsgType, web
from threaded import ThreadedServer

BOT_USER = "UBOT0000"
BOT_ID = "BBOT0000"
TEAM = "T0000001"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    token: str = ""


class FakeSlack(ThreadedServer):
    """The fake Web API. `calls` grows as the bot calls it; `locales` and `groups` shape its answers."""

    name = "fake Slack API"

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[Call] = []
        self.locales: dict[str, str] = {}
        self.groups: dict[str, list[str]] = {}
        self.fail: dict[str, str] = {}  # method -> error to answer with
        # method -> HTTP statuses to answer the next calls with (429 carries Retry-After: 1), then normal
        self.fail_http: dict[str, list[int]] = {}
        self.hang: set[str] = set()  # methods that never answer (a test kills the server meanwhile)
        self.hung = 0  # calls that hung
        self.refused: list[tuple[str, int]] = []  # (method, status) answered from fail_http
        self._ts = itertools.count(1)
        self._lock = threading.Lock()
        self._sockets: list[web.WebSocketResponse] = []
        self.socket_acks: list[dict[str, Any]] = []

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response)
        app.router.add_get("/link", self._socket)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    # ---- what was called ----

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    def of(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait(self, method: str, count: int = 1, timeout: float = 30.0, where: Any = None) -> list[Call]:
        """The calls of `method` (matching `where(args)`), once there are at least `count`; else fail."""
        deadline = time.monotonic() + timeout
        while True:
            found = [c for c in self.of(method) if where is None or where(c.args)]
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [(c.method, str(c.args)[:200]) for c in self.calls]
                raise AssertionError(f"{count} x {method} not called within {timeout} s; calls: {seen}")
            time.sleep(0.02)

    # ---- the API ----

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw:
            if request.content_type == "application/json":
                args.update(json.loads(raw))
            else:
                args.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
        for key in ("blocks", "view", "attachments"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if method in self.hang:
            with self._lock:
                self.hung += 1
            await asyncio.sleep(3600)
        statuses = self.fail_http.get(method)
        if statuses:
            status = statuses.pop(0)
            with self._lock:
                self.refused.append((method, status))
            headers = {"Retry-After": "1"} if status == 429 else {}
            return web.json_response({"ok": False, "error": "ratelimited"}, status=status, headers=headers)
        if method in self.fail:
            with self._lock:
                self.calls.append(Call(method, args, token=token))
            return web.json_response({"ok": False, "error": self.fail[method]})
        answer = self._answer(method, args)
        if "ts" in answer:
            args["ts_"] = answer["ts"]  # the id Slack gave the message, for a test to click its buttons
        if "view" in answer:
            args["view_id_"] = answer["view"]["id"]
        with self._lock:
            self.calls.append(Call(method, args, token=token))
        return web.json_response(answer)

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ok: dict[str, Any] = {"ok": True}
        if method == "auth.test":
            return ok | {"user_id": BOT_USER, "bot_id": BOT_ID, "team_id": TEAM, "user": "bemotandeboten"}
        if method == "users.info":
            user = str(args.get("user"))
            return ok | {"user": {"id": user, "locale": self.locales.get(user, "sv-SE")}}
        if method == "usergroups.users.list":
            return ok | {"users": self.groups.get(str(args.get("usergroup")), [])}
        if method == "conversations.open":
            return ok | {"channel": {"id": "D" + str(args.get("users", "")).lstrip("U")}}
        if method in ("chat.postMessage", "chat.update"):
            ts = args.get("ts") or f"{1_700_000_000 + next(self._ts)}.000100"
            channel = str(args.get("channel"))
            if channel.startswith("U"):
                channel = "D" + channel[1:]
            return ok | {"channel": channel, "ts": ts, "message": {"ts": ts, "text": args.get("text", "")}}
        if method == "chat.postEphemeral":
            return ok | {"message_ts": f"{1_700_000_000 + next(self._ts)}.000200"}
        if method in ("views.open", "views.update", "views.publish"):
            return ok | {"view": {"id": args.get("view_id") or f"V{next(self._ts):06d}", **(args.get("view") or {})}}
        if method == "apps.connections.open":
            return ok | {"url": f"ws://127.0.0.1:{self.port}/link"}
        return ok

    async def _response(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._lock:
            self.calls.append(Call("response_url", {"id": request.match_info["id"], **body}))
        return web.Response(text="ok")

    # ---- Socket Mode ----

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"type": "hello", "num_connections": 1})
        self._sockets.append(ws)
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                with self._lock:
                    self.socket_acks.append(json.loads(msg.data))
        return ws

    def push(self, envelope: dict[str, Any], timeout: float = 10.0) -> None:
        """Send a Socket Mode envelope to the connected app."""
        deadline = time.monotonic() + timeout
        while not self._sockets:
            if time.monotonic() > deadline:
                raise AssertionError("no Socket Mode connection")
            time.sleep(0.05)
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(self._sockets[-1].send_json(envelope), self._loop).result(timeout)
