"""The intent registry: which intent takes a message.

An intent is a module with `NAME`, `PREFIX` (the start of the choice values it offers, or ""),
`matches(ctx) -> bool` and `async handle(ctx) -> list[Reply]`; a guided flow also has
`async on_flow_text(ctx) -> list[Reply] | None`, and an intent that offers choices has
`async on_choice(ctx, value) -> list[Reply]`. Adding an intent is adding a module (with its phrases
in a YAML file beside it) and its name to `ORDER`.
"""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

from bot.types import Reply
from intents.phrases import say

if TYPE_CHECKING:
    from bot.core import Context

# Most specific first; the policy answer is the fallback and is not in this list.
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
    return [intent(n) for n in (*ORDER, FALLBACK)]


def validate(corpus: object) -> None:
    """Let every intent whose data quotes the corpus check it (`validate(corpus)`), failing loudly."""
    for mod in all_intents():
        check = getattr(mod, "validate", None)
        if check is not None:
            check(corpus)


async def dispatch(ctx: Context) -> list[Reply]:
    """Route one message to the intent that takes it."""
    choice = ctx.incoming.choice
    if choice:
        for mod in all_intents():
            prefix = getattr(mod, "PREFIX", "")
            if prefix and choice.startswith(prefix) and hasattr(mod, "on_choice"):
                return list(await mod.on_choice(ctx, choice[len(prefix) :]))
        return [Reply(text=say("smalltalk", "unknown_choice", ctx.lang), intent="error", lang=ctx.lang, abstained=True)]
    if not ctx.text:
        return list(await intent("smalltalk").help_reply(ctx))
    if intent("anonymous_report").active(ctx):
        replies = await intent("anonymous_report").on_flow_text(ctx)
        if replies is not None:
            return list(replies)
    flow = ctx.state.get("flow")
    if flow:
        mod = intent(flow)
        replies = await mod.on_flow_text(ctx)
        if replies is not None:
            return list(replies)
    for mod in (intent(n) for n in ORDER):
        if mod.matches(ctx):
            return list(await mod.handle(ctx))
    return list(await intent(FALLBACK).handle(ctx))
