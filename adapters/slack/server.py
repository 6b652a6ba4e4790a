"""Slack on the shared server: `POST /slack/events` (events, commands, interactivity), or Socket Mode.

Environment: SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (HTTP), SLACK_APP_TOKEN (Socket Mode), and
SLACK_API_URL to send Web API calls somewhere other than https://slack.com/api/ (a proxy, a test).

The request's signature is checked here, before anything is parsed: no signature, a wrong one, or a
timestamp more than 5 minutes off gets 401 and changes nothing. A body that is not what Slack sends
gets 400 (413 when larger than the server's limit).
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest

from adapters.common.door import BadRequest
from adapters.common.inbox import Inbox, secret_key
from adapters.common.logs import HTTP, SLACK, hold_at_warning
from adapters.slack import door
from adapters.slack.app import SlackFrontEnd, SlackSender
from adapters.slack.sender import web_client
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
    inbox = Inbox(bot.store.db, secret_key(bot.store))
    await inbox.setup()
    front = SlackFrontEnd(
        bot, settings, token, secret, os.environ.get("SLACK_API_URL"), socket_mode=socket_mode, inbox=inbox
    )
    if os.environ.get("CONDUCTBOT_SLACK_SUBMIT_WAIT"):  # how long a modal submit waits for its answer (tests)
        front.submit_wait = float(os.environ["CONDUCTBOT_SLACK_SUBMIT_WAIT"])
    resuming: list[asyncio.Task[Any]] = []
    mounted = Mounted("slack", sender=SlackSender(front.client), info={"mode": "socket" if socket_mode else "http"})
    if socket_mode:
        from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

        handler = AsyncSocketModeHandler(front.app, app_token)

        async def start() -> None:
            await handler.connect_async()
            log.info("Slack: connected in Socket Mode")
            resuming.append(asyncio.create_task(front.resume()))

        async def stop() -> None:
            await handler.close_async()

        mounted.start, mounted.stop = start, stop
    else:
        assert secret is not None
        app.router.add_post(PATH, _handler(front, secret))
        log.info("Slack: events and interactivity at %s", PATH)

        async def resume() -> None:
            resuming.append(asyncio.create_task(front.resume()))

        mounted.start = resume
    return mounted


async def sender(bot: Bot, settings: Settings) -> SlackSender | None:
    """A sender without a server (`conductbot tick` from cron): Slack's Web API with the bot token."""
    token = os.environ.get("SLACK_BOT_TOKEN")
    if not token:
        return None
    hold_at_warning(*SLACK, *HTTP)
    return SlackSender(web_client(token, os.environ.get("SLACK_API_URL")))


def _handler(front: SlackFrontEnd, secret: str) -> Any:
    async def handle(request: web.Request) -> web.StreamResponse:
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _error(413, "request body too large")
        try:
            door.verify(
                raw,
                request.headers.get("X-Slack-Request-Timestamp", ""),
                request.headers.get("X-Slack-Signature", ""),
                secret,
            )
            body = door.check(raw, request.content_type)
        except BadRequest as exc:
            return _error(exc.status, str(exc))
        resp = await front.app.async_dispatch(
            AsyncBoltRequest(body=body, query=request.query_string, headers=dict(request.headers))
        )
        return await to_aiohttp_response(resp)

    return handle


def _error(status: int, message: str) -> web.Response:
    log.info("Slack request refused (%d): %s", status, message)  # one line: the reason, never the content
    return web.json_response({"ok": False, "error": message}, status=status)
