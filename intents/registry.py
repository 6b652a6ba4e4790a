"""The intent registry: which intent takes a message.

An intent is a module with `NAME`, `PREFIX` (the start of the choice values it offers, or ""),
`matches(ctx) -> bool` and `async handle(ctx) -> list[Reply]`; a guided flow also has
`async on_flow_text(ctx) -> list[Reply] | None`, and an intent that offers choices has
`async on_choice(ctx, value) -> list[Reply]`. Adding an intent is adding a module (with its phrases
in a YAML file beside it) and its name to `ORDER`.
"""

from __future__ import annotations

import importlib
from dataclasses import replace
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

from bot.types import Reply
from intents.phrases import say

if TYPE_CHECKING:
    from bot.core import Context

# Most specific first; the policy answer is the fallback and is not in this list. `crisis` is asked
# before everything (flows included).
FIRST = ("crisis",)
ORDER = (
    "anonymous_report",
    "smalltalk",
    "profile",
    "schedule",
    "pulse",
    "four_question_check",
    "report_concern",
    "feedback",
)
FALLBACK = "policy_answer"


@cache
def intent(name: str) -> ModuleType:
    """The intent module called `name`."""
    return importlib.import_module(f"intents.{name}")


def all_intents() -> list[ModuleType]:
    return [intent(n) for n in (*FIRST, *ORDER, FALLBACK)]


def validate(corpus: object) -> None:
    """Let every intent whose data quotes the corpus check it (`validate(corpus)`), failing loudly."""
    for mod in all_intents():
        check = getattr(mod, "validate", None)
        if check is not None:
            check(corpus)


async def _pending_answer(ctx: Context, waiting: object) -> list[Reply] | None:
    """A short answer to the last question the bot asked outside a flow (`state["pending"]`: a yes/no
    after "Hjälpte det?", a role after "are you an employee or an elected official?"), read by the intent
    that asked (`on_pending(ctx, waiting)`, None when the message is not an answer); it waits for one
    message only. A flow under way (the
    check) is asked again after it, so a side question does not lose the check's place."""
    if not isinstance(waiting, dict) or intent("anonymous_report").active(ctx):
        return None
    name = str(waiting.get("intent", ""))
    handler = getattr(intent(name), "on_pending", None) if name in (*ORDER, FALLBACK) else None
    if handler is None:
        return None
    replies = await handler(ctx, waiting)
    if replies is None:
        return None
    flow = ctx.state.get("flow")
    resume = getattr(intent(flow), "resume_reply", None) if flow else None
    if resume is not None:
        replies = [*replies, *await resume(ctx)]
    return list(replies)


async def dispatch(ctx: Context) -> list[Reply]:
    """Route one message to the intent that takes it."""
    waiting = ctx.state.pop("pending", None)  # a pending yes/no waits for one message only
    choice = ctx.incoming.choice
    if choice:
        for mod in all_intents():
            prefix = getattr(mod, "PREFIX", "")
            if prefix and choice.startswith(prefix) and hasattr(mod, "on_choice"):
                return list(await mod.on_choice(ctx, choice[len(prefix) :]))
        return [Reply(text=say("smalltalk", "unknown_choice", ctx.lang), intent="error", lang=ctx.lang, abstained=True)]
    if not ctx.text:
        return list(await intent("smalltalk").help_reply(ctx))
    crisis = intent("crisis")
    if crisis.matches(ctx):  # help first, before any flow or policy answer
        help_first = list(await crisis.handle(ctx))
        report = intent("anonymous_report")
        if report.active(ctx):
            return help_first + list(await report.on_flow_text(ctx) or [])
        return help_first
    replies = await _pending_answer(ctx, waiting)
    if replies is not None:
        return replies
    report = intent("anonymous_report")
    if report.active(ctx):
        replies = await report.on_flow_text(ctx)
        if replies is not None:
            return list(replies)
    elif ctx.incoming.form:
        return list(await report.on_form(ctx))  # a form's text is never read as a question
    flow = ctx.state.get("flow")
    if flow:
        mod = intent(flow)
        replies = await mod.on_flow_text(ctx)
        if replies is not None:
            return list(replies)
    for mod in (intent(n) for n in ORDER):
        if mod.matches(ctx):
            return await _keep_flow(ctx, flow, list(await mod.handle(ctx)))
    return await _keep_flow(ctx, flow, list(await intent(FALLBACK).handle(ctx)))


async def _keep_flow(ctx: Context, flow: object, replies: list[Reply]) -> list[Reply]:
    """After a side question in the middle of a guided flow, the flow's question is asked again (and is
    then the one a short answer answers)."""
    if not flow or ctx.state.get("flow") != flow or any(r.intent == flow for r in replies):
        return replies
    resume = getattr(intent(str(flow)), "resume_reply", None)
    if resume is None:
        return replies
    ctx.state.pop("pending", None)
    # the side answer's 👍/👎 go: the check's own choices are then numbered from 1, and a short answer is the check's
    ask = say("feedback", "ask", ctx.lang)
    side = [
        replace(
            r,
            text=r.text.removesuffix(f"\n\n{ask}"),
            choices=tuple(c for c in r.choices if not c.value.startswith("fb:")),
        )
        for r in replies
    ]
    return [*side, *await resume(ctx)]
