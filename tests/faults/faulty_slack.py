"""The fake Slack Web API with faults: per channel, a script of answers to `chat.postMessage`.

A script entry is one of
- `("status", 500)` / `("status", 503)`: that HTTP status with `{"ok": false}`; nothing is posted;
- `("ratelimited", seconds)`: HTTP 429 with `Retry-After: seconds`; nothing is posted;
- `("not_ok", "internal_error")`: HTTP 200 with `{"ok": false, "error": ...}`; nothing is posted;
- `("slow", seconds)`: the message IS posted (recorded at once), but the answer comes after `seconds`
  (longer than the bot's post timeout: "maybe delivered");
- `("always", 500)`: every call fails with that status until the test clears it.
Entries are used one per call, in order; when a channel's script is empty the post succeeds.
Every call, failed or not, is in `attempts`; `calls` holds only the posts Slack made.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from fake_slack import FakeSlack


class FaultySlack(FakeSlack):
    name = "faulty fake Slack API"

    def __init__(self) -> None:
        super().__init__()
        self.scripts: dict[str, list[tuple[str, Any]]] = {}
        self.attempts: list[str] = []
        self.delay = 0.0  # seconds every successful post takes to be answered (to make processes overlap)
        self._faults = threading.Lock()

    def script(self, channel: str, *entries: tuple[str, Any]) -> None:
        with self._faults:
            self.scripts[channel] = list(entries)

    def posted(self, channel: str) -> list[dict[str, Any]]:
        return [c.args for c in self.of("chat.postMessage") if c.args.get("channel") == channel]

    async def _api(self, request: web.Request) -> web.Response:
        if request.match_info["method"] != "chat.postMessage":
            return await super()._api(request)
        raw = await request.read()
        args: dict[str, Any] = (
            json.loads(raw)
            if request.content_type == "application/json"
            else {k: v[0] for k, v in parse_qs(raw.decode()).items()}
        )
        channel = str(args.get("channel"))
        with self._faults:
            self.attempts.append(channel)
            queue = self.scripts.get(channel) or []
            fault = queue[0] if queue else None
            if fault is not None and fault[0] != "always":
                queue.pop(0)
        if fault is not None:
            kind, value = fault
            if kind in ("status", "always"):
                return web.json_response({"ok": False, "error": "fatal_error"}, status=int(value))
            if kind == "ratelimited":
                return web.json_response(
                    {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": str(value)}
                )
            if kind == "not_ok":
                return web.json_response({"ok": False, "error": str(value)})
        answer = self._answer("chat.postMessage", args)
        with self._lock:
            from fake_slack import Call

            self.calls.append(Call("chat.postMessage", {**args, "ts_": answer["ts"]}))
        wait = float(fault[1]) if fault is not None and fault[0] == "slow" else self.delay
        if wait:
            await asyncio.sleep(wait)
        return web.json_response(answer)
