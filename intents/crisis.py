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
    # quotes around words ("han tänker 'avsluta allt'") are not part of them; an apostrophe inside is ("can't")
    return " " + " ".join(w.strip("'-") for w in cleaned.split() if w.strip("'-")) + " "


def _padded(w: str) -> str:
    """A word padded for matching: ' word ' for a whole word, ' word' for a prefix (`word*`)."""
    return _folded(w.rstrip("*")).rstrip() if w.endswith("*") else _folded(w)


@cache
def _kinds() -> tuple[tuple[str, tuple[str, ...], tuple[tuple[tuple[str, ...], ...], ...]], ...]:
    """Per kind, its words, and its `together` groups: each group a list of alternatives per part, every
    part of which must be in the message ("tabletter" and "ikväll"), in any order."""
    out = []
    for kind, data in load(NAME)["kinds"].items():
        words = tuple(_padded(str(w)) for w in data["words"])
        groups = tuple(
            tuple(tuple(_padded(str(a)) for a in str(part).split("|")) for part in group)
            for group in data.get("together") or ()
        )
        out.append((kind, words, groups))
    return tuple(out)


@cache
def _idioms() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    data = load(NAME).get("accident_idioms") or {}
    phrases = tuple(_padded(str(w)) for w in data.get("phrases") or ())
    figures = tuple(_padded(str(w)) for w in load(NAME).get("figures") or ())
    return phrases, tuple(_padded(str(w)) for w in data.get("with") or ()), figures


def _without_idioms(t: str) -> str:
    """The folded text without figures of speech: accident ones ("nån kommer ramla och slå ihjäl sig") and
    those that never mean danger ("det brinner i knutarna")."""
    phrases, context, figures = _idioms()
    for p in (*phrases, *figures) if any(w in t for w in context) else figures:
        while p in t:
            t = t.replace(p, " ")
    return t


def kind(text: str) -> str | None:
    """'suicide', 'selfharm', 'violence' or 'danger' when the message is about one, else None."""
    t = _without_idioms(_folded(text))
    for k, words, groups in _kinds():
        if any(w in t for w in words):
            return k
        if any(all(any(a in t for a in part) for part in group) for group in groups):
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
