"""HR's page: themes over time, sections cited, shares answered, abstained and rated, and "try a question".

Only an HR session of an organisation reaches it, and it shows only that organisation's figures
(desk/hr.py), never case content. A tried question is answered on the page and not kept.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.questions import K_ANONYMITY
from bot.types import ROLES
from desk import charts
from desk.hr import Analytics, Tried, analytics
from desk.pages import choose_lang, error, render, word
from desk.state import desk_of, session_of


def routes(app: web.Application) -> None:
    app.router.add_get("/hr", hr_page)
    app.router.add_post("/hr/try", try_page)


def blocks(text: str) -> list[tuple[str, str]]:
    """An answer's text as paragraphs and quotes (runs of "> " lines), for the page."""
    out: list[tuple[str, str]] = []
    for para in text.split("\n\n"):
        run: list[str] = []
        kind = ""
        for line in para.splitlines():
            this = "quote" if line.startswith(">") else "p"
            if this != kind and run:
                out.append((kind, "\n".join(run)))
                run = []
            kind = this
            run.append(line[1:].lstrip() if this == "quote" else line)
        if run and "".join(run).strip():
            out.append((kind, "\n".join(run).strip()))
    return out


def _charts(data: Analytics, lang: str) -> dict[str, Any]:
    def t(key: str, **kw: object) -> str:
        return word(lang, key, **kw)

    weeks = [t("week", n=w) for w in data.weeks]
    series = [(t("series_unanswered"), data.unanswered_weekly), (t("series_down"), data.down_weekly)]
    rated = data.rated_up + data.rated_down
    return {
        "over_time": charts.columns("time", weeks, series, t("over_time"), t("over_time_desc")),
        "sections": charts.hbars("sections", data.sections, t("sections_title"), t("sections_desc"))
        if data.sections
        else None,
        "shares": charts.shares(
            "shares",
            [(t("share_answered"), data.answered), (t("share_abstained"), data.abstained)],
            t("shares_title"),
            t("shares_desc"),
        )
        if data.answered + data.abstained
        else None,
        "ratings": charts.shares(
            "ratings",
            [(t("share_up"), data.rated_up), (t("share_down"), data.rated_down)],
            t("share_rated"),
            t("ratings_desc"),
        )
        if rated
        else None,
        "spark": lambda i, values, label: charts.spark(f"spark{i}", values, label),
    }


async def _page(
    request: web.Request, tried: Tried | None = None, question: str = "", role: str = "employee"
) -> web.Response:
    session = session_of(request)
    if session is None or session.role != "hr":
        return error(request, 403, "forbidden")
    bot = desk_of(request).bot
    data = await analytics(bot, session.org, bot.clock())
    lang = choose_lang(request)
    return render(
        request,
        "hr.html",
        lang=lang,
        data=data,
        k=K_ANONYMITY,
        charts=_charts(data, lang),
        tried=tried,
        answer_blocks=blocks(tried.text) if tried else [],
        question=question,
        asked_role=role,
        roles=ROLES,
    )


async def hr_page(request: web.Request) -> web.Response:
    return await _page(request)


async def try_page(request: web.Request) -> web.Response:
    session = session_of(request)
    if session is None or session.role != "hr":
        return error(request, 403, "forbidden")
    form = await request.post()
    question = str(form.get("q", "")).strip()
    role = str(form.get("role", "employee"))
    role = role if role in ROLES else "employee"
    if not question:
        return await _page(request, role=role)
    tried = await desk_of(request).sandbox.ask(session.org, role, question)
    return await _page(request, tried, question[:2000], role)
