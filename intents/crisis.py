"""Help first: suicide, self-harm, violence or acute danger get a short caring reply with 112, 1177
Vårdguiden and, for suicidal thoughts, Självmordslinjen 90101, before anything else and never a policy
quote. The words and the contacts are data (`crisis.yaml`); an organisation adds its own contacts there.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from bot.types import Reply
from intents.phrases import load, say
from knowledge.text import fold, normalize

if TYPE_CHECKING:
    from bot.core import Context

NAME = "crisis"
PREFIX = ""


def _folded(text: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "'-" else " " for ch in fold(normalize(text)))
    return " " + " ".join(cleaned.split()) + " "


@cache
def _kinds() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Per kind, its words padded for matching: ' word ' for whole words, ' word' for a prefix (`word*`)."""
    out = []
    for kind, data in load(NAME)["kinds"].items():
        words = []
        for w in data["words"]:
            w = str(w)
            words.append(_folded(w.rstrip("*")).rstrip() if w.endswith("*") else _folded(w))
        out.append((kind, tuple(words)))
    return tuple(out)


def kind(text: str) -> str | None:
    """'suicide', 'selfharm', 'violence' or 'danger' when the message is about one, else None."""
    t = _folded(text)
    for k, words in _kinds():
        if any(w in t for w in words):
            return k
    return None


def matches(ctx: Context) -> bool:
    return kind(ctx.text) is not None


async def handle(ctx: Context) -> list[Reply]:
    """The caring reply with the contacts for this kind (and the organisation's own), outside the policies."""
    data = load(NAME)
    k = kind(ctx.text) or "danger"
    keys = list(data["kinds"][k]["contacts"])
    lines = [str(data["contacts"][c].get(ctx.lang) or data["contacts"][c]["sv"]) for c in keys]
    for extra in (data.get("extra") or {}).get(ctx.org, []) or []:
        lines.append(str(extra.get(ctx.lang) or extra.get("sv")))
    parts = [say(NAME, k, ctx.lang), "", say(NAME, "contacts_lead", ctx.lang), *(f"- {x}" for x in lines)]
    text = "\n".join([*parts, "", say(NAME, "outside", ctx.lang)])
    return [Reply(text=text, intent=NAME, lang=ctx.lang, abstained=True)]
