"""The desk on the shared aiohttp server: a sub-application at /desk, mounted when `desk:` is configured.

`mount(app, bot, settings, options)` is called by bot/server.py like a platform adapter's. Every
request under /desk passes `guard`, which
- finds the session from its cookie (HttpOnly, SameSite=Strict, Secure over HTTPS or with
  `desk.secure_cookies`), and sends a request without a live one to the login page (a POST gets 403);
- checks the per-session CSRF token of every POST form (the login form has its own, desk/sessions.py);
- adds `Cache-Control: no-store` and a Content-Security-Policy that allows nothing from elsewhere and
  no script to every response, error pages included.
Pages check the role (desk/case_views.py for handlers, desk/hr_views.py for HR) and the organisation.
Nothing a person typed, no passphrase and no login name is logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.config import DeskSettings, Settings
from bot.core import Bot
from bot.server import Mounted
from desk import auth, case_views, hr_views
from desk.hr import Sandbox
from desk.pages import error
from desk.sessions import Sessions, Throttle, csrf_ok
from desk.state import DESK_KEY, PREFIX, SESSION_COOKIE, Desk, desk_of, redirect
from desk.users import DeskUsers

log = logging.getLogger(__name__)

PUBLIC = ("/desk/login", "/desk/desk.css", "/desk/", "/desk")
MAX_FORM = 256 * 1024
CSS = Path(__file__).with_name("desk.css")
HEADERS = {
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self';"
    " frame-ancestors 'none'; base-uri 'none'",
}


@web.middleware
async def guard(request: web.Request, handler: Any) -> web.StreamResponse:
    """Sessions, CSRF and the headers every desk response carries."""
    try:
        response = await _guarded(request, handler)
    except web.HTTPException as exc:  # no such page, wrong method, too large: an error page of our own
        key = "not_found" if exc.status in (404, 405) else "error_title"
        response = error(request, exc.status if exc.status >= 400 else 400, key)
    except Exception as exc:  # logged by type and route only: a message could quote what was typed
        route = request.match_info.route.resource.canonical if request.match_info.route.resource else "-"
        log.error("desk: %s while answering %s %s", type(exc).__name__, request.method, route)
        response = error(request, 500, "error_title")
    for name, value in HEADERS.items():
        response.headers[name] = value
    return response


async def _guarded(request: web.Request, handler: Any) -> web.StreamResponse:
    desk = desk_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    session = desk.sessions.get(token)
    request["desk_session"] = session
    if session is None and request.path not in PUBLIC and request.path != "/desk/logout":
        if request.method != "GET":
            response = error(request, 403, "login_expired")
        else:
            response = redirect("/desk/login" + ("?m=login_expired" if token else ""))
        if token:
            desk.forget_cookie(response, SESSION_COOKIE)
        return response
    if (request.content_length or 0) > MAX_FORM:  # the desk's forms are small; the server's limit is 1 MB
        return error(request, 413, "error_title")
    if session is not None and request.method == "POST" and request.path != "/desk/login":
        form = await request.post()
        if not csrf_ok(session, str(form.get("csrf", ""))):
            log.warning("desk: a form without the session's CSRF token was refused")
            return error(request, 403, "bad_form")
    return await handler(request)


async def _css(request: web.Request) -> web.Response:
    return web.Response(body=CSS.read_bytes(), content_type="text/css", charset="utf-8")


async def _home(request: web.Request) -> web.Response:
    session = request["desk_session"]
    if session is None:
        return redirect("/desk/login")
    return redirect("/desk/cases" if session.role == "handler" else "/desk/hr")


async def build(bot: Bot, settings: DeskSettings) -> web.Application:
    """The desk's sub-application (its routes relative to /desk)."""
    users = await DeskUsers.open(bot.store.db, lambda name: bot.store.pseudonym("desk", name), time.time)
    lock = settings.lock_minutes * 60
    desk = Desk(
        bot,
        settings,
        users,
        Sessions(settings.session_idle_minutes * 60, settings.session_max_hours * 3600),
        Throttle(settings.max_failures, lock),
        Sandbox(bot),
    )
    sub = web.Application(middlewares=[guard])
    sub[DESK_KEY] = desk
    sub.router.add_get("/", _home)
    sub.router.add_get("/desk.css", _css)
    auth.routes(sub)
    case_views.routes(sub)
    hr_views.routes(sub)
    return sub


async def mount(app: web.Application, bot: Bot, settings: Settings, options: dict[str, Any]) -> Mounted | None:
    """Add the desk at /desk when `desk:` is configured; None (nothing served) otherwise."""
    if settings.desk is None:
        return None
    sub = await build(bot, settings.desk)
    app.router.add_get(PREFIX, _to_slash)  # before the sub-application, which would take /desk itself
    app.add_subapp(PREFIX, sub)
    log.info("desk: case handlers and HR at %s/ (users: `conductbot desk add-user`)", PREFIX)
    desk = sub[DESK_KEY]
    sweeper: list[asyncio.Task[None]] = []

    async def start() -> None:
        sweeper.append(asyncio.create_task(_sweep(desk)))

    async def stop() -> None:
        for task in sweeper:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await desk.sandbox.close()

    return Mounted("desk", start=start, stop=stop, info={"desk": True})


async def _sweep(desk: Desk, every: float = 30.0) -> None:
    """Forget expired sessions (and the keys they hold) even when no request comes."""
    while True:
        await asyncio.sleep(every)
        desk.sessions.sweep()


async def _to_slash(request: web.Request) -> web.Response:
    response = redirect("/desk/")
    for name, value in HEADERS.items():
        response.headers[name] = value
    return response
