"""The case handlers' pages: the organisation's cases with their deadlines, one case, and its actions.

Only a handler's session reaches these, and only cases of the session's organisation: a case of
another organisation is "not found", exactly like a code that does not exist. A case is opened with
the function's secret key the login unlocked; answers are sealed for the reporter by `Cases.answer`
as everywhere else. Every action (shown, replied, acknowledged, closed, deleted) goes to the case's
audit trail with via "desk".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.cases import CaseError, CaseInfo
from bot.delivery import ACK_DAYS, DAY, FEEDBACK_DAYS, REMIND_BEFORE_DAYS
from desk.pages import error, render
from desk.state import desk_of, redirect, session_of

CODE = re.compile(r"^VB-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$")
DONE = ("answered", "acknowledged", "closed", "deleted")  # what ?done= may say
MAX_ANSWER = 20_000


@dataclass(frozen=True, slots=True)
class Deadline:
    """A legal deadline of a case: its day, and whether it is met, overdue, soon due or open."""

    due: float
    state: str  # done, overdue, soon, open, none (a closed case that never needed it)
    done: float | None


@dataclass(frozen=True, slots=True)
class CaseRow:
    """A case as the list shows it."""

    info: CaseInfo
    ack: Deadline
    feedback: Deadline


def deadline(created: float, days: int, done: float | None, closed: bool, now: float, soon_days: int) -> Deadline:
    """The deadline `days` after `created`, judged at `now`."""
    due = created + days * DAY
    if done:
        return Deadline(due, "done", done)
    if closed:
        return Deadline(due, "none", None)
    if now > due:
        return Deadline(due, "overdue", None)
    return Deadline(due, "soon" if now >= due - soon_days * DAY else "open", None)


def case_row(info: CaseInfo, now: float) -> CaseRow:
    closed = info.status == "closed"
    acked = info.acknowledged or info.feedback
    return CaseRow(
        info,
        deadline(info.created, ACK_DAYS, acked, closed, now, REMIND_BEFORE_DAYS["ack"]),
        deadline(info.created, FEEDBACK_DAYS, info.feedback, closed, now, REMIND_BEFORE_DAYS["feedback"]),
    )


def routes(app: web.Application) -> None:
    app.router.add_get("/cases", case_list)
    app.router.add_get("/cases/{code}", case_page)
    app.router.add_post("/cases/{code}/answer", answer)
    app.router.add_post("/cases/{code}/ack", acknowledge)
    app.router.add_post("/cases/{code}/close", close)
    app.router.add_post("/cases/{code}/delete", delete)


def _handler_only(request: web.Request) -> web.Response | None:
    session = session_of(request)
    if session is None or session.role != "handler" or session.secret is None:
        return error(request, 403, "forbidden")
    return None


async def _own_case(request: web.Request) -> CaseInfo | web.Response:
    """The case named in the path if it is the session's organisation's; an error page otherwise."""
    refused = _handler_only(request)
    if refused is not None:
        return refused
    code = request.match_info["code"].upper()
    info = await desk_of(request).bot.cases.info(code) if CODE.match(code) else None
    session = session_of(request)
    if info is None or session is None or info.org != session.org:
        return error(request, 404, "not_found")
    return info


async def case_list(request: web.Request) -> web.Response:
    refused = _handler_only(request)
    if refused is not None:
        return refused
    bot = desk_of(request).bot
    session = session_of(request)
    assert session is not None
    now = bot.clock()
    rows = [case_row(info, now) for info in await bot.cases.list(session.org)]
    rows.sort(key=lambda r: (r.info.status == "closed", -r.info.created))
    done = request.query.get("done", "")
    return render(request, "cases.html", rows=rows, done=done if done in DONE else "")


async def case_page(request: web.Request, problem: str = "", status: int = 200, draft: str = "") -> web.Response:
    info = await _own_case(request)
    if isinstance(info, web.Response):
        return info
    bot = desk_of(request).bot
    session = session_of(request)
    assert session is not None and session.secret is not None
    try:
        messages = await bot.cases.messages_for_function(info.code, session.secret)
    except CaseError:
        return error(request, 403, "login_key_changed")
    if request.method == "GET":
        await bot.cases.shown(info.code, via="desk")
    trail = await bot.cases.audit.trail(info.code)
    done = request.query.get("done", "")
    return render(
        request,
        "case.html",
        status=status,
        row=case_row(info, bot.clock()),
        messages=messages,
        trail=trail,
        done=done if done in DONE else "",
        problem=problem,
        draft=draft,
    )


async def _form(request: web.Request) -> Any:
    return await request.post()  # read (and cached) by the guard already, for the CSRF check


async def answer(request: web.Request) -> web.Response:
    info = await _own_case(request)
    if isinstance(info, web.Response):
        return info
    text = str((await _form(request)).get("text", "")).replace("\r\n", "\n").strip()
    if not text:
        return await case_page(request, "answer_empty", 400)
    if len(text) > MAX_ANSWER:
        return await case_page(request, "try_too_long", 400, draft=text[:MAX_ANSWER])
    try:
        await desk_of(request).bot.cases.answer(info.code, text, via="desk")
    except CaseError:
        return await case_page(request, "closed_no_answer", 409)
    return redirect(f"/desk/cases/{info.code}?done=answered")


async def _status(request: web.Request, status: str, done: str) -> web.Response:
    info = await _own_case(request)
    if isinstance(info, web.Response):
        return info
    if info.status == "closed" or (status == "acknowledged" and info.status != "received"):
        return redirect(f"/desk/cases/{info.code}")  # nothing to change (a second click, an old page)
    await desk_of(request).bot.cases.set_status(info.code, status, via="desk")
    return redirect(f"/desk/cases/{info.code}?done={done}")


async def acknowledge(request: web.Request) -> web.Response:
    return await _status(request, "acknowledged", "acknowledged")


async def close(request: web.Request) -> web.Response:
    return await _status(request, "closed", "closed")


async def delete(request: web.Request) -> web.Response:
    info = await _own_case(request)
    if isinstance(info, web.Response):
        return info
    if (await _form(request)).get("confirm") != "yes":
        return await case_page(request, "delete_needs_confirm", 400)
    await desk_of(request).bot.cases.delete(info.code, via="desk")
    return redirect("/desk/cases?done=deleted")
