"""Slack's requests at the door: the signature (v0 HMAC-SHA256 of `v0:timestamp:body`), then the shape.

Checked on the raw bytes before anything is parsed: a timestamp that is not a plain number of at most
twelve digits, a signature that is not `v0=` and 64 hex digits, or one more than five minutes old, is a
401; a body that is not UTF-8, malformed or too deep JSON, lone surrogates, a form that is neither a
command nor an interaction, or a field of the wrong type for what the listeners read is a 400.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from typing import Any
from urllib.parse import parse_qs

from adapters.common.door import BadRequest, check_text, fields, parse_json, utf8

WINDOW = 300  # seconds a signature is accepted
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
EVENTS_READ = ("message", "app_mention", "app_home_opened")


def verify(raw: bytes, timestamp: str, signature: str, secret: str, now: float | None = None) -> None:
    """Raise BadRequest(401) unless Slack signed these bytes in the last five minutes."""
    if not TIMESTAMP.fullmatch(timestamp) or not SIGNATURE.fullmatch(signature):
        raise BadRequest("missing or malformed Slack signature", 401)
    if abs((time.time() if now is None else now) - int(timestamp)) > WINDOW:
        raise BadRequest("Slack signature too old", 401)
    base = b"v0:" + timestamp.encode("ascii") + b":" + raw
    expected = "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise BadRequest("invalid Slack signature", 401)


def check(raw: bytes, content_type: str) -> str:
    """The body as text, once it is shaped as Slack sends it; else BadRequest(400)."""
    body = utf8(raw)
    if content_type == "application/json":
        _event(parse_json(body))
    elif content_type == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(body, strict_parsing=bool(body), errors="strict")
        except (ValueError, UnicodeDecodeError):
            raise BadRequest("malformed form") from None
        check_text(form)
        if "payload" in form:
            _interaction(parse_json(form["payload"][0]))
        elif "command" not in form or "user_id" not in form:
            raise BadRequest("neither a slash command nor an interaction")
    else:
        raise BadRequest("unsupported content type")
    return body


def _event(data: Any) -> None:
    fields(data, "body", type=str, event_id=str, team_id=str, event=dict, challenge=str)
    if "type" not in data:
        raise BadRequest("body without a type")
    event = data.get("event")
    if data["type"] == "event_callback":
        if not isinstance(event, dict) or not isinstance(data.get("event_id"), str):
            raise BadRequest("an event callback without an event or event_id")
        if event.get("type") in EVENTS_READ:
            fields(event, "event", type=str, user=str, channel=str, text=str, ts=str, thread_ts=str)
            fields(event, "event", channel_type=str, subtype=str, bot_id=str, tab=str)


def _interaction(data: Any) -> None:
    fields(data, "payload", type=str, user=dict, team=dict, view=dict, container=dict, message=dict)
    fields(data, "payload", actions=list, trigger_id=str, response_url=str, channel=dict)
    if not isinstance(data.get("type"), str) or not isinstance(data.get("user"), dict):
        raise BadRequest("an interaction without a type or user")
    fields(data["user"], "payload.user", id=str)
    if not isinstance(data["user"].get("id"), str):
        raise BadRequest("an interaction without a user id")
    fields(data.get("team") or {}, "payload.team", id=str)
    fields(data.get("channel") or {}, "payload.channel", id=str)
    fields(data.get("container") or {}, "payload.container", type=str, channel_id=str, message_ts=str)
    fields(data.get("container") or {}, "payload.container", thread_ts=str, is_ephemeral=bool)
    view = data.get("view") or {}
    fields(view, "payload.view", id=str, hash=str, private_metadata=str, state=dict, type=str)
    values = (view.get("state") or {}).get("values") or {}
    fields(values, "payload.view.state.values")
    for block in values.values():
        for element in fields(block, "payload.view.state.values[]").values():
            fields(element, "payload.view.state.values[][]", value=str)
    message = data.get("message") or {}
    fields(message, "payload.message", ts=str, text=str, blocks=list)
    for action in data.get("actions") or []:
        fields(action, "payload.actions[]", action_id=str, value=str, text=dict)
