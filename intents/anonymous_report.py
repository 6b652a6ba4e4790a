"""The anonymous report to the whistleblower function, and the reporter's anonymous follow-up.

The flow's state (the draft above all) lives only in the bot's memory, never in the database:
nothing is stored before the person confirms, and a discard (or a restart) leaves nothing behind.
On confirmation the case is created in one transaction (bot/cases.py) and the post waits for a random
delay. Every reply of this flow is private.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from functools import cache
from typing import TYPE_CHECKING, Any

from bot.cases import CaseError
from bot.types import Choice, Citation, Reply
from intents.phrases import load, say
from knowledge.orgs import org_name
from knowledge.text import normalize

if TYPE_CHECKING:
    from bot.core import Bot, Context

NAME = "anonymous_report"
PREFIX = "report:"
CODE = re.compile(r"\bVB-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b", re.I)
PASSPHRASE = re.compile(r"\b[a-hj-np-z2-9]{5}(?:-[a-hj-np-z2-9]{5}){4}\b", re.I)
MENTION = re.compile(r"<[!@#]|@(?:here|channel|everyone)\b|<at>|</at>", re.I)
CANCEL = ("avbryt", "cancel", "stopp", "stop", "sluta", "/avbryt", "/cancel")
SEND = ("skicka", "skicka den", "send", "send it", "ja, skicka", "yes, send")
DISCARD = ("kasta", "kasta den", "discard", "släng", "delete it")
REWRITE = ("skriv om", "rewrite", "ändra", "edit")


@cache
def _starts() -> tuple[str, ...]:
    return tuple(normalize(s) for s in load(NAME)["starts"])


def _max() -> int:
    return int(load(NAME)["max_chars"])


def _flow(ctx: Context) -> dict[str, Any]:
    return ctx.bot.ephemeral.setdefault(ctx.conv_key, {})


def _reply(
    ctx: Context,
    text: str,
    choices: tuple[Choice, ...] = (),
    cites: tuple[Citation, ...] = (),
    ask: str | None = None,
    error: bool = False,
) -> Reply:
    """A private reply of this flow. `ask` names the free text it waits for (`report`, `passphrase`,
    `addition`): chat platforms collect that in a form (a Slack modal, a Teams card) rather than in the
    message history; `error` marks a reply that rejects what was written, so the form can show it."""
    meta: dict[str, object] = {}
    if ask:
        meta["input"] = ask
    if error:
        meta["error"] = True
    return Reply(
        text=text, choices=choices, citations=cites, private=True, intent=NAME, lang=ctx.lang, abstained=True, meta=meta
    )


def available(ctx: Context) -> bool:
    """True when the organisation's documents name a whistleblower function."""
    routing = ctx.bot.routing.orgs.get(ctx.org)
    return bool(routing and routing.channels.get("whistleblower"))


def matches(ctx: Context) -> bool:
    t = normalize(ctx.text).strip()
    return bool(CODE.search(ctx.text)) or any(t == s or t.startswith(s + " ") for s in _starts())


def active(ctx: Context) -> bool:
    return bool(ctx.bot.ephemeral.get(ctx.conv_key, {}).get("flow") == NAME)


def check_report(text: str, max_chars: int) -> str | None:
    """The phrase key of what is wrong with a report text, or None when it can be sent."""
    body = text.strip()
    if not body:
        return "empty"
    if len(body) > max_chars:
        return "too_long"
    if any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t" for ch in body):
        return "control"
    if MENTION.search(body):
        return "mention"
    return None


def _citations(ctx: Context) -> tuple[Citation, ...]:
    routing = ctx.bot.routing.orgs.get(ctx.org)
    out: list[Citation] = []
    for topic in ("corruption", "complaint"):
        rule = routing.rule(topic, ctx.answer_role) if routing else None
        if rule:
            p = rule.rests_on[0]
            out.append(Citation(p.doc.id, p.doc.title, p.section, p.text, 1.0, p.id, p.org))
    return tuple(out)


async def start(ctx: Context) -> list[Reply]:
    """Explain the function and its limits, then wait for the report."""
    if not available(ctx):
        return [
            _reply(ctx, say(NAME, "no_function", ctx.lang, org=org_name(ctx.org, "sv"), org_en=org_name(ctx.org, "en")))
        ]
    channel = ctx.bot.routing.orgs[ctx.org].channels["whistleblower"]
    external = ("to use " if ctx.lang == "en" else "att använda ") + str(channel.get(ctx.lang) or channel.get("sv"))
    ctx.bot.ephemeral[ctx.conv_key] = {"flow": NAME, "step": "write", "lang": ctx.lang}
    text = say(NAME, "intro", ctx.lang, external=external) + "\n\n" + say(NAME, "write", ctx.lang)
    cancel = (Choice(say(NAME, "cancel_choice", ctx.lang), f"{PREFIX}cancel"),)
    return [_reply(ctx, text, cancel, _citations(ctx), ask="report")]


def _review(ctx: Context, draft: str) -> Reply:
    quoted = "\n".join("> " + line for line in draft.splitlines())
    choices = (
        Choice(say(NAME, "send", ctx.lang), f"{PREFIX}send"),
        Choice(say(NAME, "rewrite", ctx.lang), f"{PREFIX}rewrite"),
        Choice(say(NAME, "discard", ctx.lang), f"{PREFIX}discard"),
    )
    return _reply(ctx, f"{say(NAME, 'review', ctx.lang)}\n\n{quoted}", choices)


async def handle(ctx: Context) -> list[Reply]:
    code = CODE.search(ctx.text)
    if code:
        return await _login(ctx, code.group(0).upper(), PASSPHRASE.search(ctx.text))
    return await start(ctx)


async def _login(ctx: Context, code: str, phrase: re.Match[str] | None) -> list[Reply]:
    if phrase is None:
        ctx.bot.ephemeral[ctx.conv_key] = {"flow": NAME, "step": "passphrase", "code": code, "lang": ctx.lang}
        return [_reply(ctx, say(NAME, "ask_passphrase", ctx.lang, code=code), ask="passphrase")]
    try:
        key = await ctx.bot.cases.unlock(code, phrase.group(0))
    except CaseError as exc:
        ctx.bot.ephemeral.pop(ctx.conv_key, None)
        return [_reply(ctx, say(NAME, "locked" if str(exc) == "locked" else "bad_login", ctx.lang))]
    info = await ctx.bot.cases.info(code)
    assert info is not None
    statuses: dict[str, str] = load(NAME)[ctx.lang]["statuses"]
    lines = [say(NAME, "case_status", ctx.lang, code=code, status=statuses.get(info.status, info.status))]
    messages = await ctx.bot.cases.messages_for_reporter(code, key)
    answers = [m for m in messages if m[0] == "handler"]
    for author, when, text in messages[1:]:
        head = say(NAME, "from_handler" if author == "handler" else "from_you", ctx.lang, date=_day(when))
        lines.append(f"{head}\n" + "\n".join("> " + x for x in text.splitlines()))
    if not answers:
        lines.append(say(NAME, "no_answers", ctx.lang))
    ctx.bot.ephemeral[ctx.conv_key] = {"flow": NAME, "step": "case", "code": code, "lang": ctx.lang}
    choices: tuple[Choice, ...] = ()
    if info.status != "closed":
        choices = (
            Choice(say(NAME, "add_choice", ctx.lang), f"{PREFIX}add"),
            Choice(say(NAME, "done_choice", ctx.lang), f"{PREFIX}done"),
        )
    return [_reply(ctx, "\n\n".join(lines), choices)]


async def on_flow_text(ctx: Context) -> list[Reply] | None:
    """Text while the flow is active: the report, a rewrite, a passphrase or added information."""
    flow = _flow(ctx)
    text = ctx.text
    if normalize(text).strip() in CANCEL:
        ctx.bot.ephemeral.pop(ctx.conv_key, None)
        return [_reply(ctx, say(NAME, "cancelled", ctx.lang))]
    step = flow.get("step")
    if step == "passphrase":
        return await _login(ctx, flow["code"], PASSPHRASE.search(text))
    if step == "review":
        word = normalize(text).strip().rstrip("!.")
        for value, words in (("send", SEND), ("discard", DISCARD), ("rewrite", REWRITE)):
            if word in words:
                return await on_choice(ctx, value)
    if step in ("write", "review"):
        problem = check_report(text, _max())
        if problem:
            msg = say(NAME, problem, ctx.lang, n=len(text.strip()), max=_max())
            return [_reply(ctx, msg, ask="report", error=True)]
        flow.update(step="review", draft=text.strip())
        return [_review(ctx, flow["draft"])]
    if step == "add":
        problem = check_report(text, _max())
        if problem:
            msg = say(NAME, problem, ctx.lang, n=len(text.strip()), max=_max())
            return [_reply(ctx, msg, ask="addition", error=True)]
        low, high = ctx.bot.settings.report_delay_seconds
        try:
            await ctx.bot.cases.add_from_reporter(flow["code"], text.strip(), random.uniform(low, high))
        except CaseError:
            ctx.bot.ephemeral.pop(ctx.conv_key, None)
            return [_reply(ctx, say(NAME, "bad_login", ctx.lang))]
        code = flow["code"]
        ctx.bot.ephemeral.pop(ctx.conv_key, None)
        return [_reply(ctx, say(NAME, "added", ctx.lang, code=code))]
    return None


async def on_choice(ctx: Context, value: str) -> list[Reply]:
    flow = ctx.bot.ephemeral.get(ctx.conv_key, {})
    if value == "start":
        return await start(ctx)
    if value in ("cancel", "discard", "done") or not flow:
        ctx.bot.ephemeral.pop(ctx.conv_key, None)
        key = {"discard": "discarded", "done": "done"}.get(value, "cancelled")
        return [_reply(ctx, say(NAME, key, ctx.lang))]
    if value == "rewrite":
        flow.update(step="write", draft=None)
        return [_reply(ctx, say(NAME, "write", ctx.lang), ask="report")]
    if value == "add" and flow.get("code"):
        info = await ctx.bot.cases.info(flow["code"])
        if info is None or info.status == "closed":
            ctx.bot.ephemeral.pop(ctx.conv_key, None)
            return [_reply(ctx, say(NAME, "closed_case", ctx.lang))]
        flow["step"] = "add"
        return [_reply(ctx, say(NAME, "add_write", ctx.lang), ask="addition")]
    if value == "send" and flow.get("step") == "review" and flow.get("draft"):
        draft = flow["draft"]
        ctx.bot.ephemeral.pop(ctx.conv_key, None)
        low, high = ctx.bot.settings.report_delay_seconds
        case = await ctx.bot.cases.create(ctx.org, draft, random.uniform(low, high))
        return [_reply(ctx, say(NAME, "sent", ctx.lang, code=case.code, passphrase=case.passphrase))]
    ctx.bot.ephemeral.pop(ctx.conv_key, None)
    return [_reply(ctx, say(NAME, "cancelled", ctx.lang))]


def offer(lang: str) -> Choice:
    """The choice a routing answer offers: start an anonymous report."""
    return Choice(say(NAME, "offer", lang), f"{PREFIX}start")


def _day(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d")


async def handler_reply(bot: Bot, code: str, text: str, lang: str) -> list[str]:
    """A handler's reply in a case's channel thread: status commands applied, the rest stored for the
    reporter (encrypted to them). Returns the notes to post back in the thread."""
    body = text.strip()
    notes: list[str] = []
    for status, words in load(NAME).get("handler_commands", {}).items():
        for word in words:
            pattern = rf"(?<!\S){re.escape(word)}(?!\S)"
            if re.search(pattern, body, re.I):
                body = re.sub(pattern, "", body, flags=re.I).strip()
                await bot.cases.set_status(code, status)
                statuses: dict[str, str] = load(NAME)[lang]["statuses"]
                notes.append(say(NAME, "handler_status", lang, code=code, status=statuses.get(status, status)))
    if body:
        await bot.cases.answer(code, body)
        notes.append(say(NAME, "handler_saved", lang, code=code))
    return notes
