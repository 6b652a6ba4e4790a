"""`conductbot serve`: one aiohttp server for every chat platform, plus the delivery loop.

Routes: `GET /healthz`, and whatever the platform adapters mount: Slack at `/slack/events`, Teams
at `/api/messages`. A platform is mounted when its settings are present (Slack: SLACK_BOT_TOKEN and
SLACK_SIGNING_SECRET; Teams: see adapters/teams); with none the server still runs and says so.
The delivery loop posts what has become due (delayed anonymous reports, deadline reminders,
scheduled reminders and prompts) every `deliver_every_seconds`.

An adapter module `adapters.<platform>.server` provides
`async def mount(app, bot, settings, options) -> Mounted | None`: it adds its routes to `app` and
returns the sender the router uses for places named `<platform>:...` (None when not configured).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.config import Settings
from bot.core import Bot
from bot.delivery import RouterSender, Sender, deliver_due

log = logging.getLogger(__name__)

PLATFORMS = ("slack", "teams")
MAX_BODY = 1024 * 1024  # larger request bodies get 413


@dataclass(slots=True)
class Mounted:
    """What a platform adapter gives the server: its sender, and work to start and stop with it."""

    name: str
    sender: Sender | None = None
    start: Callable[[], Awaitable[None]] | None = None
    stop: Callable[[], Awaitable[None]] | None = None
    info: dict[str, Any] = field(default_factory=dict)


BOT_KEY = web.AppKey("bot", Bot)
MOUNTED_KEY = web.AppKey("mounted", list)
DELIVERIES_KEY = web.AppKey("deliveries", dict)


async def build_app(bot: Bot, settings: Settings, options: dict[str, Any] | None = None) -> web.Application:
    """The aiohttp application with every configured platform mounted."""
    options = options or {}
    app = web.Application(client_max_size=MAX_BODY)
    app[BOT_KEY] = bot
    mounted: list[Mounted] = []
    for name in PLATFORMS:
        module = _platform(name)
        if module is None:
            continue
        result = await module.mount(app, bot, settings, options)
        if result is None:
            continue
        mounted.append(result)
        if result.sender is not None and isinstance(bot.sender, RouterSender):
            bot.sender.register(name, result.sender)
    if not mounted:
        log.warning("no chat platform configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or MicrosoftAppId")
    if settings.desk is not None:  # the web desk for case handlers and HR (desk/), only when configured
        from desk import server as desk_server

        desk = await desk_server.mount(app, bot, settings, options)
        if desk is not None:
            mounted.append(desk)
    app[MOUNTED_KEY] = mounted
    app[DELIVERIES_KEY] = {"rounds": 0, "done": 0, "failed": 0, "failed_rounds": 0}
    app.router.add_get("/healthz", _healthz)
    return app


async def attach_senders(bot: Bot, settings: Settings) -> list[str]:
    """Register every configured platform's sender without a server (`tick`, `prompt post` from cron)."""
    names = []
    if not isinstance(bot.sender, RouterSender):
        return names
    for name in PLATFORMS:
        package = importlib.import_module(f"adapters.{name}")  # light: says whether the platform is set up
        if not package.sends():
            continue
        module = _platform(name)
        if module is None:
            continue
        sender = await module.sender(bot, settings)
        if sender is not None:
            bot.sender.register(name, sender)
            names.append(name)
    return names


def _platform(name: str) -> Any:
    """A platform's adapter module, or None when its SDK (the `slack` or `teams` extra) is not installed."""
    try:
        return importlib.import_module(f"adapters.{name}.server")
    except ImportError as exc:
        log.info("%s not available (%s): pip install 'conductbot[%s]'", name, exc.name, name)
        return None


async def _healthz(request: web.Request) -> web.Response:
    bot = request.app[BOT_KEY]
    return web.json_response(
        {
            "status": "ok",
            "platforms": [m.name for m in request.app[MOUNTED_KEY] if m.name != "desk"],
            "desk": any(m.name == "desk" for m in request.app[MOUNTED_KEY]),
            "deliveries": request.app[DELIVERIES_KEY],
            "passages": len(bot.retriever.corpus.passages),
        }
    )


async def delivery_loop(bot: Bot, every: float, counts: dict[str, int] | None = None) -> None:
    """Post what has become due, forever; one failed round is logged and the next one retries.
    `counts` (shown by /healthz) adds up rounds, lines done (posts, skips), failed posts and failed rounds."""
    counts = {} if counts is None else counts
    while True:
        try:
            counts["rounds"] = counts.get("rounds", 0) + 1
            done = await deliver_due(bot)
            failed = sum(1 for line in done if "not posted" in line or "NOT delivered" in line)
            counts["done"] = counts.get("done", 0) + len(done) - failed
            counts["failed"] = counts.get("failed", 0) + failed
            if len(done) > failed:
                log.info("delivered %d due posts", len(done) - failed)
            if failed:  # the lines name kinds, places and errors, never the text
                log.warning("%d posts not delivered this round (retried later)", failed)
        except asyncio.CancelledError:
            raise
        except Exception:
            counts["failed_rounds"] = counts.get("failed_rounds", 0) + 1
            log.exception("delivery round failed; retrying in %.0f s", every)
        await asyncio.sleep(every)


async def serve(settings: Settings, host: str, port: int, options: dict[str, Any] | None = None) -> int:
    """Run the server until SIGINT or SIGTERM."""
    from bot.runtime import build_bot

    bot = await build_bot(settings, background_index=True)
    runner: web.AppRunner | None = None
    tasks: list[asyncio.Task[None]] = []
    mounted: list[Mounted] = []
    try:
        app = await build_app(bot, settings, options)
        mounted = app[MOUNTED_KEY]
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        if any(m.info.get("loopback_only") for m in mounted) and host not in ("127.0.0.1", "::1", "localhost"):
            # a platform in unauthenticated local mode (CONDUCTBOT_TEAMS=1) is served on the loopback only
            log.warning("a platform runs in local mode without authentication: listening on 127.0.0.1 only")
            host = "127.0.0.1"
        site = web.TCPSite(runner, host, port)
        await site.start()
        for m in mounted:
            if m.start is not None:
                await m.start()
        tasks.append(asyncio.create_task(delivery_loop(bot, settings.deliver_every_seconds, app[DELIVERIES_KEY])))
        log.info("listening on http://%s:%d (%s)", host, port, ", ".join(m.name for m in mounted) or "no platform")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        log.info("stopping")
    finally:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for m in mounted:
            if m.stop is not None:
                with contextlib.suppress(Exception):
                    await m.stop()
        if runner is not None:
            await runner.cleanup()
        await bot.close()
    return 0
