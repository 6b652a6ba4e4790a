"""A local fake of the Bot Framework connector (the Teams side of a bot conversation), for tests.

Activities name it as their serviceUrl; the bot's replies, proactive posts and card updates arrive here
as the Bot Framework REST API documents them, and are recorded: `sent` holds (kind, conversation,
activity id, body) with kind "send" (POST .../activities), "reply" (POST .../activities/{id}) or
"update" (PUT .../activities/{id}). Runs on 127.0.0.1 in a thread of its own.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from threaded import ThreadedServer


@dataclass
class Sent:
    kind: str
    conversation: str
    activity_id: str
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    @property
    def text(self) -> str:
        """The message text, or all text in its cards."""
        parts = [str(self.body.get("text") or "")]
        for att in self.body.get("attachments") or []:
            parts.append(_card_text(att.get("content") or {}))
        return "\n".join(p for p in parts if p)

    def actions(self) -> list[dict[str, Any]]:
        return [
            a for att in self.body.get("attachments") or [] for a in (att.get("content") or {}).get("actions") or []
        ]

    def action(self, title_part: str) -> dict[str, Any]:
        for a in self.actions():
            if title_part.casefold() in a.get("title", "").casefold():
                return a
        raise AssertionError(f"no action {title_part!r} in {[a.get('title') for a in self.actions()]}")

    def has_input(self) -> bool:
        return "Input.Text" in str(self.body)


def _card_text(node: Any) -> str:
    if isinstance(node, dict):
        own = [str(node["text"])] if node.get("type") in ("TextBlock", "TextRun") and "text" in node else []
        return "\n".join(own + [t for v in node.values() if (t := _card_text(v))])
    if isinstance(node, list):
        return "\n".join(t for v in node if (t := _card_text(v)))
    return ""


class FakeConnector(ThreadedServer):
    name = "fake connector"

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[Sent] = []
        self.members: dict[str, set[str]] = {}  # Entra group id -> user object ids (the fake Graph)
        self.graph_calls: list[str] = []
        self.fail_http: list[int] = []  # statuses to answer the next activity posts with (429: Retry-After 1)
        self.refused: list[int] = []
        self.refused_at: list[float] = []  # when each refusal was answered (time.monotonic)
        self.hang = False  # activity posts never answer (a test kills the server meanwhile)
        self.jwks: dict[str, Any] = {"keys": []}  # the signing keys served at /jwks (BOTFRAMEWORK_JWKS_URL)
        self.hung = 0
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v3/conversations/{cid}/activities", self._send)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._reply)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._update)
        app.router.add_post("/v3/conversations", self._create)
        app.router.add_post("/v1.0/users/{user}/checkMemberGroups", self._groups)
        app.router.add_get("/jwks", self._jwks)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    async def _record(self, kind: str, request: web.Request) -> web.Response:
        body = await request.json()
        if self.hang:
            with self._lock:
                self.hung += 1
            await asyncio.sleep(3600)
        if self.fail_http:
            status = self.fail_http.pop(0)
            with self._lock:
                self.refused.append(status)
                self.refused_at.append(time.monotonic())
            headers = {"Retry-After": "1"} if status == 429 else {}
            return web.json_response({"error": {"code": "Throttled"}}, status=status, headers=headers)
        new_id = request.match_info.get("aid") if kind == "update" else f"1{next(self._ids):012d}"
        with self._lock:
            self.sent.append(Sent(kind, request.match_info["cid"], str(new_id), body))
        return web.json_response({"id": new_id})

    async def _send(self, request: web.Request) -> web.Response:
        return await self._record("send", request)

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._record("reply", request)

    async def _update(self, request: web.Request) -> web.Response:
        return await self._record("update", request)

    async def _groups(self, request: web.Request) -> web.Response:
        """Microsoft Graph's checkMemberGroups: which of the asked groups the user is in (`members`)."""
        asked = (await request.json()).get("groupIds") or []
        user = request.match_info["user"]
        with self._lock:
            self.graph_calls.append(user)
        return web.json_response({"value": [g for g in asked if user in self.members.get(g, ())]})

    async def _jwks(self, request: web.Request) -> web.Response:
        return web.json_response(self.jwks)

    async def _create(self, request: web.Request) -> web.Response:
        return web.json_response({"id": f"a:new{next(self._ids)}"})

    def of(self, conversation: str, kind: str | None = None) -> list[Sent]:
        with self._lock:
            return [
                s for s in self.sent if s.conversation.startswith(conversation) and (kind is None or s.kind == kind)
            ]

    def wait(self, conversation: str, count: int = 1, kind: str | None = None, timeout: float = 30.0) -> list[Sent]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.of(conversation, kind)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                seen = [(s.kind, s.conversation, s.text[:80]) for s in self.sent]
                raise AssertionError(f"{count} x {kind or 'any'} to {conversation} not within {timeout} s: {seen}")
            time.sleep(0.02)
