"""Reading a short answer against the question the bot asked: yes, no, not sure, or cancel.

Every question the bot asks has a pending answer type kept with the conversation (a yes/no, a role,
one of the offered choices, free text). This module reads the yes/no kind: "ja", "ok", "ja, det är det",
"yes please", "no, not really", "nej det hjälpte inte", "tja", "kanske". A long message, or a question of
its own, is not an answer: the caller then treats it as something new. The phrases are data
(`answers.yaml`).
"""

from __future__ import annotations

import re
from functools import cache

from intents.phrases import load
from knowledge.text import fold, normalize

KINDS = ("cancel", "unsure", "no", "yes")
_TOKEN = re.compile(r"[a-z0-9åäöéü']+")


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(fold(t) for t in _TOKEN.findall(normalize(text).replace("’", "'")))


@cache
def _phrases() -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    data = load("answers")
    out = []
    for kind in data["order"]:
        phrases = sorted({_tokens(str(p)) for p in data[kind]} - {()}, key=len, reverse=True)
        out.append((str(kind), tuple(phrases)))
    return tuple(out)


def read(text: str, max_words: int | None = None) -> str | None:
    """'yes', 'no', 'unsure' or 'cancel' when the message answers a yes/no question, else None."""
    toks = _unhesitant(_tokens(text))
    limit = max_words if max_words is not None else int(load("answers")["max_words"])
    if not toks or len(toks) > limit:
        return None
    if "?" in text and len(toks) > 3:
        return None  # a question of its own
    if _sarcastic(text):
        return "no"  # "wow super helpful, thanks a lot 🙄"
    if _asks_next(toks):
        return None  # "ok who then", "ja men vart vänder jag mig": a question, after a word of assent
    best: tuple[int, str] | None = None
    for kind, phrases in _phrases():
        for ph in phrases:
            if toks[: len(ph)] == ph and (best is None or len(ph) > best[0]):
                best = (len(ph), kind)
                break
    if best is None:
        return None
    n, kind = best
    rest = toks[n:]
    if kind == "yes" and _negated(rest):
        return "no"  # "ja, inte riktigt" / "yes, not really"
    return kind


def _sarcastic(text: str) -> bool:
    t = " ".join(normalize(text).split())
    return any(str(m) in t for m in load("answers").get("sarcasm") or ())


_NEXT = frozenset({"who", "whom", "where", "how", "when", "vem", "vart", "hur", "nar", "vilka"})


def _asks_next(toks: tuple[str, ...]) -> bool:
    """A question word right after the first word or two ("ok who then", "ja men vem då")."""
    return len(toks) > 1 and any(t in _NEXT for t in toks[1:4])


@cache
def _fillers() -> tuple[tuple[str, ...], ...]:
    return tuple(sorted({_tokens(str(p)) for p in load("answers").get("fillers", [])} - {()}, key=len, reverse=True))


def _unhesitant(toks: tuple[str, ...]) -> tuple[str, ...]:
    """The tokens without the hesitation they start with ("hmm maybe" -> "maybe"); all of them when
    nothing else is left."""
    rest = toks
    while rest:
        ph = next((f for f in _fillers() if rest[: len(f)] == f and len(rest) > len(f)), None)
        if ph is None:
            break
        rest = rest[len(ph) :]
    return rest


def _negated(rest: tuple[str, ...]) -> bool:
    return bool(rest) and rest[0] in ("inte", "not", "no", "nej")


_CLAUSE = re.compile(r"[,.!;:]|\s[-–—]\s")


def lead(text: str) -> tuple[str | None, str]:
    """The answer a longer message starts with, and the rest: "nej det hjälpte inte riktigt, jag behöver
    konkreta övningar" -> ("no", "jag behöver konkreta övningar"); (None, text) when its first clause
    is no answer."""
    kind = read(text)
    if kind is not None:
        return kind, ""
    kind = opening(text)
    if kind is not None:
        return kind, ""
    parts = _CLAUSE.split(text, maxsplit=1)
    if len(parts) < 2:
        return None, text
    kind = read(parts[0])
    return (kind, parts[1].strip()) if kind is not None else (None, text)


def opening(text: str, max_words: int = 25) -> str | None:
    """The answer a sentence opens with, when it opens with a clear one (`answers.yaml` `openers`: "nej
    det skulle nog se lite dåligt ut faktiskt"), is not a question and is not long; else None."""
    toks = _unhesitant(_tokens(text))
    if not toks or "?" in text or len(toks) > max_words or _asks_next(toks):
        return None
    openers = load("answers")["openers"]
    doubts = [_tokens(str(p)) for p in openers["unsure"]]
    for kind, phrases in openers.items():
        for ph in sorted({_tokens(str(p)) for p in phrases} - {()}, key=len, reverse=True):
            if toks[: len(ph)] == ph:
                rest = toks[len(ph) :]
                if any(rest[i : i + len(d)] == d for d in doubts for i in range(len(rest))):
                    return "unsure"  # "jo men jag är inte säker"
                return "no" if kind == "yes" and _negated(rest) else str(kind)
    return None


def is_answer(text: str) -> bool:
    """True when the message is a short yes/no/unsure/cancel answer."""
    return read(text) is not None
