"""Logging in and out of the desk.

A login opens the user's sealed box with their passphrase (desk/users.py, argon2id in a thread) and
makes a fresh session (desk/sessions.py); a handler's box holds the function's secret key, which is
checked against the organisation's public key before the session gets it. Wrong passphrases are
limited per user (in the database) and per client address (in memory): after `max_failures` either
is locked for `lock_minutes`. An unknown name and a wrong passphrase get the same answer, after the
same work. Logs say that a login succeeded or failed and why, never the name, the passphrase or the
client's address.
"""

from __future__ import annotations

import logging
import secrets

from aiohttp import web

from bot.keys import CaseError
from desk.pages import render
from desk.state import SESSION_COOKIE, desk_of, redirect
from desk.users import LoginError

log = logging.getLogger(__name__)

PRE_COOKIE = "desk_pre"
MESSAGES = ("login_expired", "logged_out")  # what ?m= may ask the login page to say
MAX_NAME = 200
MAX_PASSPHRASE = 1000


def routes(app: web.Application) -> None:
    app.router.add_get("/login", login_page)
    app.router.add_post("/login", login)
    app.router.add_post("/logout", logout)


def _login_form(request: web.Request, status: int = 200, message: str = "") -> web.Response:
    desk = desk_of(request)
    nonce = secrets.token_urlsafe(18)
    response = render(request, "login.html", status=status, message=message, login_csrf=desk.sessions.form_token(nonce))
    desk.cookie(response, request, PRE_COOKIE, nonce)
    return response


async def login_page(request: web.Request) -> web.Response:
    if request["desk_session"] is not None:
        return redirect("/desk/")
    m = request.query.get("m", "")
    return _login_form(request, message=m if m in MESSAGES else "")


async def login(request: web.Request) -> web.Response:
    desk = desk_of(request)
    form = await request.post()
    if not desk.sessions.form_ok(request.cookies.get(PRE_COOKIE), str(form.get("csrf", ""))):
        log.warning("desk: a login form without its CSRF token was refused")
        return _login_form(request, 403, "login_form_old")
    client = request.remote or "-"
    if desk.throttle.locked(client):
        log.warning("desk: a login refused (client locked)")
        return _login_form(request, 429, "login_locked")
    name = str(form.get("name", "")).strip()[:MAX_NAME]
    passphrase = str(form.get("passphrase", ""))[:MAX_PASSPHRASE]
    lock = desk.settings.lock_minutes * 60
    try:
        user = await desk.users.login(name, passphrase, desk.settings.max_failures, lock)
    except LoginError as exc:
        locked = desk.throttle.failed(client) or str(exc) == "locked"
        log.warning("desk: a login failed (%s)", "locked" if locked else "wrong")
        return _login_form(request, 429 if locked else 401, "login_locked" if locked else "login_wrong")
    if user.secret is not None:
        try:
            public = desk.bot.cases.keys.public(user.org, create=False)
        except CaseError:
            public = None
        if public is None or bytes(user.secret.public_key) != bytes(public):
            log.warning("desk: a handler's key does not match %s's public key", user.org)
            return _login_form(request, 403, "login_key_changed")
    desk.throttle.succeeded(client)
    desk.sessions.end(request.cookies.get(SESSION_COOKIE))  # never carry a session over a login
    token, _ = desk.sessions.new(user.org, user.role, user.secret)
    log.info("desk: a %s of %s logged in", user.role, user.org)
    response = redirect("/desk/cases" if user.role == "handler" else "/desk/hr")
    desk.cookie(response, request, SESSION_COOKIE, token)
    desk.forget_cookie(response, PRE_COOKIE)
    return response


async def logout(request: web.Request) -> web.Response:
    """The session and its unlocked key are forgotten; the cookie is cleared."""
    desk = desk_of(request)
    desk.sessions.end(request.cookies.get(SESSION_COOKIE))
    response = redirect("/desk/login?m=logged_out")
    desk.forget_cookie(response, SESSION_COOKIE)
    return response
