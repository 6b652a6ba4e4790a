"""The desk's shared state and small helpers: the `Desk` object on the sub-application, cookies, redirects."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.config import DeskSettings
from bot.core import Bot
from desk.hr import Sandbox
from desk.sessions import Session, Sessions, Throttle
from desk.users import DeskUsers

PREFIX = "/desk"
SESSION_COOKIE = "desk_session"


@dataclass(slots=True)
class Desk:
    """What the desk's pages need: the bot, its settings, the users, the live sessions, the throttle."""

    bot: Bot
    settings: DeskSettings
    users: DeskUsers
    sessions: Sessions
    throttle: Throttle
    sandbox: Sandbox

    def cookie(self, response: web.StreamResponse, request: web.Request, name: str, value: str) -> None:
        """Set a desk cookie: HttpOnly, SameSite=Strict, only under /desk, Secure over HTTPS."""
        response.set_cookie(
            name,
            value,
            path=PREFIX,
            httponly=True,
            samesite="Strict",
            secure=request.secure or self.settings.secure_cookies,
        )

    def forget_cookie(self, response: web.StreamResponse, name: str) -> None:
        response.del_cookie(name, path=PREFIX)


DESK_KEY = web.AppKey("desk", Desk)


def redirect(location: str) -> web.Response:
    """303 See Other (after a POST the browser GETs the page)."""
    return web.Response(status=303, headers={"Location": location})


def desk_of(request: web.Request) -> Desk:
    """The desk a request under /desk belongs to."""
    return request.app[DESK_KEY]


def session_of(request: web.Request) -> Session | None:
    """The request's live session (set by the guard), or None."""
    return request.get("desk_session")
