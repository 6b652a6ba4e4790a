"""Teams on the shared server: `POST /api/messages` (Bot Framework activities), on the Microsoft 365 Agents SDK.

Mounted when an app id is set (`MicrosoftAppId` or the SDK's `CONNECTIONS__SERVICE_CONNECTION__SETTINGS__
CLIENTID`, with its secret, tenant and type: adapters/teams/auth.py), or, for local testing without a
registration, when `CONDUCTBOT_TEAMS=1`. With an app id every request must carry a valid Bot Framework
token (else 401, nothing changes). Without one, requests are accepted only on and from the loopback
interface and never through a proxy (adapters/teams/door.py), and the log says so at start.

Each activity id is recorded in the durable inbox before the acknowledgement: a repeat is acknowledged
and not answered, and a message acknowledged and then lost in a crash is answered after the restart.

Message activities are checked, authenticated, acknowledged (201) and then answered; invoke activities
(the report's dialog) are answered in the response, as the Bot Framework expects.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Any

from aiohttp import web
from microsoft_agents.activity import Activity

from adapters.common.door import BadRequest
from adapters.common.inbox import Inbox, secret_key
from adapters.common.logs import HTTP, TEAMS, hold_at_warning, mute
from adapters.teams import door
from adapters.teams.app import TeamsFrontEnd, TeamsSender
from adapters.teams.auth import Authenticator, Credentials
from adapters.teams.connector import Connector
from adapters.teams.graph import Graph
from bot.config import Settings
from bot.core import Bot
from bot.server import Mounted

log = logging.getLogger(__name__)

PATH = "/api/messages"
TTL = 2 * 3600.0  # how long an activity id is remembered against repeats
# the SDK's activity model logs a refused activity with its input values: never (they are what people typed);
# its connector client logs each refused post with its URL, which names the conversation (connector.py logs its own)
QUIET = ("microsoft_agents.activity", "microsoft_agents.hosting.core.connector")


def _configured() -> Credentials | None:
    creds = Credentials.from_env()
    if not creds.app_id and os.environ.get("CONDUCTBOT_TEAMS") != "1":
        return None
    hold_at_warning(*TEAMS, *HTTP)
    mute(*QUIET)
    return creds


async def mount(app: web.Application, bot: Bot, settings: Settings, options: dict[str, Any]) -> Mounted | None:
    """Add Teams to the server when an app id (or CONDUCTBOT_TEAMS=1) is set; None otherwise."""
    creds = _configured()
    if creds is None:
        return None
    authenticator = Authenticator(creds)
    connector = Connector(creds)
    front = TeamsFrontEnd(bot, settings, creds.app_id, connector)
    if (settings.teams or {}).get("groups"):
        front.graph = Graph(os.environ.get("GRAPH_API_URL", "https://graph.microsoft.com"), creds)
    await front.setup()
    inbox = Inbox(bot.store.db, secret_key(bot.store))
    await inbox.setup()
    tasks: set[asyncio.Task[Any]] = set()

    async def handle(request: web.Request) -> web.StreamResponse:
        if not creds.app_id:
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
            await authenticator.check(request.headers.get("Authorization", ""), activity.service_url or "")
        except BadRequest as exc:
            return _error(exc.status, str(exc))
        invoke = activity.type == "invoke"
        key = f"teams:{'inv' if invoke else 'act'}:{activity.id}" if activity.id else ""
        if key and not await inbox.accept(key, TTL, None if invoke else raw):
            log.info("dropped a repeated Teams activity")
            return web.Response(status=200 if invoke else 201)
        if invoke:
            try:
                body = await front.on_activity(activity)
            except Exception:
                log.exception("a Teams invoke failed")
                return web.Response(status=500)
            return web.json_response(body) if body is not None else web.Response(status=200)
        task = asyncio.create_task(_run(front, activity, inbox, key))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return web.Response(status=201)

    async def resume() -> None:
        """Answer the activities a crash left acknowledged and unanswered."""

        async def answer(key: str, request: bytes) -> None:
            try:
                await front.on_activity(_activity(door.check(request)))
            finally:
                await inbox.done(key)

        await inbox.resume(answer)

    async def start() -> None:
        tasks.add(asyncio.create_task(resume()))

    app.router.add_post(PATH, handle)
    if creds.app_id:
        log.info("Teams: activities at %s (app id configured, Bot Framework tokens required)", PATH)
    else:
        log.warning("Teams: no app id: accepting unauthenticated activities at %s on loopback only", PATH)

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
        info={"authenticated": bool(creds.app_id), "loopback_only": not creds.app_id},
    )


async def sender(bot: Bot, settings: Settings) -> TeamsSender | None:
    """A sender without a server (`conductbot tick` from cron): proactive posts through stored references."""
    creds = _configured()
    if creds is None:
        return None
    connector = Connector(creds)
    front = TeamsFrontEnd(bot, settings, creds.app_id, connector)
    await front.setup()
    bot.on_close(connector.close)
    return TeamsSender(front)


async def _run(front: TeamsFrontEnd, activity: Activity, inbox: Inbox, key: str) -> None:
    try:
        await front.on_activity(activity)
    except Exception:
        log.exception("a Teams activity failed")  # the traceback carries no message text
    finally:
        if key:
            await inbox.done(key)


def _activity(body: dict[str, Any]) -> Activity:
    """The checked JSON as the Agents SDK's Activity; what it cannot read is a 400."""
    try:
        return Activity.model_validate(body)
    except Exception:
        raise BadRequest("the activity could not be read") from None


def _error(status: int, message: str) -> web.Response:
    log.info("Teams request refused (%d): %s", status, message)  # one line: the reason, never the content
    return web.json_response({"error": message}, status=status)
