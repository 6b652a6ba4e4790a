"""Teams on the shared server: `POST /api/messages` (Bot Framework activities).

Mounted when `MicrosoftAppId` is set (with MicrosoftAppPassword, MicrosoftAppTenantId and
MicrosoftAppType: MultiTenant, SingleTenant or UserAssignedMSI), or, for local testing without a
registration, when `CONDUCTBOT_TEAMS=1`. With an app id every request must carry a valid Bot Framework
token (else 401, nothing changes). Without one, requests are accepted only on and from the loopback
interface and never through a proxy (adapters/teams/door.py), and the log says so at start.

Each activity id is recorded in the durable inbox before the acknowledgement: a repeat is acknowledged
and not answered, and a message acknowledged and then lost in a crash is answered after the restart.

Message activities are authenticated, acknowledged (201) and then answered; invoke activities are
answered before the response, as the Bot Framework expects.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

from adapters.common.door import BadRequest
from adapters.common.inbox import Inbox, secret_key
from adapters.common.logs import HTTP, TEAMS, hold_at_warning
from adapters.teams import door
from adapters.teams.app import TeamsFrontEnd, TeamsSender
from adapters.teams.connector import Connector, Graph
from bot.config import Settings
from bot.core import Bot
from bot.server import Mounted

log = logging.getLogger(__name__)

PATH = "/api/messages"
TTL = 2 * 3600.0  # how long an activity id is remembered against repeats


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
    inbox = Inbox(bot.store.db, secret_key(bot.store))
    await inbox.setup()
    tasks: set[asyncio.Task[Any]] = set()

    async def handle(request: web.Request) -> web.StreamResponse:
        if not creds.APP_ID:
            refusal = door.local_refusal(request)
            if refusal:
                return _error(401, refusal)
        if request.content_type != "application/json":
            return _error(415, "expected application/json")
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _error(413, "request body too large")
        try:
            activity = _activity(door.check(raw))
        except BadRequest as exc:
            return _error(exc.status, f"malformed activity: {exc}")
        try:
            auth = await adapter.bot_framework_authentication.authenticate_request(
                activity, request.headers.get("Authorization", "")
            )
        except PermissionError:
            return _error(401, "missing or invalid Bot Framework token")
        except Exception:  # token validation that cannot complete is a refusal, not a crash
            log.warning("Bot Framework token could not be validated", exc_info=True)
            return _error(401, "Bot Framework token could not be validated")
        invoke = activity.type == "invoke"
        key = f"teams:{'inv' if invoke else 'act'}:{activity.id}" if activity.id else ""
        if key and not await inbox.accept(key, TTL, None if invoke else raw):
            log.info("dropped a repeated Teams activity")
            return web.Response(status=200 if invoke else 201)
        if invoke:
            result = await adapter.process_activity(auth, activity, front.on_turn)
            if result and result.body is not None:
                return web.json_response(result.body, status=result.status)
            return web.Response(status=result.status if result else 200)
        task = asyncio.create_task(_run(adapter, auth, activity, front, inbox, key))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return web.Response(status=201)

    async def resume() -> None:
        """Answer the activities a crash left acknowledged and unanswered."""

        async def answer(key: str, request: bytes) -> None:
            try:
                await front.on_turn(TurnContext(adapter, _activity(door.check(request))))
            finally:
                await inbox.done(key)

        await inbox.resume(answer)

    async def start() -> None:
        tasks.add(asyncio.create_task(resume()))

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

    return Mounted(
        "teams",
        sender=TeamsSender(front),
        start=start,
        stop=stop,
        info={"authenticated": bool(creds.APP_ID), "loopback_only": not creds.APP_ID},
    )


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


async def _run(
    adapter: CloudAdapter, auth: Any, activity: Activity, front: TeamsFrontEnd, inbox: Inbox, key: str
) -> None:
    try:
        await adapter.process_activity(auth, activity, front.on_turn)
    except Exception:
        log.exception("a Teams activity failed")
    finally:
        if key:
            await inbox.done(key)


def _activity(body: dict[str, Any]) -> Activity:
    """The checked JSON as botbuilder's Activity; what it cannot read is a 400."""
    try:
        return Activity().deserialize(body)
    except Exception:
        raise BadRequest("the activity could not be read") from None


def _error(status: int, message: str) -> web.Response:
    log.info("Teams request refused (%d): %s", status, message)  # one line: the reason, never the content
    return web.json_response({"error": message}, status=status)
