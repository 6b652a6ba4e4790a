"""Who the person is: "jag är förtroendevald i Västerås", "I'm a manager in Alingsås" set organisation
and role; the role question ("asks once") and the /profil command live here too."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from bot.types import ROLES, Choice, Reply
from intents.phrases import load, say
from knowledge.orgs import find_org, org_name
from knowledge.text import WordSet, fold, normalize

if TYPE_CHECKING:
    from bot.core import Context

NAME = "profile"
PREFIX = "profile:"
COMMANDS = ("/profil", "/profile", "profil", "profile", "min profil", "my profile")


@cache
def _data() -> dict[str, object]:
    return load(NAME)


def _padded(text: str) -> str:
    return " " + " ".join(_MARKS.sub(" ", fold(normalize(text))).split()) + " "


SPECIFIC_FIRST = ("group_leader", "elected", "manager", "employee")
# a clause of only these words after a role ("men inte längre", "but not anymore") denies that role
_NOT_ANY_MORE = frozenset(
    {"inte", "ej", "langre", "mer", "nat", "nagot", "not", "anymore", "any", "more", "no", "longer"}
)
_CLAUSE = re.compile(r"[,.;:!?()\[\]]|\s(?:men|utan|snarare|but|rather|instead)\s")
_MARKS = re.compile(r"[^\w\s'’-]")  # brackets, quotes and dashes around words


def _seat(t: str) -> bool:
    """A seat in a named body: "sitter i kulturnämnden", "ersättare i byggnadsnämnden", "nyvald i
    kommunfullmäktige" (folded clause; the body within five words of the cue)."""
    suffixes = tuple(fold(x) for x in _data().get("seat_suffixes") or ())  # type: ignore[union-attr]
    short = {fold(str(x)) for x in _data().get("seat_abbreviations") or ()}  # type: ignore[union-attr]
    for cue in _data().get("seat_cues") or ():  # type: ignore[union-attr]
        c = f" {fold(normalize(str(cue)))} "
        i = t.find(c)
        if i >= 0:
            # the body's name may come after a list of its parts ("sitter i kultur-, idrotts- och fritidsnämnden")
            nxt = t[i + len(c) :].split()[:5]
            if nxt and (nxt[0] in short or any(w.endswith(suffixes) for w in nxt)):
                return True
    return False


def find_role(text: str) -> str | None:
    """The role a self-description names, read clause by clause: a role word after a negation in its clause
    ("jag är inte förtroendevald", "I'm not a manager") does not count; the most specific role said
    positively wins; when only a negated role is named, `negated_means` says what the person then is."""
    positive, negated = _named_roles(text)
    for role in SPECIFIC_FIRST:
        if role in positive:
            return role
    means: dict[str, str] = _data().get("negated_means") or {}  # type: ignore[assignment]
    for role in SPECIFIC_FIRST:
        if role in negated and role in means:
            return means[role]
    return None


def _named_roles(text: str) -> tuple[set[str], set[str]]:
    """The roles a text names positively, and those it names after a negation in the same clause."""
    roles: dict[str, list[str]] = _data()["roles"]  # type: ignore[assignment]
    negations, past = _denials()
    positive: set[str] = set()
    negated: set[str] = set()
    # a list of compound parts is one name ("kultur-, idrotts- och fritidsnämnden"), not clauses
    joined = re.sub(r"-\s*,\s*", "- ", normalize(text))
    said: set[str] = set()  # the roles of the clause before
    for clause in _CLAUSE.split(" " + joined + " "):
        t = " " + " ".join(_MARKS.sub(" ", fold(clause)).split()) + " "
        if said and any(n in t for n in negations) and not set(t.split()) - _NOT_ANY_MORE:
            # "var chef förut men inte längre": the clause before is denied
            positive -= said
            negated |= said
        said = set()
        for role in SPECIFIC_FIRST:
            for word in roles[role]:
                w = fold(normalize(word))
                i = t.find(f" {w} ")
                if i < 0 and role != "employee" and len(w) > 6:
                    i = t.find(f" {w}")  # inflected: "förtroendevalde", "politikerna"
                if i < 0:
                    continue
                if any(n in t[: i + 1] for n in negations) or any(p in t for p in past):  # "f.d. chef", "chef förut"
                    negated.add(role)
                else:
                    positive.add(role)
                    said.add(role)
        if _seat(t) and not any(n in t for n in negations):
            positive.add("elected")
    return positive, negated


@cache
def _denials() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The negation words and the words of a past role (`past`), folded and padded for a whole-word test."""
    data = _data()
    negations = tuple(" " + fold(normalize(n)) + " " for n in data["negations"])  # type: ignore[union-attr]
    past = tuple(" " + " ".join(_MARKS.sub(" ", fold(normalize(n))).split()) + " " for n in data.get("past") or [])  # type: ignore[union-attr]
    return negations, past


def _is_self_description(text: str) -> bool:
    t = _padded(text)
    cues: list[str] = _data()["cues"]  # type: ignore[assignment]
    return any(f" {fold(normalize(c))} " in t for c in cues) and len(t.split()) <= 20 and "?" not in text


def _about_a_concern(ctx: Context) -> bool:
    """The message also tells or asks about something the codes cover ("I'm an elected official and got
    nasty comments ..."): then the role is adopted (`adopt_stated_role`) and the message answered as such."""
    reported = {c.id for c in ctx.bot.retriever.topics.concepts.concepts if c.report}
    return any(c in reported for c in ctx.search().concepts)


def matches(ctx: Context) -> bool:
    t = " ".join(normalize(ctx.text).split())
    if t in COMMANDS:
        return True
    if _about_a_concern(ctx) or _asks_in_a_sentence(ctx.text):
        return False
    if _is_self_description(ctx.text) and (
        find_role(ctx.text) is not None or find_org(ctx.text, generic=not ctx.org) is not None
    ):
        return True
    # a few words that begin with a role or a profession, and nothing to ask: "undersköterska på hemtjänsten"
    return _profession(t)


def certain(ctx: Context) -> bool:
    """The profile commands ("profil", "min profil") are never read as anything else."""
    return " ".join(normalize(ctx.text).split()) in COMMANDS


def takes_by_meaning(ctx: Context) -> bool:
    """A message recognised by meaning alone as a self-description must not be a question ("hur mycket
    arvode får man i nämnden" names a role but asks about a rule)."""
    t = ctx.text
    return not _about_a_concern(ctx) and "?" not in t and len(t.split()) <= 14 and not _asks_in_a_sentence(t)


def _asks_in_a_sentence(text: str) -> bool:
    """A question in any sentence of the message ("jag är usk, inte chef. vad förväntas av mig då") is asked."""
    return any(asks(p) for p in _SENTENCE_END.split(text.strip()))


def asks(text: str) -> bool:
    """The message starts with a question word ("kan jag jobba hemifrån", "can I work from home"), or one
    of its clauses opens with a verb and then its subject ("har jag som politiker nåt arbetsmiljöansvar",
    "sitter i en bolagsstyrelse, ska vi också prata om koden där")."""
    first = normalize(text).split()[:2]
    if first and first[0] in _question_words() and not (len(first) > 1 and _role_word(fold(first[1]))):
        return True  # ("var chef förut ..." says what one was: "var" is not "where" there)
    for clause in _CLAUSE.split(" " + normalize(text) + " "):
        w = _MARKS.sub(" ", clause).split()[:2]
        if len(w) == 2 and any(w[0] in verbs and w[1] in subjects for verbs, subjects in _inverted()):
            return True
    return False


@cache
def _question_words() -> WordSet:
    return WordSet(_data()["question_words"])  # type: ignore[arg-type]


@cache
def _inverted() -> tuple[tuple[WordSet, WordSet], ...]:
    langs: dict[str, dict[str, list[str]]] = _data()["inverted"]  # type: ignore[assignment]
    return tuple((WordSet(v["verbs"]), WordSet(v["subjects"])) for v in langs.values())


def _profession(t: str) -> bool:
    words = t.replace(",", " ").split()
    if not words or len(words) > 5 or "?" in t:
        return False
    return _role_word(fold(words[0]))


def role_name(role: str | None, lang: str) -> str:
    names: dict[str, str] = (_data()[lang] or {})["role_names"]  # type: ignore[index]
    return names.get(role or "", say(NAME, "unknown_role", lang))


def role_choices(lang: str) -> tuple[Choice, ...]:
    """Buttons to set the role."""
    names: dict[str, str] = (_data()[lang] or {})["choice_names"]  # type: ignore[index]
    return tuple(Choice(names[r], f"{PREFIX}role:{r}") for r in ROLES)


async def save(ctx: Context, org: str | None = None, role: str | None = None) -> None:
    """Store organisation and/or role in the person's profile."""
    profile = replace(ctx.profile, org=org or ctx.profile.org, role=role or ctx.profile.role, lang=ctx.lang)
    await ctx.bot.store.save_profile(ctx.user_key, profile)
    ctx.profile = profile
    if org:
        ctx.org = org
    if role:
        ctx.role, ctx.role_known = role, True


def stated_role(text: str) -> str | None:
    """A role the person states about themselves inside a longer message or a question ("hej jag är
    kommunalråd, vad säger policyn om ..."): a self-description cue and a role named positively."""
    t = _padded(text)
    cues: list[str] = _data()["cues"]  # type: ignore[assignment]
    if not any(f" {fold(normalize(c))} " in t for c in cues) and not _seat(t):  # "nyvald i fullmäktige" says who
        # chat leaves "jag är" out: a first sentence that opens with a role, denied or not ("inte chef nåt mer
        # sen hösten, nu undersköterska igen. vad ...?")
        first = _CLAUSE.split(text.strip(), maxsplit=1)[0]
        words = _MARKS.sub(" ", fold(normalize(first))).split()
        negations = {fold(normalize(n)) for n in _data()["negations"] if " " not in str(n)}  # type: ignore[union-attr]
        while words and (words[0] in negations or words[0] in ("ar", "e", "var", "was")):  # "är inte chef längre"
            words = words[1:]
        if len(first.split()) > 12 or not words or not _role_word(words[0]):
            return None
        return find_role(first)
    return find_role(_near_cues(text)) or (find_role(text) if _seat(t) else None)


CUE_REACH = 6  # a role said of oneself follows its cue closely: "I'm thinking about ... an official" is not one


def _near_cues(text: str) -> str:
    """The words right after each self-description cue ("jag är inte förtroendevald, jag är vanlig anställd"),
    with their punctuation, so that a role named further on, of someone else, is not taken for one's own."""
    tokens = normalize(text).split()
    bare = [_MARKS.sub("", fold(tok)).strip() for tok in tokens]
    out = []
    for cue in _cue_tokens():
        n = len(cue)
        for i in range(len(bare) - n + 1):
            if tuple(bare[i : i + n]) == cue:
                out.append(" ".join(tokens[i : i + n + CUE_REACH]))
    return " . ".join(out)


@cache
def _cue_tokens() -> tuple[tuple[str, ...], ...]:
    cues: list[str] = _data()["cues"]  # type: ignore[assignment]
    return tuple(tuple(_MARKS.sub("", fold(normalize(c))).split()) for c in cues)


def is_role_word(term: str) -> bool:
    """True for a concept term that is a role or profession ("chef*", "enhetschef"): said of oneself, no matter."""
    w = fold(normalize(term.strip("*=")))
    return _role_word(w) or any(w.endswith(r) and len(r) >= 4 for r in _role_words())


def _role_word(word: str) -> bool:
    """A one-word role or profession of `roles` ("chef", "undersköterska"), not a generic word (folded)."""
    return word in _role_words()


@cache
def _role_words() -> frozenset[str]:
    roles: dict[str, list[str]] = _data()["roles"]  # type: ignore[assignment]
    generic = {"jobbar", "arbetar", "work", "official", "staff", "ledare"}
    return frozenset(fold(normalize(w)) for r in roles.values() for w in r if w not in generic and " " not in w)


async def adopt_stated_role(ctx: Context) -> None:
    """Before the message is answered: a role stated in it is the person's role from now on. The platform's
    own role, when it gives one, is kept, but this message is answered for the role the person states ("är
    inte chef längre, tillbaka som socialsekreterare")."""
    if not ctx.text or ctx.incoming.choice:
        return
    role = stated_role(ctx.text)
    if role is not None and ctx.incoming.role:
        ctx.role = role
        ctx.state["stated_role"] = role  # for the rest of this conversation; the platform's role stays the profile's
    elif role is not None and role != ctx.role:
        await save(ctx, role=role)
    if role is not None:
        ctx.asked = question_after(ctx, ctx.text)
    if ctx.asked is None:
        ctx.asked = without_denied_roles(ctx.text)


DENIAL_WORDS = 6  # a clause of at most this many words that denies a role says no more than that


def without_denied_roles(text: str) -> str | None:
    """The question without a short clause that only denies a role ("vad förväntas av mig som vanlig
    medarbetare, inte chef alltså" -> "vad förväntas av mig som vanlig medarbetare"), so that the denied
    role's words are not searched for; None when there is no such clause."""
    parts = [p for p in _CLAUSE.split(text) if p.strip()]
    if len(parts) < 2:
        return None
    kept = []
    for p in parts:
        positive, negated = _named_roles(p)
        if negated and not positive and len(p.split()) <= DENIAL_WORDS:
            continue
        kept.append(p.strip())
    if len(kept) == len(parts) or not kept or not ("?" in text or asks(text)):
        return None  # "not a manager, just a regular employee" asks nothing: a self-description, searched as said
    return ", ".join(kept)


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def question_after(ctx: Context, text: str) -> str | None:
    """The question after a self-description of its own sentence that denies a role ("är inte chef längre,
    tillbaka som socialsekreterare. vad förväntas av mig kring arbetsmiljön?" -> the second sentence), so
    that the denied role's words are not searched for; None when the self-description also tells the matter
    ("jag är inte chef och en kollega luktar sprit.") or there is no such question."""
    parts = [p for p in _SENTENCE_END.split(text.strip()) if p.strip()]
    if len(parts) < 2 or "?" in parts[0] or stated_role(parts[0]) is None or not _named_roles(parts[0])[1]:
        return None  # only a role said not to be one's own misleads the search ("sitter i kf. gäller den för mig?")
    rest = " ".join(parts[1:])
    told = ctx.bot.retriever.topics.concepts.match(parts[0], ctx.lang)
    reported = {i for i, c in enumerate(ctx.bot.retriever.topics.concepts.concepts) if c.report}
    if len(rest.split()) < 3 or any(i in reported for i in told):
        return None
    return rest


def serves_role(ctx: Context, role: str | None) -> bool:
    """True when the organisation has a document written for this role (not only for everyone)."""
    if role is None:
        return True
    docs = [d for d in ctx.bot.retriever.corpus.documents if d.org == ctx.org]
    return any(role in d.audiences or "all" in d.audiences for d in docs)


def _confirm(ctx: Context, role: str | None) -> Reply:
    names = {"org": org_name(ctx.org, "sv"), "org_en": org_name(ctx.org, "en")}
    if role and not serves_role(ctx, role):
        one: dict[str, str] = (_data()[ctx.lang] or {})["role_one"]  # type: ignore[index]
        text = say(NAME, "no_docs_for_role", ctx.lang, role=role_name(role, ctx.lang), role_one=one[role], **names)
        return Reply(text=text, intent=NAME, lang=ctx.lang, abstained=True)
    if role:
        text = say(NAME, "set", ctx.lang, role=role_name(role, ctx.lang), **names)
    else:
        text = say(NAME, "set_org", ctx.lang, **names)
    return Reply(text=text, intent=NAME, lang=ctx.lang, abstained=True)


async def handle(ctx: Context) -> list[Reply]:
    if " ".join(normalize(ctx.text).split()) in COMMANDS:
        return await on_choice(ctx, "show")
    org = find_org(ctx.text, generic=not ctx.org)
    role = find_role(ctx.text)
    if org and org not in ctx.bot.retriever.corpus.orgs():
        org = None
    if org is None and role is None:  # recognised by meaning, but no role or organisation named: ask
        return await on_choice(ctx, "show")
    await save(ctx, org=org, role=role)
    return [_confirm(ctx, role), *await answer_held(ctx)]


async def on_choice(ctx: Context, value: str) -> list[Reply]:
    if value.startswith("role:") and value[5:] in ROLES:
        await save(ctx, role=value[5:])
        return [_confirm(ctx, value[5:]), *await answer_held(ctx)]
    text = say(
        NAME,
        "show",
        ctx.lang,
        org=org_name(ctx.org, "sv"),
        org_en=org_name(ctx.org, "en"),
        role=role_name(ctx.role, ctx.lang),
    )
    return [Reply(text=text, choices=role_choices(ctx.lang), intent=NAME, lang=ctx.lang, abstained=True)]


async def ask_role_once(ctx: Context) -> Reply | None:
    """When the role is unknown and has not been asked before: the question, with buttons."""
    if ctx.role_known or ctx.profile.asked_role:
        return None
    profile = replace(ctx.profile, asked_role=True, lang=ctx.lang)
    await ctx.bot.store.save_profile(ctx.user_key, profile)
    ctx.profile = profile
    # the answer ("politiker", "jag är chef") is read as a role, and the question is answered again for it;
    # the question waits in memory only, never in the database
    ctx.state["pending"] = {"intent": NAME, "kind": "role"}
    ctx.bot.memo[ctx.conv_key] = {"question": ctx.text, "at": time.time()}
    text = say(NAME, "ask_role", ctx.lang, org=org_name(ctx.org, "sv"), org_en=org_name(ctx.org, "en"))
    return Reply(text=text, choices=role_choices(ctx.lang), intent=NAME, lang=ctx.lang, abstained=True)


HELD_SECONDS = 1800.0
ANSWERED_SECONDS = 600.0


async def on_pending(ctx: Context, waiting: dict[str, str]) -> list[Reply] | None:
    """The answer to "are you an employee/manager or an elected official?": a role word, a self-description."""
    if waiting.get("kind") != "role":
        return None
    words = len(ctx.text.split())
    role = None
    if "?" not in ctx.text:  # a role word, or a longer self-description ("Jag är inte förtroendevald ... Jag är ...")
        role = find_role(ctx.text) if words <= 16 else stated_role(ctx.text) if words <= 40 else None
    if role is None:
        ctx.bot.memo.pop(ctx.conv_key, None)
        return None
    await save(ctx, role=role)
    return [_confirm(ctx, role), *await answer_held(ctx)]


async def answer_held(ctx: Context) -> list[Reply]:
    """The question that made the bot ask the role, or the one just answered, answered again now that
    the person has said who they are (or asked for the other language)."""
    held = ctx.bot.memo.pop(ctx.conv_key, None)
    if not held or time.time() - float(held.get("at", 0)) > HELD_SECONDS:
        return []
    if "answered" in held and (  # the last question answered: again only right after its answer
        time.time() - float(held["at"]) > ANSWERED_SECONDS or ctx.state.get("last_passage") != held["answered"]
    ):
        return []
    from intents import registry  # the registry imports the intents

    sub = replace(
        ctx,
        incoming=replace(ctx.incoming, text=str(held["question"]), choice=None),
        _search={},
        fixed_lang=True,
        asked=None,  # the held question is searched as it was asked, not this message's question
    )
    replies = await registry.dispatch(sub)
    return [r for r in replies if r.intent != NAME]  # not the role question again
