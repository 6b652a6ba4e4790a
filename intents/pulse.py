"""The anonymous 1-5 pulse under a conduct prompt: one answer per person (kept only as a keyed hash),
results shown only when enough people have answered (`min_answers` in intents/pulse.yaml)."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from bot.types import Reply
from intents.phrases import load, say

if TYPE_CHECKING:
    from bot.core import Context

NAME = "pulse"
PREFIX = "pulse:"


def matches(ctx: Context) -> bool:
    return False


async def handle(ctx: Context) -> list[Reply]:
    return []


async def on_choice(ctx: Context, value: str) -> list[Reply]:
    post, _, score = value.rpartition(":")
    if not post or score not in ("1", "2", "3", "4", "5") or ctx.bot.schedules is None:
        return [Reply(text=say("smalltalk", "unknown_choice", ctx.lang), intent="error", lang=ctx.lang, abstained=True)]
    voter = ctx.bot.store.pseudonym("pulse", post, ctx.user_key)  # not linkable to the person's profile
    scores = await ctx.bot.schedules.vote(post, voter, int(score))
    minimum = int(load(NAME)["min_answers"])
    lines = [say("schedule", "vote_thanks", ctx.lang, count=len(scores))]
    if len(scores) >= minimum:
        counts = Counter(scores)
        mean = f"{sum(scores) / len(scores):.1f}".replace(".", "," if ctx.lang == "sv" else ".")
        lines.append(
            say(
                "schedule",
                "vote_result",
                ctx.lang,
                mean=mean,
                counts=", ".join(f"{n}: {counts[n]}" for n in range(1, 6)),
            )
        )
    else:
        lines.append(say("schedule", "vote_hidden", ctx.lang, min=minimum))
    return [Reply(text=" ".join(lines), private=True, intent=NAME, lang=ctx.lang, abstained=True)]
