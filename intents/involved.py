"""Who is involved: the person concerned in what someone describes, and what the code says when that is the
person one would normally tell, or when the asker is the one receiving the report.

"min gruppledare trakasserar mig" (the code says: talk to your group leader first) gets what else the code
says about whom to turn to, or plainly that it names no one else; a manager asking what to do when an
employee tells them something gets the code's expectations of managers. Everything quoted is the
organisation's own text; nothing names a channel the documents do not. Data: `involved.yaml`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from intents.phrases import load, say
from knowledge.text import fold, normalize

if TYPE_CHECKING:
    from bot.core import Context
    from knowledge.corpus import Passage

NAME = "involved"
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _folded(text: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "'’" else " " for ch in fold(normalize(text)))
    return " " + " ".join(cleaned.split()) + " "


@cache
def _data() -> dict[str, Any]:
    return load(NAME)


@cache
def _parties() -> tuple[tuple[str, tuple[str, ...]], ...]:
    return tuple((k, tuple(_folded(w).rstrip() for w in v)) for k, v in _data()["parties"].items())


def parties(text: str, after: str | None = None) -> list[str]:
    """The kinds of people the message is about, most specific first ('manager', 'member', ...); `after`:
    the kind the previous answer was about as the one involved (then "hans chef" is the manager's manager)."""
    t = _folded(text)
    for own in _data()["own_words"]:  # "min egen chef", "my own boss": the person is the same
        t = t.replace(f" {_folded(own).strip()} ", " ")
    found: list[str] = []
    for kind, words in (_data().get("after_target") or {}).get(after or "", {}).items():
        if any(_folded(w).rstrip() in t for w in words):
            found.append(kind)
    for kind, words in _parties():
        if any(w in t for w in words) and kind not in found:
            found.append(kind)
    if "managers_manager" in found and "manager" in found:
        found.remove("manager")  # "chefens chef" names the manager's manager, not the manager
    return found


def without_parties(text: str, possessives: Iterable[str] = ()) -> str:
    """The message with the people it names left out ("what if it's a supplier?" -> "what if it's a?"): what
    it says besides who is involved; with `possessives`, those right before a person go too ("min kollega")."""
    t = _folded(text)
    owners = [_folded(p).strip() for p in possessives]
    for _kind, words in _parties():
        for w in words:
            for p in owners:
                t = t.replace(f" {p}{w}", " ")
            t = t.replace(w, " ")
    return " ".join(t.split())


def follow_up(text: str) -> bool:
    """True for an elliptical message that carries the previous topic ("och om det är min chef?")."""
    t = _folded(text)
    if len(t.split()) > 16:
        return False
    leads = {_folded(w).strip() for w in _data().get("lead_words") or []}
    while len(t.split()) > 1 and t.split()[0] in leads:
        t = " " + " ".join(t.split()[1:]) + " "
    if any(t.startswith(_folded(w).rstrip() + " ") for w in _data()["follow_up"]):
        return True  # an opener ("och om ...", "what if ...") with a short new case
    if len(t.split()) > 10:
        return False
    d = _data()
    toks = t.replace("?", " ").split()
    openers, endings = ({_folded(w).strip() for w in d[k]} for k in ("short_openers", "short_endings"))
    if toks and len(toks) <= d["short_words"] and (toks[0] in openers or toks[-1] in endings):
        return True  # "and the salary stuff?", "och lönen då?"
    return len(t.split()) <= 8 and any(_folded(w) in t for w in d["follow_up_words"])


def same_case(text: str) -> bool:
    """True when a follow-up makes the same case smaller ("what if it's just a bottle of wine?")."""
    t = _folded(text)
    return any(f" {fold(normalize(w))} " in t for w in _data().get("same_case_words") or ())


def about_self(text: str) -> bool:
    """True when a follow-up's new case is the asker themself ("och om det är jag själv som druckit?")."""
    t = _folded(text)
    return any(_folded(w) in t for w in _data()["self_words"])


def own_conduct_words() -> tuple[str, ...]:
    """Words by which a passage speaks to the reader's own conduct ("inte själv komma påverkad"), folded
    and padded for a whole-word test."""
    return tuple(f" {fold(normalize(w))} " for w in _data()["own_conduct_words"])


def is_target(role: str, found: list[str]) -> str | None:
    """The usual person to tell, when they are the one involved ('manager' for an employee), else None."""
    usual = _data()["usual"].get(role)
    if usual in found:
        return str(usual)
    if usual == "manager" and "managers_manager" in found:
        return "managers_manager"
    return None


def asker_is_target(role: str, text: str, found: list[str], received: bool = False) -> str | None:
    """The asker's own role, when they are the one a report would reach and the one it is about ("och om
    en ledamot tycker att det är jag som gruppledare som har kränkt henne?", or, right after an answer to them
    as the one receiving, "and if she's actually complaining about me?"); else None."""
    usual = _data()["usual"].get(role)
    receives = received or any(p in found for p in _data()["receiving"].get(role, []))
    return str(usual) if usual == role and receives and about_self(text) else None


def names_usual(rule_text: str, target: str) -> bool:
    """True when a rule sends the person to the usual one (their manager, their group leader)."""
    key = "manager" if target == "managers_manager" else target
    t = _folded(rule_text)
    return any(f" {_folded(w).strip()}" in t for w in _data()["usual_words"].get(key, []))


def is_receiver(role: str, found: list[str], text: str = "") -> bool:
    """True when the asker is the one a report reaches (a manager told by an employee), or says they ask in
    that role ("vad är mitt ansvar som chef här?")."""
    if any(p in found for p in _data()["receiving"].get(role, [])):
        return True
    t = _folded(text)
    return any(f" {_folded(c).strip()} " in t for c in (_data().get("receiver_cues") or {}).get(role, []))


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(" ".join(text.split())) if s.strip()]


def alternatives(passages: list[Passage], skip: str | None = None) -> list[str]:
    """Sentences of these passages that name someone else to turn to (verbatim)."""
    cues = [_folded(c).strip() for c in _data()["alternatives"]]
    out = []
    for p in passages:
        for s in _sentences(p.text):
            t = _folded(s)
            if any(f" {c}" in t for c in cues) and s not in out:
                out.append(s)
    return out


def role_passages(ctx: Context, role: str) -> list[Passage]:
    """The organisation's passages in documents written for this role."""
    return [p for p in ctx.bot.retriever.corpus.passages if p.org == ctx.org and role in p.doc.audiences]


def receiver_passage(ctx: Context, role: str, near: Passage | None = None) -> Passage | None:
    """The passage of the role's own document that says what is expected of the one receiving: in the
    section of `near` (the rule's passage: what is expected on that very matter) first, then by section name,
    then by text anywhere."""
    words = [_folded(w).strip() for w in _data()["receiver_words"].get(role, [])]
    # "tala med din gruppledare" speaks to the one who reports, not about the one receiving
    addressed = [_folded(a).strip() for a in _data().get("addressed_words") or []]
    candidates = role_passages(ctx, role)
    if near is not None:
        same = [p for p in candidates if (p.doc.id, p.section) == (near.doc.id, near.section) and p.id != near.id]
        for p in same:
            t = _folded(p.text)
            if any(f" {w}" in t for w in words) and not any(f" {a} {w}" in t for a in addressed for w in words):
                return p
    for field in ("section", "text"):
        for p in candidates:
            t = _folded(getattr(p, field))
            if any(f" {w}" in t for w in words) and not any(f" {a} {w}" in t for a in addressed for w in words):
                return p
    return None


def party_passage(ctx: Context, passage: Passage, found: list[str]) -> tuple[str, Passage] | None:
    """A passage of the same section as `passage` that names a person of the message's kind who is not
    the usual one to tell (`mentioned`: a visitor, a customer), with that kind; None when there is none."""
    words = dict(_parties())
    for kind in (k for k in found if k in _data().get("mentioned", [])):
        for p in ctx.bot.retriever.corpus.passages:
            same = (p.org, p.doc.id, p.section) == (passage.org, passage.doc.id, passage.section)
            if same and p.id != passage.id and any(w in _folded(p.text) for w in words[kind]):
                return kind, p
    return None


def phrase(key: str, lang: str, **values: object) -> str:
    return say(NAME, key, lang, **values)


def person(kind: str, lang: str) -> str:
    return str(_data()[lang]["names"].get(kind, kind))
