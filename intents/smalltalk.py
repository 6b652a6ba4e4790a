"""Greetings, help and thanks: short, in the person's language, saying what the bot can do."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.types import Choice, Reply
from intents.phrases import load, say
from knowledge.orgs import org_name
from knowledge.text import normalize

if TYPE_CHECKING:
    from bot.core import Context

NAME = "smalltalk"
PREFIX = ""
CUTOFF = 88.0


@cache
def _examples() -> tuple[list[str], list[str]]:
    texts: list[str] = []
    kinds: list[str] = []
    for kind, phrases in load(NAME)["examples"].items():
        for p in phrases:
            texts.append(_clean(str(p)))
            kinds.append(kind)
    return texts, kinds


def _clean(text: str) -> str:
    return " ".join("".join(ch if ch.isalnum() or ch in " /" else " " for ch in normalize(text)).split())


def kind(text: str) -> str | None:
    """'greeting', 'help' or 'thanks' when the whole message is one of those, else None."""
    t = _clean(text)
    if not t or len(t.split()) > 7:
        return None
    texts, kinds = _examples()
    m = process.extractOne(t, texts, scorer=fuzz.ratio, score_cutoff=CUTOFF)
    return kinds[m[2]] if m else None


def matches(ctx: Context) -> bool:
    return kind(ctx.text) is not None


def _help_text(ctx: Context) -> str:
    return say(NAME, "help", ctx.lang, org=org_name(ctx.org, "sv"), org_en=org_name(ctx.org, "en"))


def _menu(ctx: Context) -> tuple[Choice, ...]:
    return (
        Choice(say(NAME, "start_check", ctx.lang), "fqc:start"),
        Choice(say(NAME, "set_profile", ctx.lang), "profile:show"),
    )


async def help_reply(ctx: Context) -> list[Reply]:
    """What the bot can do, with a menu."""
    return [Reply(text=_help_text(ctx), choices=_menu(ctx), intent="help", lang=ctx.lang, abstained=True)]


async def handle(ctx: Context) -> list[Reply]:
    k = kind(ctx.text) or "help"
    if k == "thanks":
        return [Reply(text=say(NAME, "thanks", ctx.lang), intent="thanks", lang=ctx.lang, abstained=True)]
    if k == "greeting":
        text = say(NAME, "greeting", ctx.lang) + " " + _help_text(ctx)
        return [Reply(text=text, choices=_menu(ctx), intent="greeting", lang=ctx.lang, abstained=True)]
    return await help_reply(ctx)
