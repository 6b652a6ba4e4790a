"""The four-question check: a guided flow through the test questions of the person's own code of conduct.

Västerås's codes say: when it is not obvious what to do, ask yourself four questions (is it legal,
consistent with the core values and the code, ethical, will it reflect well); if any answer is no,
think of another solution and ask someone. The flow asks them one at a time in the order and wording
of the code for the person's audience (the employees' and the elected officials' codes differ),
explains a question from the code when the answer is "vet inte", and ends with the code's advice.
Everything it says about policy is quoted from passages named in `four_question_check.yaml` and
cited; an organisation whose documents have no such check is told so plainly.

Flow state lives only in the conversation state (`flow`, `step`, `lang`, `audience`), so the check
resumes at its step after a restart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from bot.types import Choice, Citation, Reply
from intents import answers, policy_answer
from intents.phrases import load, say
from knowledge.corpus import Corpus, Passage
from knowledge.orgs import org_name
from knowledge.text import detect_lang, fold, normalize, words

if TYPE_CHECKING:
    from bot.core import Context

NAME = "four_question_check"
NAMED_TWICE = 2.0  # wrongdoing the message names twice or more ("slipped me an envelope with cash"): its rule first
PREFIX = "fqc:"
DATA_FILE = Path(__file__).with_suffix(".yaml")
STATE_KEYS = ("flow", "step", "lang", "audience", "unsure")
ANSWERS = ("cancel", "again", "unsure", "no", "yes")  # typed answers are tried in this order
ANSWER_CHOICES = ("yes", "no", "unsure", "cancel")


class CheckDataError(ValueError):
    """The data file names a document, passage or quote that the corpus does not have."""


@dataclass(frozen=True, slots=True)
class Quote:
    """Verbatim words of one passage, with their English rendering."""

    sv: str
    en: str
    passage: Passage


@dataclass(frozen=True, slots=True)
class Question:
    sv: str
    en: str
    explain: dict[str, str]
    quotes: tuple[Quote, ...]


@dataclass(frozen=True, slots=True)
class Check:
    """One organisation's check for one audience, its passages resolved in the corpus."""

    key: str  # "<org>:<audience>"
    roles: tuple[str, ...]
    label: dict[str, str]
    aliases: tuple[tuple[str, ...], ...]
    intro: Quote
    advice: Quote
    ask_someone: Quote
    whom: dict[str, str]
    questions: tuple[Question, ...]


# -- data ------------------------------------------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _tokens(text: str) -> tuple[str, ...]:
    """Lower-cased words with å/ä/ö folded: how typed text and phrase lists are compared."""
    return tuple(fold(w) for w in words(text))


def _quote(corpus: Corpus, raw: Any, doc: str, where: str) -> Quote:
    if not isinstance(raw, dict) or not raw.get("quote") or not raw.get("en"):
        raise CheckDataError(f"{DATA_FILE}: {where}: needs 'quote' and 'en'")
    doc = str(raw.get("doc") or doc)
    sv = str(raw["quote"]).strip()
    passages = [p for p in corpus.passages if p.doc.id == doc]
    if not passages:
        raise CheckDataError(f"{DATA_FILE}: {where}: the corpus has no document '{doc}'")
    for p in passages:
        if _squash(sv) in _squash(p.text):
            return Quote(sv, _squash(str(raw["en"])), p)
    raise CheckDataError(f"{DATA_FILE}: {where}: no passage of '{doc}' contains “{_squash(sv)[:90]}”")


def _check(corpus: Corpus, org: str, aud: str, raw: dict[str, Any]) -> Check:
    where = f"checks.{org}.{aud}"
    try:
        doc = str(raw["doc"])
        intro = _quote(corpus, raw["intro"], doc, f"{where}.intro")
        advice = _quote(corpus, raw["advice"], doc, f"{where}.advice")
        questions = []
        for i, q in enumerate(raw["questions"], 1):
            if _squash(q["sv"]) not in _squash(intro.passage.text):
                raise CheckDataError(f"{DATA_FILE}: {where}.questions[{i}]: “{q['sv']}” is not in the intro's passage")
            quotes = tuple(_quote(corpus, x, doc, f"{where}.questions[{i}].quotes") for x in q["quotes"])
            explain = {lang: _squash(q["explain"][lang]) for lang in ("sv", "en")}
            questions.append(Question(q["sv"], q["en"], explain, quotes))
        for person in raw["whom"]["sv"]:
            if _squash(person) not in _squash(advice.passage.text):
                raise CheckDataError(f"{DATA_FILE}: {where}.whom: “{person}” is not in the advice's passage")
        return Check(
            key=f"{org}:{aud}",
            roles=tuple(raw["roles"]),
            label={lang: str(raw["label"][lang]) for lang in ("sv", "en")},
            aliases=tuple(_tokens(a) for a in raw.get("aliases", [])),
            intro=intro,
            advice=advice,
            ask_someone=_quote(corpus, raw["ask_someone"], doc, f"{where}.ask_someone"),
            whom={lang: ", ".join(raw["whom"][lang]) for lang in ("sv", "en")},
            questions=tuple(questions),
        )
    except (KeyError, TypeError) as exc:
        raise CheckDataError(f"{DATA_FILE}: {where}: missing or malformed entry {exc}") from exc


_resolved: dict[str, dict[str, list[Check]]] = {}  # per corpus fingerprint; the data never changes at run time


def checks(corpus: Corpus) -> dict[str, list[Check]]:
    """Every organisation's checks with their passages resolved; raises CheckDataError naming the data file
    when a document, quote or question is not in the corpus. Call it at start-up to fail before any chat."""
    if corpus.fingerprint not in _resolved:
        raw = load(NAME).get("checks") or {}
        _resolved[corpus.fingerprint] = {
            org: [_check(corpus, org, aud, a) for aud, a in auds.items()]
            for org, auds in raw.items()
            if org in corpus.orgs()  # data of an organisation whose documents are not loaded is skipped
        }
    return _resolved[corpus.fingerprint]


def validate(corpus: Corpus) -> None:
    """Resolve the data against the corpus now (at start-up), so that a stale quote stops the bot at once."""
    checks(corpus)


def _mine(ctx: Context) -> list[Check]:
    return checks(ctx.bot.retriever.corpus).get(ctx.org, [])


# -- matching --------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _phrase(p: str) -> str:
    """A phrase of the data as typed text is compared: folded words joined by single spaces."""
    return " ".join(_tokens(p))


def _has(text: str, phrases: list[str], cfg: dict[str, Any]) -> bool:
    """A phrase occurs as whole words, or (long phrases) nearly so by rapidfuzz's partial ratio."""
    for p in phrases:
        ph = _phrase(p)
        if f" {ph} " in f" {text} ":
            return True
        long_enough = len(ph) >= cfg["fuzzy_min_len"] and len(text) >= len(ph) - 2
        if long_enough and fuzz.partial_ratio(ph, text) >= cfg["fuzzy_min"]:
            return True
    return False


def _trigger(text: str) -> str | None:
    """'command', 'explicit' or 'situation' when the text asks for the check; None otherwise."""
    cfg = load(NAME)["match"]
    if text.split() and text.split()[0].lower() in cfg["commands"]:
        return "command"
    folded = " ".join(_tokens(text))
    if folded and _has(folded, cfg.get("info", []), cfg):
        return "info"
    if not folded or _has(folded, cfg["not"], cfg):
        return None
    if _has(folded, cfg["explicit"], cfg):
        return "explicit"
    return "situation" if _has(folded, cfg["situation"], cfg) else None


def matches(ctx: Context) -> bool:
    """An explicit request for the check, or an "is it OK to ..." situation where the organisation has one.

    Cheap: phrase lists only, no retrieval.
    """
    kind = _trigger(ctx.text)
    if kind == "situation" and (_about_someone_else(ctx.text) or _asks_whom_to_tell(ctx) or _practical(ctx)):
        return False
    if kind in ("situation", "info"):
        return ctx.org in (load(NAME).get("checks") or {})
    return kind is not None


def _practical(ctx: Context) -> bool:
    """An HR or office matter asked for information ("where am I allowed to park?"): a question for the
    documents (which may not answer it), not a choice of conduct to test (`information_words`)."""
    t = f" {' '.join(_tokens(ctx.text))}"
    if not any(t.startswith(f" {' '.join(_tokens(w))} ") for w in load(NAME)["match"].get("information_words") or []):
        return False
    concepts = ctx.bot.retriever.topics.concepts
    found = [concepts.by_id[c] for c in ctx.search().concepts if c in concepts.by_id]
    return bool(found) and all(concepts.concepts[i].kind == "practical" for i in found)


def _asks_whom_to_tell(ctx: Context) -> bool:
    """A matter one tells someone about, asked as whether to flag it ("the fire door has been jammed for weeks,
    is that something I should flag?"): the routing answer, not the asker's own choice."""
    t = f" {' '.join(_tokens(ctx.text))} "
    flags = any(f" {' '.join(_tokens(c))} " in t for c in load(NAME)["match"].get("flag_cues") or [])  # exact only
    return flags and bool(ctx.bot.routing.topics(ctx.org, ctx.text))


def _about_someone_else(text: str) -> bool:
    """The situation is another person's doing: someone is named and the asker is not in it."""
    from intents import involved  # involved imports the routing answer's neighbours

    if not involved.parties(text):
        return False
    mine = {fold(normalize(w)) for w in load(NAME)["match"].get("first_person") or ()}
    if detect_lang(text) == "sv":
        mine.discard("i")  # in Swedish "i" is "in" ("golf i portugal")
    # with the people named left out, "my" of a thing is the asker's ("let a supplier pay for my hotel"); "min
    # kollega" went with the people
    rest = involved.without_parties(text, possessives=load(NAME)["match"].get("possessives") or ())
    return not any(w in mine for w in rest.split())


def takes_by_meaning(ctx: Context) -> bool:
    """Recognised by meaning alone, the check starts only where the organisation has one, and not for another
    person's doing ("vår förvaltningschef åker på resor som en leverantör betalar"): that is a matter to tell."""
    return ctx.org in (load(NAME).get("checks") or {}) and not _about_someone_else(ctx.text)


def _answer(text: str) -> str | None:
    """Which answer a short typed message gives ('yes', 'no', 'unsure', 'cancel', 'again'), or None."""
    cfg = load(NAME)["answers"]
    toks = _tokens(text)
    if not toks or ("?" in text and len(toks) > 3):
        return None  # a question of its own; "kanske?", "probably?" are hesitant answers
    if len(toks) > cfg["max_words"]:  # a sentence answers when it opens with a clear yes, no or not sure
        kind = answers.opening(text)
        if kind is None and answers.lead(text)[0] == "unsure":
            return "unsure"  # "tja, det är väl inte direkt oetiskt ...": hesitant, explained, and the check goes on
        return kind
    if any(toks[: len(ph)] == ph for ph in map(_tokens, cfg["again"])):
        return "again"
    kind = answers.read(text, max_words=cfg["max_words"])
    if kind is not None:
        return kind
    for kind in ANSWERS:
        if any(toks[: len(ph)] == ph for ph in map(_tokens, cfg[kind])):
            return kind
    typed = " ".join(toks)
    for kind in ANSWERS:
        if any(len(p) >= 5 and fuzz.ratio(typed, " ".join(_tokens(p))) >= 85 for p in cfg[kind]):
            return kind
    return None


# -- replies ---------------------------------------------------------------------------------------


def _block(q: Quote, lang: str, lead: bool = False) -> str:
    """A quote as a block quote; in English its rendering first, then the Swedish; optionally with its source."""
    body = "\n".join("> " + line for line in q.sv.splitlines())
    if lang == "en":
        body = f"“{q.en}”\n{say(NAME, 'in_swedish', 'en')}\n{body}"
    if not lead:
        return body
    p = q.passage
    head = say(NAME, "lead", lang, title=p.doc.title, title_en=p.doc.title_en, section=p.section,
               section_en=p.section_en or p.section)  # fmt: skip
    return f"{head}\n\n{body}"


def _choices(lang: str, *keys: str) -> tuple[Choice, ...]:
    """Buttons by label key; 'restart' and 'start' both start the check."""
    return tuple(Choice(say(NAME, k, lang), PREFIX + ("start" if k == "restart" else k)) for k in keys)


def _reply(ctx: Context, text: str, quotes: tuple[Quote, ...] = (), choices: tuple[Choice, ...] = ()) -> Reply:
    cites: dict[str, Citation] = {}
    for q in quotes:
        p = q.passage
        cites.setdefault(p.id, Citation(p.doc.id, p.doc.title, p.section, p.text, 1.0, p.id, p.org))
    return Reply(text=text, choices=choices, citations=tuple(cites.values()), intent=NAME, lang=ctx.lang)


def _q(ctx: Context, c: Check, step: int, key: str) -> str:
    q = c.questions[step - 1]
    return say(NAME, key, ctx.lang, n=step, total=len(c.questions), question=q.en if ctx.lang == "en" else q.sv,
               question_sv=q.sv)  # fmt: skip


def _ask(ctx: Context, c: Check, step: int, *before: str, key: str = "question",
         quotes: tuple[Quote, ...] = ()) -> list[Reply]:  # fmt: skip
    """Ask question `step` (1-based) and remember where the check stands."""
    ctx.state.update({"flow": NAME, "step": step, "lang": ctx.lang, "audience": c.key})
    text = "\n\n".join((*before, _q(ctx, c, step, key)))
    return [_reply(ctx, text, (*quotes, c.intro), _choices(ctx.lang, *ANSWER_CHOICES))]


def _end(ctx: Context) -> None:
    if ctx.state.get("flow") == NAME:
        for k in STATE_KEYS:
            ctx.state.pop(k, None)


def _begin(ctx: Context, c: Check) -> list[Reply]:
    return _ask(ctx, c, 1, _block(c.intro, ctx.lang, lead=True), say(NAME, "how", ctx.lang))


async def start(ctx: Context) -> list[Reply]:
    """The code's introduction and the first question; or which code applies; or: the policy has no check."""
    _end(ctx)
    mine = _mine(ctx)
    if not mine:
        name = org_name(ctx.org, ctx.lang)
        return [_reply(ctx, say(NAME, "no_check", ctx.lang, org=name, org_cap=name[:1].upper() + name[1:]))]
    chosen = [c for c in mine if ctx.role in c.roles] or [c for c in mine if ctx.answer_role in c.roles]
    if chosen and (ctx.role is not None or len(mine) == 1):
        return _begin(ctx, chosen[0])
    ctx.state.update({"flow": NAME, "step": 0, "lang": ctx.lang, "audience": None})
    options = tuple(Choice(c.label[ctx.lang], f"{PREFIX}audience:{c.key}") for c in mine)
    text = say(NAME, "which_audience", ctx.lang, org=org_name(ctx.org, ctx.lang))
    return [_reply(ctx, text, (), (*options, *_choices(ctx.lang, "cancel")))]


def _chosen(ctx: Context) -> Check | None:
    """The check of the asker's own code (the elected officials' for an elected official)."""
    mine = _mine(ctx)
    chosen = [c for c in mine if ctx.role in c.roles] or [c for c in mine if ctx.answer_role in c.roles]
    return chosen[0] if chosen else (mine[0] if mine else None)


async def _info(ctx: Context) -> list[Reply]:
    """ "Vad är de fyra frågorna?": the questions as the asker's own code puts them, and an offer to go through them."""
    c = _chosen(ctx)
    if c is None:
        return await start(ctx)
    text = "\n\n".join((_block(c.intro, ctx.lang, lead=True), say(NAME, "offer", ctx.lang)))
    # an answer about the check (from the asker's own code), not the check itself
    return [replace(_reply(ctx, text, (c.intro,), _choices(ctx.lang, "start")), intent="policy_answer")]


async def handle(ctx: Context) -> list[Reply]:
    """Start the check. An "is it OK to ..." question that the policy itself answers with confidence gets
    that answer first (from the fallback intent, without asking whether it helped), then the check."""
    kind = _trigger(ctx.text)
    if kind == "info":
        return await _info(ctx)
    if kind in ("situation", None):  # None: a situation recognised by its meaning ("thats fine right?")
        result = ctx.search()
        own = {q.passage.id for c in _mine(ctx) for q in (c.intro, c.advice)}
        top = result.hits[0].passage.id if result.hits else ""
        reported = {c.id for c in ctx.bot.retriever.topics.concepts.concepts if c.report}
        named = max((v for k, v in result.debug.get("topics", {}).items() if k in reported), default=0.0)
        sure = result.confidence >= load(NAME)["match"]["defer_confidence"] or named >= NAMED_TWICE
        # or the code itself has a rule on the very matter: its best passage, in the code the check is part of,
        # names the message's concern ("a supplier wants to take me out to dinner": the passage on bribes)
        general = set(load(NAME)["match"].get("defer_not_for") or ())
        concern = next((c for c in result.concepts if c not in general), None)
        concepts = ctx.bot.retriever.topics.concepts
        codes = {c.intro.passage.doc.id for c in _mine(ctx)}
        in_code = bool(result.hits) and result.hits[0].passage.doc.id in codes
        if concern is not None and in_code and concepts.concepts[concepts.by_id[concern]].kind != "practical":
            sure = sure or ctx.bot.retriever.tagged(top, concern)
        if not result.abstain and top not in own and sure:
            answered = await policy_answer.answer_only(ctx)
            check = await start(ctx)
            if check and check[0].intent == NAME and ctx.state.get("flow") == NAME:
                first = check[0]
                check[0] = replace(first, text=f"{say(NAME, 'also', ctx.lang)}\n\n{first.text}")
            return [answered, *check]
    return await start(ctx)


async def _on_answer(ctx: Context, kind: str) -> list[Reply]:
    """Ja, nej, vet inte, avbryt or fortsätt, for the question the check stands at."""
    step = int(ctx.state.get("step") or 0)
    c = next((c for c in _mine(ctx) if c.key == ctx.state.get("audience")), None)
    if kind == "cancel":
        _end(ctx)
        return [_reply(ctx, say(NAME, "cancelled", ctx.lang), (), _choices(ctx.lang, "restart"))]
    if c is None or not 1 <= step <= len(c.questions):
        if ctx.state.get("flow") == NAME and step == 0:  # still asking which code applies
            return await start(ctx)
        _end(ctx)
        return [_reply(ctx, say(NAME, "not_running", ctx.lang), (), _choices(ctx.lang, "start"))]
    q = c.questions[step - 1]
    question = q.en if ctx.lang == "en" else q.sv
    if kind == "again":
        return _ask(ctx, c, step, say(NAME, "again", ctx.lang, n=step, total=len(c.questions)))
    if kind == "whom":  # a side question, not an answer: the question explained, who can help, then asked again
        ctx.state["explained"] = True
        again = say(NAME, "again", ctx.lang, n=step, total=len(c.questions))
        return _ask(ctx, c, step, *_explanation(ctx, c, q, question), again, quotes=q.quotes)
    if kind == "no":
        _end(ctx)
        # one more yes or no next ("no", as if the check went on) is read against the check that ended
        ctx.state["pending"] = {"intent": NAME, "ended": "no", "audience": c.key, "step": step}
        return [_at_no(ctx, c, q, "no_intro")]
    explained: tuple[str, ...] = ()
    if kind == "unsure":  # explained from the code, noted, and the check goes on: a hesitant answer is not a no
        ctx.state["unsure"] = sorted({*(ctx.state.get("unsure") or []), step})
        explained = _explanation(ctx, c, q, question)
    if step < len(c.questions):
        if explained:
            ctx.state["explained"] = True  # a bare "ok" next acknowledges this, it does not answer the next question
        go_on = (say(NAME, "go_on", ctx.lang),) if explained else ()
        return _ask(ctx, c, step + 1, *explained, *go_on, quotes=q.quotes if explained else ())
    unsure = [str(n) for n in ctx.state.get("unsure") or []]
    _end(ctx)
    if unsure:
        which = unsure[0] if len(unsure) == 1 else f"{', '.join(unsure[:-1])} {say(NAME, 'and', ctx.lang)} {unsure[-1]}"
        key = "done_unsure" if len(unsure) == 1 else "done_unsure_many"
        head = say(NAME, key, ctx.lang, which=which, total=len(c.questions))
        text = "\n\n".join((*explained, head, _block(c.ask_someone, ctx.lang)))
        quotes = (*(q.quotes if explained else ()), c.ask_someone, c.intro)
        return [_reply(ctx, text, quotes, _choices(ctx.lang, "restart"))]
    text = "\n\n".join((say(NAME, "all_yes", ctx.lang, total=len(c.questions)), say(NAME, "ask_anyway", ctx.lang),
                        _block(c.ask_someone, ctx.lang)))  # fmt: skip
    return [_reply(ctx, text, (c.ask_someone, c.intro), _choices(ctx.lang, "restart"))]


def _explanation(ctx: Context, c: Check, q: Question, question: str) -> tuple[str, ...]:
    """A question of the check explained from the code, and who can help answer it."""
    return (
        say(NAME, "unsure_intro", ctx.lang, question=question, question_sv=q.sv),
        q.explain[ctx.lang],
        *(_block(x, ctx.lang) for x in q.quotes),
        say(NAME, "unsure_help", ctx.lang, whom=c.whom[ctx.lang]),
    )


async def on_pending(ctx: Context, waiting: dict[str, Any]) -> list[Reply] | None:
    """A bare yes, no or not sure right after the check ended at a no: the person answers as if it went on,
    and is told that it ended there, with the code's advice again. Anything else is read as a new message."""
    if waiting.get("ended") != "no" or answers.read(ctx.text, max_words=3) not in ("yes", "no", "unsure"):
        return None
    c = next((c for c in _mine(ctx) if c.key == waiting.get("audience")), None)
    step = int(waiting.get("step") or 0)
    if c is None or not 1 <= step <= len(c.questions):
        return None
    return [_at_no(ctx, c, c.questions[step - 1], "ended_no")]


def _at_no(ctx: Context, c: Check, q: Question, key: str) -> Reply:
    """The check ended at a no to `q` (`key`: said now, or said again): the code's advice, and a restart."""
    question = q.en if ctx.lang == "en" else q.sv
    text = "\n\n".join((say(NAME, key, ctx.lang, question=question, question_sv=q.sv),
                        _block(c.advice, ctx.lang, lead=True)))  # fmt: skip
    return _reply(ctx, text, (c.advice,), _choices(ctx.lang, "restart"))


async def resume_reply(ctx: Context) -> list[Reply]:
    """The check's current question again, after a side question answered in the middle of it."""
    return await _on_answer(ctx, "again")


async def on_choice(ctx: Context, value: str) -> list[Reply]:
    """A clicked choice: start, an answer, cancel, or which code applies ('audience:<org>:<audience>')."""
    if value.startswith("audience:"):
        c = next((c for c in _mine(ctx) if c.key == value.removeprefix("audience:")), None)
        if c is not None:
            return _begin(ctx, c)
    if value in ANSWERS:
        return await _on_answer(ctx, value)
    return await start(ctx)


def _asks_whom_to_ask(ctx: Context) -> bool:
    """Mid-check, a question of whom to ask about it, naming no matter of its own: a listed phrasing, or a
    question opening with a word of whom (`whom_words`)."""
    cfg = load(NAME)["answers"]
    toks = _tokens(ctx.text)
    concepts = ctx.bot.retriever.topics.concepts
    general = set(load(NAME)["match"].get("defer_not_for") or ())
    if any(concepts.concepts[ci].id not in general for ci in concepts.match(ctx.text, ctx.lang, question=True)):
        return False  # "vem säger jag till om en kollega är full?": a question of its own
    if _has(" ".join(toks), cfg.get("ask_whom") or [], load(NAME)["match"]):
        return True
    openers = sorted((_tokens(o) for o in cfg.get("side_openers") or ()), key=len, reverse=True)
    rest = toks
    while rest and (o := next((o for o in openers if o and rest[: len(o)] == o), None)):
        rest = rest[len(o) :]
    return bool(rest) and rest[0] in {t for w in cfg.get("whom_words") or () for t in _tokens(w)}


async def on_flow_text(ctx: Context) -> list[Reply] | None:
    """A typed answer while the check runs; None for any other text, which is then handled normally while
    the check waits where it was."""
    if ctx.state.get("flow") != NAME:
        return None
    kind = _answer(ctx.text)
    if ctx.state.get("audience") is None and kind != "cancel":
        toks = _tokens(ctx.text)
        if len(toks) <= load(NAME)["answers"]["max_words"]:
            for c in _mine(ctx):
                if any(a and toks[i : i + len(a)] == a for a in c.aliases for i in range(len(toks))):
                    return _begin(ctx, c)
        return None
    if kind is None and _asks_whom_to_ask(ctx):
        kind = "whom"  # "vem kan jag fråga om jag inte vet?": the question explained, who can help, asked again
    acks = {" ".join(_tokens(a)) for a in load(NAME)["answers"].get("acks") or []}
    if ctx.state.pop("explained", False) and kind == "yes" and " ".join(_tokens(ctx.text)) in acks:
        kind = "again"  # "ok" after an explanation: the question it ended with, asked again
    return await _on_answer(ctx, kind) if kind else None
