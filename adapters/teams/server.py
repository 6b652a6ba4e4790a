"""Teams on the shared server: `POST /api/messages` (Bot Framework activities).

Mounted when `MicrosoftAppId` is set (with MicrosoftAppPassword, MicrosoftAppTenantId and
MicrosoftAppType: MultiTenant, SingleTenant or UserAssignedMSI), or, for local testing without a
registration, when `CONDUCTBOT_TEAMS=1`. With an app id every request must carry a valid Bot Framework
token (else 401, nothing changes). Without one, requests are accepted only from 127.0.0.1 and the log
says so at start.

Message activities are authenticated, acknowledged (201) and then answered; invoke activities are
answered before the response, as the Bot Framework expects.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from typing import Any

from aiohttp import web
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

from adapters.common.logs import HTTP, TEAMS, hold_at_warning
from adapters.teams.app import TeamsFrontEnd, TeamsSender
from adapters.teams.connector import Connector, Graph
from bot.config import Settings
from bot.core import Bot
from bot.server import Mounted

log = logging.getLogger(__name__)

PATH = "/api/messages"
LOCAL = ("127.0.0.1", "::1")


class _Credentials:
    """The configuration object botbuilder reads its credentials from."""

    def __init__(self) -> None:
        self.APP_ID = os.environ.get("MicrosoftAppId", "")
        self.APP_PASSWORD = os.environ.get("MicrosoftAppPassword", "")
        self.APP_TYPE = os.environ.get("MicrosoftAppType", "MultiTenant")
        self.APP_TENANTID = os.environ.get("MicrosoftAppTenantId", "")


async def mount(app: web.Application, bot: Bot, settings: Settings, options: dict[str, Any]) -> Mounted | None:
    creds = _Credentials()
    if not creds.APP_ID and os.environ.get("CONDUCTBOT_TEAMS") != "1":
        return None
    hold_at_warning(*TEAMS, *HTTP)
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(creds))
    connector = Connector(creds.APP_ID, creds.APP_PASSWORD, creds.APP_TENANTID)
    front = TeamsFrontEnd(bot, settings, adapter, creds.APP_ID, connector)
    if (settings.teams or {}).get("groups"):
        graph_url = os.environ.get("GRAPH_API_URL", "https://graph.microsoft.com")
        front.graph = Graph(graph_url, creds.APP_ID, creds.APP_PASSWORD, creds.APP_TENANTID)
    await front.setup()
    tasks: set[asyncio.Task[Any]] = set()

    async def handle(request: web.Request) -> web.StreamResponse:
        if not creds.APP_ID and request.remote not in LOCAL:
            return _error(401, "no MicrosoftAppId configured: only local requests are accepted")
        if request.content_type != "application/json":
            return _error(415, "expected application/json")
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _error(413, "request body too large")
        try:
            body = json.loads(raw)
            if not isinstance(body, dict) or not body.get("type"):
                raise ValueError("expected an activity with a type")
            activity = Activity().deserialize(body)
            if not activity.conversation or not activity.conversation.id or not activity.service_url:
                raise ValueError("the activity has no conversation or serviceUrl")
        except ValueError as exc:
            return _error(400, f"malformed activity: {exc}")
        try:
            auth = await adapter.bot_framework_authentication.authenticate_request(
                activity, request.headers.get("Authorization", "")
            )
        except PermissionError:
            return _error(401, "missing or invalid Bot Framework token")
        except Exception:  # token validation that cannot complete is a refusal, not a crash
            log.warning("Bot Framework token could not be validated", exc_info=True)
            return _error(401, "Bot Framework token could not be validated")
        if activity.type == "invoke":
            result = await adapter.process_activity(auth, activity, front.on_turn)
            if result and result.body is not None:
                return web.json_response(result.body, status=result.status)
            return web.Response(status=result.status if result else 200)
        task = asyncio.create_task(_run(adapter, auth, activity, front))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return web.Response(status=201)

    app.router.add_post(PATH, handle)
    if creds.APP_ID:
        log.info("Teams: activities at %s (app id configured, Bot Framework tokens required)", PATH)
    else:
        log.warning("Teams: no MicrosoftAppId: accepting unauthenticated activities at %s from 127.0.0.1 only", PATH)

    async def stop() -> None:
        if tasks:
            await asyncio.wait(tasks, timeout=10)
        await connector.close()
        if front.graph is not None:
            await front.graph.close()

    return Mounted("teams", sender=TeamsSender(front), stop=stop, info={"authenticated": bool(creds.APP_ID)})


async def sender(bot: Bot, settings: Settings) -> TeamsSender | None:
    """A sender without a server (`conductbot tick` from cron): proactive posts through stored references."""
    creds = _Credentials()
    if not creds.APP_ID and os.environ.get("CONDUCTBOT_TEAMS") != "1":
        return None
    hold_at_warning(*TEAMS, *HTTP)
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(creds))
    connector = Connector(creds.APP_ID, creds.APP_PASSWORD, creds.APP_TENANTID)
    front = TeamsFrontEnd(bot, settings, adapter, creds.APP_ID, connector)
    await front.setup()
    bot.on_close(connector.close)
    return TeamsSender(front)


async def _run(adapter: CloudAdapter, auth: Any, activity: Activity, front: TeamsFrontEnd) -> None:
    try:
        await adapter.process_activity(auth, activity, front.on_turn)
    except Exception:
        log.exception("a Teams activity failed")


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)
