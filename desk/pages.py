"""Rendering the desk's pages: Jinja2 templates with autoescape, in Swedish or English.

The language is `?lang=sv|en` (remembered in a cookie), else the cookie, else the browser's
Accept-Language, else Swedish. The words are data in `desk/labels.yaml`. Every page the desk sends
carries `Cache-Control: no-store` and a strict Content-Security-Policy (nothing from elsewhere, no
script at all); desk/server.py adds those headers to every response under /desk.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from knowledge.yamlio import load as load_yaml

HERE = Path(__file__).parent
LANGS = ("sv", "en")
LANG_COOKIE = "desk_lang"


@cache
def labels() -> dict[str, dict[str, str]]:
    """The desk's words per language (`desk/labels.yaml`)."""
    data = load_yaml((HERE / "labels.yaml").read_text(encoding="utf-8")) or {}
    return {lang: {str(k): str(v) for k, v in (data.get(lang) or {}).items()} for lang in LANGS}


def word(lang: str, key: str, **values: object) -> str:
    """One label in `lang` (Swedish when missing there), with its placeholders filled in."""
    table = labels()
    text = table.get(lang, {}).get(key) or table["sv"].get(key) or key
    return text.format(**values) if values else text


def choose_lang(request: web.Request) -> str:
    """?lang=, then the cookie, then Accept-Language, then Swedish."""
    asked = request.query.get("lang")
    if asked in LANGS:
        return asked
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in LANGS:
        return remembered
    best, best_q = "sv", -1.0
    for part in request.headers.get("Accept-Language", "").split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = tag.strip().lower()[:2]
        if lang in LANGS and q > best_q:
            best, best_q = lang, q
    return best


def day(ts: float | None) -> str:
    """A stored time as its day (UTC, as stored times are days), or a dash."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d") if ts else "–"


def minute(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d %H:%M")


@cache
def environment() -> jinja2.Environment:
    """The template environment: autoescape on, undefined names an error."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["day"] = day
    env.filters["minute"] = minute
    return env


def render(
    request: web.Request, template: str, status: int = 200, lang: str | None = None, **values: Any
) -> web.Response:
    """A page in the request's language; `t(key, ...)` in the template is `word(lang, key, ...)`."""
    lang = lang or choose_lang(request)
    session = request.get("desk_session")
    values.setdefault("session", session)
    values.setdefault("csrf", session.csrf if session is not None else "")
    html = (
        environment()
        .get_template(template)
        .render(
            t=lambda key, **kw: word(lang, key, **kw),
            lang=lang,
            other_langs=[(code, word(code, "lang_name")) for code in LANGS if code != lang],
            here=_here(request),
            **values,
        )
    )
    response = web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
    if request.query.get("lang") in LANGS:
        year = 365 * 86400
        response.set_cookie(
            LANG_COOKIE, lang, path="/desk", httponly=True, samesite="Strict", secure=request.secure, max_age=year
        )
    return response


def _here(request: web.Request) -> str:
    """The page a language link should reload: this one, or after a form (a POST) the page it was on."""
    if request.method == "GET" or request.path == "/desk/login":
        return request.path
    return request.path.rsplit("/", 1)[0]


def error(request: web.Request, status: int, key: str) -> web.Response:
    """An error page saying `key`'s label."""
    lang = choose_lang(request)
    return render(request, "error.html", status=status, lang=lang, message=word(lang, key))
