"""Slack on the shared server: `POST /slack/events` (events, commands, interactivity), or Socket Mode.

Environment: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (HTTP), SLACK_APP_TOKEN (Socket Mode), and
SLACK_API_URL to send Web API calls somewhere other than https://slack.com/api/ (a proxy, a test).

The request's signature is checked here, before anything is parsed: no signature, a wrong one, or a
timestamp more than 5 minutes off gets 401 and changes nothing. A body that is not what Slack sends
gets 400 (413 when larger than the server's limit).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from adapters.common.logs import HTTP, SLACK, hold_at_warning
from adapters.slack.app import SlackFrontEnd, SlackSender
from bot.config import ConfigError, Settings
from bot.core import Bot
from bot.server import Mounted

log = logging.getLogger(__name__)

PATH = "/slack/events"


async def mount(app: web.Application, bot: Bot, settings: Settings, options: dict[str, Any]) -> Mounted | None:
    """Add Slack to the server when SLACK_BOT_TOKEN is set; None otherwise."""
    token = os.environ.get("SLACK_BOT_TOKEN")
    if not token:
        return None
    hold_at_warning(*SLACK, *HTTP)
    socket_mode = bool(options.get("socket_mode"))
    secret = os.environ.get("SLACK_SIGNING_SECRET")
    app_token = os.environ.get("SLACK_APP_TOKEN")
    if socket_mode and not app_token:
        raise ConfigError("--socket-mode needs SLACK_APP_TOKEN (an app-level token, xapp-...)")
    if not socket_mode and not secret:
        raise ConfigError("Slack over HTTP needs SLACK_SIGNING_SECRET (or run with --socket-mode and SLACK_APP_TOKEN)")
    front = SlackFrontEnd(bot, settings, token, secret, os.environ.get("SLACK_API_URL"), socket_mode=socket_mode)
    mounted = Mounted("slack", sender=SlackSender(front.client), info={"mode": "socket" if socket_mode else "http"})
    if socket_mode:
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(front.app, app_token)

        async def start() -> None:
            await handler.connect_async()
            log.info("Slack: connected in Socket Mode")

        async def stop() -> None:
            await handler.close_async()

        mounted.start, mounted.stop = start, stop
    else:
        assert secret is not None
        app.router.add_post(PATH, _handler(front, SignatureVerifier(secret)))
        log.info("Slack: events and interactivity at %s", PATH)
    return mounted


async def sender(bot: Bot, settings: Settings) -> SlackSender | None:
    """A sender without a server (`conductbot tick` from cron): Slack's Web API with the bot token."""
    from slack_sdk.web.async_client import AsyncWebClient

    token = os.environ.get("SLACK_BOT_TOKEN")
    if not token:
        return None
    hold_at_warning(*SLACK, *HTTP)
    api_url = os.environ.get("SLACK_API_URL")
    kwargs: dict[str, Any] = {"token": token}
    if api_url:
        kwargs["base_url"] = api_url if api_url.endswith("/") else api_url + "/"
    return SlackSender(AsyncWebClient(**kwargs))


def _handler(front: SlackFrontEnd, verifier: SignatureVerifier) -> Any:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _error(413, "request body too large")
        timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
        signature = request.headers.get("X-Slack-Signature", "")
        if not timestamp or not signature or not verifier.is_valid(raw, timestamp, signature):
            return _error(401, "invalid or missing Slack signature")
        try:
            body = raw.decode("utf-8")
            _check_shape(body, request.content_type)
        except (UnicodeDecodeError, ValueError) as exc:
            return _error(400, f"malformed request body: {exc}")
        resp = await front.app.async_dispatch(
            AsyncBoltRequest(body=body, query=request.query_string, headers=dict(request.headers))
        )
        return await to_aiohttp_response(resp)

    return handle


def _check_shape(body: str, content_type: str) -> None:
    """Raise ValueError unless the body is Slack's JSON (events) or form (commands, interactivity)."""
    if content_type == "application/json":
        data = json.loads(body)
        if not isinstance(data, dict) or "type" not in data:
            raise ValueError("expected a JSON object with a type")
        return
    if content_type == "application/x-www-form-urlencoded":
        form = parse_qs(body, strict_parsing=bool(body))
        if "payload" in form:
            payload = json.loads(form["payload"][0])
            if not isinstance(payload, dict) or "type" not in payload:
                raise ValueError("expected an interactivity payload with a type")
        elif "command" not in form:
            raise ValueError("expected a slash command or an interactivity payload")
        return
    raise ValueError(f"unsupported content type {content_type or 'none'}")


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"ok": False, "error": message}, status=status)
