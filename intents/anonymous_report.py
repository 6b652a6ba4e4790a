"""The anonymous report to the whistleblower function: start, write, review, send.

A person asks in their own words ("jag vill anmäla anonymt", "kan jag tipsa om det utan att det syns att
det är jag?", "I want to report something anonymously"), or clicks the offer under a routing answer. The
bot says what the function is for and not for, then takes the report, shows it for review and sends or
discards it. At review, "ja", "ok" or "skicka" send; more text is added to the draft (with the choice to
replace it instead); "nej" or "kasta" discard after a confirmation; a report of a word or two is
questioned. On sending, the case is created in one transaction (bot/cases.py) and its post waits for a
random delay. Every reply of this flow is private; the reporter's follow-up (code and passphrase) is in
intents/report_login.py, the shared state and checks in intents/report_flow.py.
"""

from __future__ import annotations

import random
import re
from functools import cache
from typing import TYPE_CHECKING

from bot.types import Choice, Citation, Reply
from intents import answers, report_login
from intents.phrases import load, say
from intents.report_flow import (
    CODE,
    NAME,
    PASSPHRASE,
    PREFIX,
    begin,
    check_report,
    clean,
    code_in,
    end,
    flow,
    max_chars,
    passphrase_in,
    reply,
    resume,
    too_short,
    typed_in_chat,
)
from knowledge.orgs import org_name
from knowledge.routing import ANONYMOUS_REPORT_TOPICS
from knowledge.text import fold, normalize

if TYPE_CHECKING:
    from bot.core import Bot, Context

SHORT_ASK = 6  # at review, a message of at most this many words may ask to send, rewrite or discard
REGRET_WORDS = 30  # ... and one of at most this many may say, anywhere in it, that the person regrets it

__all__ = ["NAME", "PREFIX", "active", "check_report", "handle", "handler_reply", "matches", "offer", "on_choice"]


@cache
def _words() -> dict[str, tuple[str, ...]]:
    data = load(NAME)
    out = {
        k: tuple(fold(normalize(str(w))) for w in data[k])
        for k in (
            "starts",
            "send_words",
            "discard_words",
            "rewrite_words",
            "cancel_words",
            "negations",
            "discard_phrases",
            "add_leads",
        )
    }
    keys = ("secrecy", "reporting", "wish", "whistleblowing", "earlier", "answers", "unknown_to", "knowing", "later")
    for k in (*keys, "secret_words", "again"):
        out[k] = tuple(fold(normalize(str(w))) for w in data["own_words"][k])
    return out


def _folded(text: str) -> str:
    return " " + " ".join(fold(normalize(text)).replace("?", " ").replace(",", " ").replace(".", " ").split()) + " "


def _near(t: str, firsts: tuple[str, ...], thens: tuple[str, ...], gap: int) -> bool:
    """True when a phrase of `firsts` is followed, within `gap` words, by one of `thens` (word starts)."""
    for first in firsts:
        at = t.find(f" {first} ")
        while at >= 0:
            after = " " + " ".join(t[at + len(first) + 2 :].split()[:gap]) + " "
            if any(f" {x}" in after for x in thens):
                return True
            at = t.find(f" {first} ", at + 1)
    return False


def asks_to_report(text: str) -> bool:
    """True when the message asks, anywhere in it, to report something without being known: a word of
    secrecy ("anonymt", "utan att det syns att det är jag") together with one of reporting."""
    t = _folded(text)
    w = _words()
    if any(t.strip() == s or t.startswith(f" {s} ") for s in w["starts"]):
        return True
    secret = any(f" {s}" in t for s in w["secrecy"]) or _near(t, w["unknown_to"], w["knowing"], 4)
    if secret and any(f" {r}" in t for r in w["reporting"]):
        return True
    return any(f" {x} " in t for x in w["wish"]) and any(f" {b}" in t for b in w["whistleblowing"])


def available(ctx: Context) -> bool:
    """True when the organisation's documents name a whistleblower function."""
    routing = ctx.bot.routing.orgs.get(ctx.org)
    return bool(routing and routing.channels.get("whistleblower"))


def returning(text: str) -> bool:
    """True when someone asks how to see what became of a report they sent ("I sent in a report a while ago,
    how do I see if someone answered?"): words of an earlier report together with words of answers."""
    from intents import involved

    t = _folded(text)
    w = _words()
    sent = any(f" {e}" in t for e in w["earlier"]) or any(f" {e}" in t for e in w["later"])
    earlier = sent and any(f" {a}" in t for a in w["answers"])
    return earlier and not involved.parties(text)


def lost_secret(text: str) -> bool:
    """True when someone asks to see their case code or passphrase again, or says it is lost."""
    t = re.sub(r" losenord\w*", " ", _folded(text))  # a password ("lösenordet till datorn") is not the case's
    w = _words()
    return any(f" {s}" in t for s in w["secret_words"]) and any(f" {a}" in t for a in w["again"])


def matches(ctx: Context) -> bool:
    secret = code_in(ctx.text) or passphrase_in(ctx.text)
    return bool(secret) or asks_to_report(ctx.text) or returning(ctx.text) or lost_secret(ctx.text)


def takes_by_meaning(ctx: Context) -> bool:
    """The report starts unless the message is about what the function is not for: its first routing topic
    is neither serious wrongdoing (`ANONYMOUS_REPORT_TOPICS`) nor offers the anonymous report (leadership,
    one's own pay, a rude colleague); that message gets its routing answer instead."""
    routing = ctx.bot.routing.orgs.get(ctx.org)
    topics = subject_topics(ctx)
    if not topics:
        return not hr_matter(ctx) and not _one_persons_conduct(ctx) and not _not_reportable(ctx)
    if topics[0] in ANONYMOUS_REPORT_TOPICS:
        return True
    rule = routing.rule(topics[0], ctx.answer_role) if routing else None
    return rule is None or "anonymous_report" in rule.offer


def hr_matter(ctx: Context) -> bool:
    """True when what a report would be about is a practical HR matter (a colleague's sick leave, one's pay,
    working hours: `hr_concepts`): what the whistleblower function is not for."""
    concepts = ctx.bot.retriever.topics.concepts
    named = concepts.match(subject(ctx.text), ctx.lang, question=True)
    hr = set(load(NAME).get("hr_concepts") or ())
    return any(concepts.concepts[ci].id in hr for ci in named)


def _not_reportable(ctx: Context) -> bool:
    """True when a report would be about what the function is not for (`not_for_concepts`: leadership, the
    indoor climate) and names nothing one reports (`report` in concepts.yaml): views for the ordinary channels."""
    from intents import profile  # profile imports the policy answer, which imports this module

    concepts = ctx.bot.retriever.topics.concepts
    # a role said of oneself ("jag är ny som enhetschef") names no matter: its words do not count
    terms = concepts.terms(subject(ctx.text), ctx.lang, question=True)
    named = {ci for ci, ti in terms if not profile.is_role_word(concepts.term_text[(ci, ti)])}
    not_for = set(load(NAME).get("not_for_concepts") or ())
    outside = any(concepts.concepts[ci].id in not_for for ci in named)
    return outside and not any(concepts.concepts[ci].report for ci in named)


def _one_persons_conduct(ctx: Context) -> bool:
    """True when a report would be about a colleague's conduct and names no wrongdoing of any kind the
    documents know ("my coworker is always late and dumps her work on me"): an HR matter about one person."""
    from intents import involved

    about = subject(ctx.text)
    named = ctx.bot.retriever.topics.concepts.match(about, ctx.lang, question=True)
    return not named and any(p in ("colleague", "my_employee") for p in involved.parties(about))


def names_function(text: str) -> bool:
    """True when the message names the whistleblower function ("via visselblåsarfunktionen")."""
    t = _folded(text)
    return any(f" {b}" in t for b in _words()["whistleblowing"])


def subject(text: str) -> str:
    """What a report would be about: the message without the words of the request itself ("anmäla
    anonymt", "through the whistleblower function"), which would otherwise name whistleblowing as its topic."""
    said = normalize(text).replace("?", " ").replace(",", " ").replace(".", " ").split()
    folded = [fold(t) for t in said]
    keep = [True] * len(said)
    for phrase in _request_phrases():
        n = len(phrase)
        for i in range(len(said) - n + 1):
            if folded[i : i + n - 1] == list(phrase[:-1]) and folded[i + n - 1].startswith(phrase[-1]):
                keep[i : i + n] = [False] * n
    # the person's own words, å/ä/ö kept ("för få på nattpasset"): the concepts are matched on them
    return " " + " ".join(t for t, k in zip(said, keep, strict=True) if k) + " "


@cache
def _request_phrases() -> tuple[tuple[str, ...], ...]:
    w = _words()
    phrases = sorted({*w["secrecy"], *w["reporting"], *w["whistleblowing"]}, key=len, reverse=True)
    return tuple(p.split() for p in phrases)


def subject_topics(ctx: Context) -> list[str]:
    """The routing topics of what a report would be about (see `subject`)."""
    return [t for t in ctx.bot.routing.topics(ctx.org, subject(ctx.text)) if t != "whistleblowing"]


def certain(ctx: Context) -> bool:
    """A case code or a passphrase is never read as anything else."""
    return bool(code_in(ctx.text) or passphrase_in(ctx.text))


def active(ctx: Context) -> bool:
    """True while a report or a follow-up is under way here (restored from a form's token after a restart)."""
    return resume(ctx)


def _citations(ctx: Context) -> tuple[Citation, ...]:
    routing = ctx.bot.routing.orgs.get(ctx.org)
    out: list[Citation] = []
    for topic in ("corruption", "complaint"):
        rule = routing.rule(topic, ctx.answer_role) if routing else None
        if rule:
            p = rule.rests_on[0]
            out.append(Citation(p.doc.id, p.doc.title, p.section, p.text, 1.0, p.id, p.org))
    return tuple(out)


async def start(ctx: Context) -> list[Reply]:
    """Explain the function and its limits, then wait for the report."""
    if not available(ctx):
        end(ctx)
        org = org_name(ctx.org, "sv")
        names = {"org": org, "org_en": org_name(ctx.org, "en")}
        text = say(NAME, "no_function", ctx.lang, **names)
        # what the organisation's own documents say about reporting (an anonymous form of its own, say); a
        # command or a click asks nothing of the documents
        from intents import policy_answer  # imported here: policy_answer's neighbours import this module

        t = _folded(ctx.text).strip()
        command = ctx.incoming.choice or not t or any(t == s for s in _words()["starts"])
        found = None if command else await policy_answer.answer_only(ctx)
        answered = found is not None and not found.abstained
        # the usual people to turn to, those the documents speak of (a club's handbook has no manager or HR)
        people: dict[str, str] = load(NAME).get("no_function_people") or {}
        named = [key for key, word in people.items() if ctx.bot.retriever.coverage.mentions(ctx.org, str(word))]
        if named or not answered:
            ask = f"no_function_ask_{'_'.join(named)}" if named else "no_function_nowhere"
            text = f"{text} {say(NAME, ask, ctx.lang, **names)}"
        first = reply(ctx, text)
        return [first, await policy_answer.with_feedback(ctx, found)] if found and answered else [first]
    channel = ctx.bot.routing.orgs[ctx.org].channels["whistleblower"]
    external = ("to use " if ctx.lang == "en" else "att använda ") + str(channel.get(ctx.lang) or channel.get("sv"))
    begin(ctx, "write")
    write = "write_form" if ctx.incoming.platform != "cli" else "write"
    text = say(NAME, "intro", ctx.lang, external=external) + "\n\n" + say(NAME, write, ctx.lang)
    cancel = (Choice(say(NAME, "cancel_choice", ctx.lang), f"{PREFIX}cancel"),)
    return [reply(ctx, text, cancel, _citations(ctx), ask="report")]


def _review(ctx: Context, lead: str = "review") -> Reply:
    state = flow(ctx)
    draft = str(state.get("draft") or "")
    quoted = "\n".join("> " + line for line in draft.splitlines())
    keys = ["send", "rewrite", "discard"]
    if state.get("last"):
        keys.insert(1, "replace")
    # "Kasta" (clicked or typed) asks first: the discard itself is the confirmation's "yes"
    values = {"discard": "ask_discard"}
    choices = tuple(Choice(say(NAME, k, ctx.lang), f"{PREFIX}{values.get(k, k)}") for k in keys)
    head = say(NAME, lead, ctx.lang)
    if state.get("short") and lead == "review":
        head = say(NAME, "short", ctx.lang) + "\n\n" + head
    return reply(ctx, f"{head}\n\n{quoted}", choices)


async def handle(ctx: Context) -> list[Reply]:
    code = code_in(ctx.text)
    if code:
        return await report_login.login(ctx, code, _phrase(ctx.text))
    if passphrase_in(ctx.text):
        return await report_login.passphrase_alone(ctx)
    if lost_secret(ctx.text):  # shown once and never kept readable: it cannot be shown again
        begin(ctx, "login")  # ... and a code typed next is still a login, in this conversation's language
        return [reply(ctx, say(NAME, "shown_once", ctx.lang))]
    if returning(ctx.text):  # how to read the answers: with the code and passphrase, never a new report
        begin(ctx, "login")
        return [reply(ctx, say(NAME, "how_to_return", ctx.lang))]
    t = _folded(ctx.text)
    command = any(t.strip() == s or t.startswith(f" {s} ") for s in _words()["starts"])
    if not command and not takes_by_meaning(ctx):
        # asked in words for what the function is not for (leadership, one's own pay, a rude colleague):
        # the routing answer says where that goes instead of starting a report
        from intents import report_concern  # imported here: report_concern imports this module

        return await report_concern.handle(ctx)
    return await start(ctx)


def _only_code(text: str) -> bool:
    """The message is a case code (and perhaps its passphrase), with at most a word or two around it."""
    found = CODE.search(text)
    if found is None:
        return code_in(text) is not None
    rest = PASSPHRASE.sub(" ", text.replace(found.group(0), " "))
    # a code with its prefix, and a few words beside it (a passphrase of words), is a login too
    return len(rest.split()) <= 2 or (text.lstrip().upper().startswith("VB-") and len(rest.split()) <= 8)


def _phrase(text: str) -> str | None:
    """The passphrase typed beside a case code, if any."""
    code = code_in(text)
    return report_login.typed_beside(text, code) if code else None


def _said(text: str, key: str) -> bool:
    t = " ".join(fold(normalize(text)).strip(" !.").split())
    return t in _words()[key]


def _asks(text: str, key: str) -> bool:
    """True when a short message at review asks for this ("actually no. discard it", "ok skicka den då"):
    the whole message is one of the words, or a message of a few words has one (to send: begins or ends
    with one, and is no question). A negation ("skicka inte", "don't send") never asks to send."""
    if _said(text, key):
        return True
    toks = [w for w in re.split(r"[^\w']+", fold(normalize(text))) if w]
    if not toks or len(toks) > SHORT_ASK:
        return False
    if key == "send_words" and any(w in _words()["negations"] for w in toks):
        return False
    t = f" {' '.join(toks)} "
    if key != "send_words":  # asking to discard or rewrite is safe to read anywhere: it is confirmed or undone
        return any(f" {w} " in t for w in _words()[key])
    return "?" not in text and any(t.startswith(f" {w} ") or t.endswith(f" {w} ") for w in _words()[key])


def _regrets(text: str) -> bool:
    """Regret, or a discard with its object, anywhere in a message of up to `REGRET_WORDS` words."""
    toks = [w for w in re.split(r"[^\w']+", fold(normalize(text))) if w]
    t = f" {' '.join(toks)} "
    return len(toks) <= REGRET_WORDS and any(f" {p} " in t for p in _words()["discard_phrases"])


async def on_flow_text(ctx: Context) -> list[Reply] | None:
    """Text while the flow is active: the report, words at review, a passphrase or added information."""
    state = flow(ctx)
    text = ctx.text
    step = state.get("step")
    if _said(text, "cancel_words"):
        end(ctx)
        return [reply(ctx, say(NAME, "cancelled", ctx.lang))]
    if step in report_login.STEPS:
        return await report_login.on_text(ctx, step)
    if step in ("write", "review") and _only_code(text):
        end(ctx)  # a case code is a login, never a report (nor an addition to one)
        code = code_in(text)
        assert code is not None
        return await report_login.login(ctx, code, _phrase(text))
    if step == "write":
        return [await _take_report(ctx, text)]
    if step == "review":
        return [await _at_review(ctx, text)]
    if step == "confirm_discard":
        said = answers.read(text)
        if said == "yes" or _asks(text, "discard_words") or answers.lead(text)[0] == "yes":
            return await on_choice(ctx, "discard")
        state["step"] = "review"
        return [_review(ctx)]
    return None


async def _take_report(ctx: Context, text: str) -> Reply:
    if typed_in_chat(ctx):
        return reply(ctx, say(NAME, "not_in_chat", ctx.lang), ask="report", error=True)
    problem = check_report(text)
    if problem:
        return reply(ctx, say(NAME, problem, ctx.lang, n=len(clean(text)), max=max_chars()), ask="report", error=True)
    flow(ctx).update(step="review", draft=clean(text), short=too_short(text), last=None)
    return _review(ctx)


def _without_add_request(text: str) -> str:
    """An addition without the words that ask to add it ("ja men lägg till att det pågått sen 2022" -> "det
    pågått sen 2022"); the text as written when nothing follows them."""
    out = text
    for _ in range(3):  # "Vänta, jag vill lägga till att ...": one lead after another
        low = fold(normalize(out))  # (folding keeps the length: positions in it are positions in the text)
        m = next((m for lead in _add_leads() if (m := re.match(rf"\W*{re.escape(lead)}\b[\s:,.-]*", low))), None)
        if m is None or not out[m.end() :].strip():
            break
        rest = out[m.end() :].strip()
        out = rest[:1].upper() + rest[1:]
    return out


@cache
def _add_leads() -> tuple[str, ...]:
    return tuple(sorted(_words()["add_leads"], key=len, reverse=True))


async def _at_review(ctx: Context, text: str) -> Reply:
    said = answers.read(text)
    if _asks(text, "discard_words") or said in ("no", "cancel") or _regrets(text):
        return _ask_discard(ctx)
    if _asks(text, "rewrite_words"):
        return (await on_choice(ctx, "rewrite"))[0]
    if _asks(text, "send_words") or said == "yes":
        return (await on_choice(ctx, "send"))[0]
    if said == "unsure":
        return _review(ctx)
    if typed_in_chat(ctx):
        return reply(ctx, say(NAME, "not_in_chat", ctx.lang), ask="report", error=True)
    state = flow(ctx)
    added = _without_add_request(clean(text))
    combined = f"{state.get('draft') or ''}\n\n{added}".strip()
    problem = check_report(combined)
    if problem:
        return reply(ctx, say(NAME, problem, ctx.lang, n=len(combined), max=max_chars()), ask="report", error=True)
    state.update(draft=combined, last=added, short=too_short(combined))
    return _review(ctx, "added_to_draft")


def _ask_discard(ctx: Context) -> Reply:
    flow(ctx)["step"] = "confirm_discard"
    yes_no = (Choice(say(NAME, "discard_yes", ctx.lang), f"{PREFIX}discard"),
              Choice(say(NAME, "discard_no", ctx.lang), f"{PREFIX}keep"))  # fmt: skip
    return reply(ctx, say(NAME, "confirm_discard", ctx.lang), yes_no)


async def on_choice(ctx: Context, value: str) -> list[Reply]:
    resume(ctx)
    state = flow(ctx)
    if value == "start":
        return await start(ctx)
    if value == "ask_discard" and state.get("draft"):
        return [_ask_discard(ctx)]
    if value in report_login.CHOICES:
        return await report_login.on_choice(ctx, value)
    if value in ("cancel", "discard", "done") or not state:
        end(ctx)
        key = {"discard": "discarded", "done": "done"}.get(value, "cancelled")
        return [reply(ctx, say(NAME, key, ctx.lang))]
    if value == "rewrite":
        state.update(step="write", draft=None, last=None)
        write = "write_form" if ctx.incoming.platform != "cli" else "write"
        return [reply(ctx, say(NAME, write, ctx.lang), ask="report")]
    if value == "replace" and state.get("last"):
        state.update(step="review", draft=state["last"], last=None, short=too_short(state["last"]))
        return [_review(ctx)]
    if value == "keep" and state.get("draft"):
        state["step"] = "review"
        return [_review(ctx)]
    if value == "send" and state.get("step") in ("review", "confirm_discard") and state.get("draft"):
        draft = str(state["draft"])
        end(ctx)
        low, high = ctx.bot.settings.report_delay_seconds
        case = await ctx.bot.cases.create(ctx.org, draft, random.uniform(low, high))
        return [reply(ctx, say(NAME, "sent", ctx.lang, code=case.code, passphrase=case.passphrase))]
    end(ctx)
    return [reply(ctx, say(NAME, "cancelled", ctx.lang))]


async def on_form(ctx: Context) -> list[Reply]:
    """A form's text arrived but no report is open here (a restart with an unreadable or expired form):
    refuse clearly; nothing was sent and nothing is kept."""
    return [reply(ctx, say(NAME, "stale_form", ctx.lang), error=True)]


def offer(lang: str) -> Choice:
    """The choice a routing answer offers: start an anonymous report."""
    return Choice(say(NAME, "offer", lang), f"{PREFIX}start")


async def handler_reply(bot: Bot, code: str, text: str, lang: str, via: str = "chat") -> list[str]:
    """A handler's reply in a case's channel thread (see report_login.handler_reply)."""
    return await report_login.handler_reply(bot, code, text, lang, via)
