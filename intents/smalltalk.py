"""Greetings, help and thanks: short, in the person's language, saying what the bot can do."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from bot.types import Choice, Reply
from intents.phrases import load, say
from intents.profile import asks
from knowledge.orgs import org_name
from knowledge.text import content_words, is_stop, normalize

if TYPE_CHECKING:
    from bot.core import Context

NAME = "smalltalk"
PREFIX = ""
CUTOFF = 88.0
_SENTENCE = re.compile(r"[.!?,;:]+\s")


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


def requested_language(text: str) -> str | None:
    """'en' or 'sv' when a short message asks for that language ("sorry, could you explain that in English?")."""
    t = " " + " ".join(normalize(text).replace("?", " ").replace(",", " ").replace(".", " ").split()) + " "
    if len(t.split()) > 16:
        return None
    for lang, phrases in load(NAME)["language_requests"].items():
        if any(f" {normalize(str(p))} " in t for p in phrases):
            return str(lang)
    return None


def question_beside_request(text: str) -> str:
    """What a language request carries beside itself that asks something ("in English please: what does it
    say about skills development?" -> the question after it; "vad säger den om gåvor, på engelska tack" -> the
    question before it), or "" when it only asks for the language ("sorry, could you explain that in English?
    my Swedish isn't great yet")."""
    t = normalize(text)
    spans = [
        m.span()
        for phrases in load(NAME)["language_requests"].values()
        for x in phrases
        for m in re.finditer(rf"(?<!\w){re.escape(normalize(str(x)))}(?!\w)", t)
    ]
    if not spans:
        return ""
    fillers = {normalize(str(w)) for w in load(NAME).get("language_request_fillers") or ()}
    for part in (t[max(e for _, e in spans) :], t[: min(s for s, _ in spans)]):
        own = [w for w in content_words(part) if w not in fillers]
        if len(own) >= 2 or (own and "?" in part.strip(" :,.;-!?") + part[-1:]):
            ws = part.split()
            while ws and ws[0].strip(" :,.;-!?") in fillers:  # "istället? vem säger jag till ..."
                ws = ws[1:]
            return " ".join(" ".join(ws).strip(" :,.;-!?").split())
    return ""


def kind(text: str, known: Callable[[str], bool] | None = None) -> str | None:
    """'greeting', 'help', 'thanks' or 'bye' when the whole message is one of those, else None. `known(word)`
    says whether a word is one of the documents' (a topic: then the message is a question, not small talk)."""
    if requested_language(text):
        return "language"
    t = _clean(text)
    if not t or len(t.split()) > 14 or _asks_after(text):
        return None
    texts, kinds = _examples()
    if len(t.split()) <= 7:
        m = process.extractOne(t, texts, scorer=fuzz.ratio, score_cutoff=CUTOFF)
        if m:
            return kinds[m[2]]
    return _loose(t, known)


def _asks_after(text: str) -> bool:
    """A sentence after the first asks something ("thanks. who do I tell about it?"): a question, not
    small talk."""
    parts = [p for p in _SENTENCE.split(text) if p.strip()]
    return len(parts) > 1 and any(asks(p) and kind(p) is None and not _to_the_bot(p) for p in parts[1:])


def _to_the_bot(text: str) -> bool:
    """Asked of the bot itself ("kan du hjälpa mig", "can you help"): small talk still."""
    w = normalize(text).split()
    return len(w) > 1 and w[1] in ("du", "ni", "you")


@cache
def _loose_words() -> tuple[frozenset[str], dict[str, tuple[str, ...]], frozenset[str]]:
    texts, _ = _examples()
    singles = frozenset(x for x in texts if " " not in x)
    about = {k: tuple(_clean(str(p)) for p in v) for k, v in load(NAME)["about_bot"].items()}
    return singles, about, frozenset(_clean(str(w)) for w in load(NAME).get("bot_words") or ())


def _loose(t: str, known: Callable[[str], bool] | None) -> str | None:
    """A greeting, thanks or a question about the bot with at most one other content word."""
    singles, about, bot_words = _loose_words()
    padded = f" {t} "
    said = None
    for k in ("thanks", "help"):
        for phrase in about[k]:
            if f" {phrase} " in padded:
                padded = padded.replace(f" {phrase} ", " ")
                said = said or k
    words = padded.split()
    greeted = bool(words) and words[0] in singles
    rest = [w for w in words if w not in singles and not is_stop(w) and len(w) > 2]
    if len(rest) > 1 or (rest and known is not None and known(rest[0])):
        return None
    if said == "help" and rest and rest[0] not in bot_words:
        return None  # "och karensen då, hur funkar det?": how something works, not how the bot does
    if said:
        return said
    texts, kinds = _examples()
    if greeted and words:
        return kinds[texts.index(words[0])]
    return None


def matches(ctx: Context) -> bool:
    return kind(ctx.text, ctx.bot.questions.known) is not None


def takes_by_meaning(ctx: Context) -> bool:
    """Small talk by meaning alone only when the message names nothing of the domain ("och cigg då?" is
    near "och du då?" in meaning, but asks about smoking) and asks no question of its own ("ok who then":
    small talk said in words, "vem är du", is recognised by its words)."""
    said = normalize(ctx.text).replace("?", " ").replace("!", " ").split()
    asking = any(w in _WH for w in said) and not any(w in _YOU for w in said)  # "who made you" is small talk
    return not asking and not ctx.bot.retriever.topics.concepts.match(ctx.text, ctx.lang)


_YOU = frozenset({"you", "your", "du", "dig", "din", "ni", "er"})
_WH = frozenset(
    {"who", "whom", "where", "how", "when", "what", "which", "vem", "vart", "hur", "när", "vad", "vilken", "vilka"}
)


def _help_text(ctx: Context) -> str:
    examples = ", ".join(f'"{q}"' for q in answerable_examples(ctx))
    return say(NAME, "help", ctx.lang, org=org_name(ctx.org, "sv"), org_en=org_name(ctx.org, "en"), examples=examples)


_CHECKED: dict[tuple[int, str, str], tuple[str, ...]] = {}


def answerable_examples(ctx: Context) -> tuple[str, ...]:
    """At most two example questions that the organisation's own documents answer (checked once per
    organisation and language with retrieval), so that help never suggests a question it cannot answer."""
    key = (id(ctx.bot.retriever), ctx.org, ctx.lang)
    if key not in _CHECKED:
        found = []
        for q in load(NAME)["example_questions"].get(ctx.lang, []):
            result = ctx.bot.retriever.search(q, ctx.org, ctx.answer_role)
            if not result.abstain and result.hits:
                found.append(str(q))
            if len(found) == 2:
                break
        _CHECKED[key] = tuple(found)
    return _CHECKED[key]


def _menu(ctx: Context) -> tuple[Choice, ...]:
    return (
        Choice(say(NAME, "start_check", ctx.lang), "fqc:start"),
        Choice(say(NAME, "set_profile", ctx.lang), "profile:show"),
    )


async def help_reply(ctx: Context) -> list[Reply]:
    """What the bot can do, with a menu."""
    return [Reply(text=_help_text(ctx), choices=_menu(ctx), intent="help", lang=ctx.lang, abstained=True)]


async def handle(ctx: Context) -> list[Reply]:
    k = kind(ctx.text, ctx.bot.questions.known) or "help"
    if k == "language":  # the conversation's language is switched already (bot/core.py): the last answer again
        from intents import profile  # profile imports the policy answer, which imports this module

        if new := question_beside_request(ctx.text):  # a new question with the request: answer it in that language
            from intents import registry

            sub = replace(ctx, incoming=replace(ctx.incoming, text=new, choice=None), _search={}, fixed_lang=True)
            return await registry.dispatch(sub)
        again = await profile.answer_held(ctx)
        return again or [Reply(text=say(NAME, "language", ctx.lang), intent="thanks", lang=ctx.lang, abstained=True)]
    if k in ("thanks", "bye"):
        return [Reply(text=say(NAME, k, ctx.lang), intent="thanks", lang=ctx.lang, abstained=True)]
    if k == "greeting":
        text = say(NAME, "greeting", ctx.lang) + " " + _help_text(ctx)
        return [Reply(text=text, choices=_menu(ctx), intent="greeting", lang=ctx.lang, abstained=True)]
    return await help_reply(ctx)
