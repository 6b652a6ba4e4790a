""" "Hjälpte det? 👍 / 👎" under every policy answer; a 👎 puts the question on HR's unanswered list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.types import Choice, Reply
from intents.phrases import say

if TYPE_CHECKING:
    from bot.core import Context

NAME = "feedback"
PREFIX = "fb:"


def matches(ctx: Context) -> bool:
    return False


async def handle(ctx: Context) -> list[Reply]:  # pragma: no cover - only reached through choices
    return []


def choices(answer_id: str, lang: str) -> tuple[Choice, ...]:
    """The 👍/👎 buttons for one answer."""
    return (
        Choice(say(NAME, "up", lang), f"{PREFIX}up:{answer_id}"),
        Choice(say(NAME, "down", lang), f"{PREFIX}down:{answer_id}"),
    )


def question(lang: str) -> str:
    return say(NAME, "ask", lang)


async def on_choice(ctx: Context, value: str) -> list[Reply]:
    verdict, _, answer_id = value.partition(":")
    helpful = verdict == "up"
    known = await ctx.bot.store.feedback(answer_id, helpful)
    key = ("thanks_up" if helpful else "thanks_down") if known else "gone"
    return [Reply(text=say(NAME, key, ctx.lang), intent=NAME, lang=ctx.lang, abstained=True)]
