""" "Hjälpte det? 👍 / 👎" under every policy answer; a 👎 puts the question on HR's unanswered list."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.types import Choice, Reply
from intents import answers
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


def pending(answer_id: str) -> dict[str, str]:
    """What the conversation waits for after "Hjälpte det?": a yes/no about this answer."""
    return {"intent": NAME, "answer": answer_id}


async def on_pending(ctx: Context, waiting: dict[str, str]) -> list[Reply] | None:
    """ "ja", "nej det hjälpte inte", "yes", "not really" after "Hjälpte det?": read as 👍 / 👎, also
    when more follows ("nej det hjälpte inte riktigt, jag behöver konkreta övningar"); when what follows
    is a question of its own, the verdict is kept and the question answered as any."""
    kind, rest = answers.lead(ctx.text)
    from intents import profile  # profile imports the policy answer, which imports this module

    if kind in ("yes", "no") and profile.stated_role(ctx.text):
        return None  # "nej jag är inte tjänsteperson, jag sitter i nämnden": who the person is, not a verdict
    if kind in ("yes", "no") and rest and "?" in rest and len(rest.split()) >= 3:
        await ctx.bot.store.feedback(waiting["answer"], kind == "yes")
        return None
    if kind == "yes":
        return await on_choice(ctx, f"up:{waiting['answer']}")
    if kind == "no":
        return await on_choice(ctx, f"down:{waiting['answer']}")
    if kind == "unsure":
        return [Reply(text=say(NAME, "thanks_unsure", ctx.lang), intent=NAME, lang=ctx.lang, abstained=True)]
    return None


async def on_choice(ctx: Context, value: str) -> list[Reply]:
    verdict, _, answer_id = value.partition(":")
    helpful = verdict == "up"
    known = await ctx.bot.store.feedback(answer_id, helpful)
    if known and not helpful:
        ref = await ctx.bot.store.answer_passages(answer_id)
        if ref is not None:
            org, role, lang, passages = ref
            ctx.bot.questions.note(ctx.conv_key, ctx.user_key, org, role, lang, "thumbs_down", passages=tuple(passages))
    key = ("thanks_up" if helpful else "thanks_down") if known else "gone"
    return [Reply(text=say(NAME, key, ctx.lang), intent=NAME, lang=ctx.lang, abstained=True)]
