"""Slack's requests answered exactly once, across restarts (the durable inbox, adapters/common/inbox.py).

Before bolt acknowledges a request, a middleware records its key: an event's `event_id` (Slack's
retries carry the same one), a fingerprint of a slash command or of a click (a replay of the same
signed request inside Slack's five-minute window has the same bytes). A key seen before is acknowledged
with `X-Slack-No-Retry` and not answered. Events and commands are answered after the acknowledgement,
so the request is kept (sealed) until its listener has finished; what a crash left unanswered is
dispatched again when the server starts, re-signed with the signing secret.
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from adapters.common.inbox import Inbox, fingerprint

log = logging.getLogger(__name__)

EVENT_TTL = 2 * 3600.0  # Slack retries an event for about an hour at most
REPLAY_TTL = 15 * 60.0  # longer than the five minutes a signature is accepted
INTERACTIONS = ("block_actions", "view_submission", "view_closed", "shortcut", "message_action")


def request_key(body: dict[str, Any]) -> tuple[str, float, bool]:
    """(key, how long to remember it, whether an answer is owed after the ack); key "" for neither."""
    if body.get("type") == "event_callback" and isinstance(body.get("event_id"), str):
        return f"slack:ev:{body['event_id']}", EVENT_TTL, True
    if isinstance(body.get("command"), str):
        return f"slack:cmd:{_fingerprint(body)}", REPLAY_TTL, True
    if body.get("type") in INTERACTIONS:
        return f"slack:ui:{_fingerprint(body)}", REPLAY_TTL, False
    return "", 0.0, False


def _fingerprint(body: dict[str, Any]) -> str:
    return fingerprint(json.dumps(body, sort_keys=True, ensure_ascii=False, default=str))


class Once:
    """The inbox wiring of a Slack front end (a mixin of `SlackFrontEnd`)."""

    app: AsyncApp
    inbox: Inbox | None
    signing_secret: str | None

    async def _accept(self, req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[Any]]) -> Any:
        """Record the request before its acknowledgement; a repeat is acknowledged and dropped."""
        body = req.body if isinstance(req.body, dict) else {}
        key, ttl, owed = request_key(body)
        inbox = self.inbox
        if inbox is None or not key or req.context.get("resume") == key:
            return await next()
        # over HTTP the raw body (it is what the signature covers); in Socket Mode the parsed payload
        raw = req.raw_body if req.mode == "http" else json.dumps(req.body, ensure_ascii=False)
        request = json.dumps({"mode": req.mode, "body": raw, "type": _content_type(req)}) if owed else None
        if not await inbox.accept(key, ttl, request.encode("utf-8", "surrogatepass") if request else None):
            retry = (req.headers.get("x-slack-retry-num") or ["-"])[0]
            log.info("dropped a repeated %s (retry %s)", key.split(":")[1], retry)
            return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
        response = await next()
        if owed and getattr(response, "status", 200) != 200:
            await inbox.done(key)  # nothing listens to it: nothing is owed
        return response

    def _owed(self, listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """A listener whose end (answered, or failed) settles what the inbox holds for its request."""

        @functools.wraps(listener)
        async def run(**kwargs: Any) -> None:
            try:
                await listener(**kwargs)
            finally:
                key = request_key(kwargs.get("body") or {})[0]
                if key and self.inbox is not None:
                    await self.inbox.done(key)

        return run

    async def resume(self) -> int:
        """Answer what was acknowledged before a crash and never answered."""
        if self.inbox is None:
            return 0
        return await self.inbox.resume(self._redispatch)

    async def _redispatch(self, key: str, request: bytes) -> None:
        saved = json.loads(request.decode("utf-8", "surrogatepass"))
        raw, mode = str(saved["body"]), str(saved.get("mode") or "http")
        headers: dict[str, str] = {"content-type": str(saved.get("type") or "application/json")}
        if mode == "http" and self.signing_secret:
            ts = str(int(time.time()))
            headers["x-slack-request-timestamp"] = ts
            headers["x-slack-signature"] = SignatureVerifier(self.signing_secret).generate_signature(
                timestamp=ts, body=raw
            )
        body: str | dict[str, Any] = raw if mode == "http" else json.loads(raw)
        response = await self.app.async_dispatch(
            AsyncBoltRequest(body=body, headers=headers, context={"resume": key}, mode=mode)
        )
        if response.status != 200 and self.inbox is not None:
            await self.inbox.done(key)


def _content_type(req: AsyncBoltRequest) -> str:
    value = req.headers.get("content-type") or [""]
    return str(value[0] if isinstance(value, list | tuple) else value)
