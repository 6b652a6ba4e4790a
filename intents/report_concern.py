"""Who to tell: routing by topic, organisation and role, each answer citing the rule it rests on.

The rules are data (`knowledge/routing/<organisation>.yaml`); this intent only decides that a message
is a routing question (a topic's trigger word and a cue such as "vem", "who", "report"), picks the
rule for the person's role, and quotes the passage the rule rests on.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from bot.types import Citation, Reply
from intents import anonymous_report, involved, policy_answer, profile
from intents.phrases import load, say
from knowledge.routing import ANONYMOUS_REPORT_TOPICS, Rule
from knowledge.text import WordSet, content_words, fold, normalize

if TYPE_CHECKING:
    from bot.core import Context

NAME = "report_concern"
PREFIX = "route:"
NOT_FOR_TOPIC = "complaint"  # the routing topic of what the whistleblower function is not for
MATTER_WORDS = 3  # content words, besides the request's own, that describe the matter to report
SHORT_CUE_WORDS = 6  # a routing question this short names no matter of its own: it asks about the last one


@cache
def _cues() -> tuple[str, ...]:
    return tuple(" " + fold(normalize(c)) + " " for c in load(NAME)["cues"])


@cache
def _word_set(key: str) -> WordSet:
    return WordSet(load(NAME)[key])


def has_cue(text: str) -> bool:
    """True when the message asks whom to tell or what to do (rather than what a rule says)."""
    t = " " + " ".join(fold(normalize(text)).replace("?", " ").replace(",", " ").replace(".", " ").split()) + " "
    return any(c in t for c in _cues())


def _statement(text: str) -> bool:
    """A situation told as a statement ("min kollega luktar sprit igen"), not a question about what a rule
    says: it asks, implicitly, what to do."""
    t = text.strip()
    return not t.endswith("?") and len(t.split()) >= 4 and not profile.asks(t) and not _asks_rule(t)


def _asks_rule(text: str) -> bool:
    """The message opens with a question word ("what counts as harassment anyway", "vad räknas som
    jäv") and asks nothing of whom to tell: a question about what a rule says."""
    ws = normalize(text).replace(",", " ").split()
    openers, asks = _word_set("openers"), _word_set("question_words")
    while len(ws) > 1 and ws[0] in openers:  # "men vad säger den om lönesamtalet då?"
        ws = ws[1:]
    if any(ws[: len(h.split())] == h.split() for h in load(NAME).get("hypotheticals") or ()):
        return False
    return bool(ws) and ws[0] in asks and not has_cue(text)


def takes_by_meaning(ctx: Context) -> bool:
    """By meaning alone, a routing question only when it does not ask what a rule says."""
    return not _asks_rule(ctx.text)


def topic(ctx: Context) -> str | None:
    """The routing topic of the message, if it is a routing question; an elliptical follow-up ("och om det
    är min chef?") carries the conversation's previous topic."""
    if _asks_rule(ctx.text) and not involved.parties(ctx.text):
        return None  # "är det mobbning då eller": what a rule says, though it follows an answer on whom to tell
    carried = ctx.state.get("topic") if involved.follow_up(ctx.text) else None
    if carried and ctx.state.get("received") and involved.about_self(ctx.text):
        return str(carried)  # told as the one receiving, "and if she's complaining about me?": the same matter
    if carried and not has_cue(ctx.text) and involved.about_self(ctx.text) and not involved.parties(ctx.text):
        carried = None  # the new case is the asker's own conduct ("och om det är jag själv ...?"): what the rule says
    if carried and not has_cue(ctx.text) and ctx.state.get("answered") == "rule" and not involved.parties(ctx.text):
        carried = None  # "och mobbning?" after "vad räknas som trakasserier": what the rule says of it, too
    if not carried and has_cue(ctx.text) and len(ctx.text.split()) <= SHORT_CUE_WORDS:
        carried = ctx.state.get("topic")  # "vem anmäler man till", "where do i report it": the topic just discussed
    if not has_cue(ctx.text) and not carried and not _statement(ctx.text):
        return None
    routing = ctx.bot.routing
    if carried and involved.parties(ctx.text) and not routing.topics(ctx.org, involved.without_parties(ctx.text)):
        if carried != NOT_FOR_TOPIC and NOT_FOR_TOPIC in routing.topics(ctx.org, ctx.text):
            return NOT_FOR_TOPIC  # "and if he's just a terrible boss?": what the whistleblower function is not for
        return str(carried)  # "what if it's a supplier?": the same matter, someone else involved
    topics = ctx.bot.routing.topics(ctx.org, ctx.text)
    if topics:
        return topics[0]
    return str(carried) if carried else None


def matches(ctx: Context) -> bool:
    return topic(ctx) is not None


def _citation(p, score: float) -> Citation:
    return Citation(
        doc=p.doc.id, title=p.doc.title, section=p.section, text=p.text, score=score, passage_id=p.id, org=p.org
    )


def reply_for(ctx: Context, rule: Rule) -> Reply:
    """The routing answer: what to do, the quoted passage it rests on, and citations."""
    first = rule.rests_on[0]
    head = rule.en if ctx.lang == "en" else rule.sv
    src = say(NAME, "source", ctx.lang, title=first.doc.title, section=first.section)
    text = f"{head}\n\n{src}\n{policy_answer.quote(first.text)}"
    hits = ctx.search().hits
    top = max([1.0, *(h.score for h in hits)])
    # the rule's passages come first, so they also score first (citations are best first)
    cites = [_citation(p, top + 0.01 * (len(rule.rests_on) - i)) for i, p in enumerate(rule.rests_on)]
    seen = {p.id for p in rule.rests_on}
    for c in policy_answer.citations(ctx.search()):
        if c.passage_id not in seen and not ctx.search().abstain:
            cites.append(c)
            seen.add(c.passage_id)
    return Reply(
        text=text,
        citations=tuple(cites[: policy_answer.MAX_CITATIONS]),
        intent=NAME,
        lang=ctx.lang,
        meta={"topic": rule.topic, "offer": rule.offer},
    )


def _quoted(lines: list[str]) -> str:
    return "\n".join("> " + line for line in lines)


def _for_target(ctx: Context, rule: Rule, base: Reply, target: str, who: str | None = None) -> Reply:
    """The usual person to tell is the one involved: what else the code says, or that it names no one else."""
    suffix = "_self" if who else ""  # the asker is the one reported (a group leader, a manager)
    who = who or involved.person(target, ctx.lang)
    own = involved.alternatives(list(rule.rests_on))
    if own:
        head = involved.phrase(f"target{suffix}", ctx.lang, person=who)
        return replace(base, text=f"{head}\n{_quoted(own)}\n\n{base.text}")
    others = [s for s in involved.alternatives(involved.role_passages(ctx, ctx.answer_role)) if s not in own][:2]
    if others and target == "managers_manager":  # the rule names the manager, not the one above: the others
        head = involved.phrase(f"target{suffix}", ctx.lang, person=who)
        return replace(base, text=f"{head}\n{_quoted(others)}\n\n{base.text}")
    extra = f"{involved.phrase('target_else', ctx.lang)}\n{_quoted(others)}" if others else ""
    if "anonymous_report" in rule.offer:  # the rule itself names another way: the whistleblower function
        head = involved.phrase(f"target_other{suffix}", ctx.lang, person=who)
        return replace(base, text="\n\n".join(x for x in (head, extra, base.text) if x))
    if others and not suffix:  # the rule names no one else, the code's general advice does
        head = involved.phrase("target_rule_only", ctx.lang, person=who)
        return replace(base, text=f"{head}\n{_quoted(others)}\n\n{base.text}")
    head = involved.phrase(f"target_none{suffix}", ctx.lang, person=who)
    return replace(base, text=f"{head}\n\n{extra}\n\n{base.text}" if extra else f"{head}\n\n{base.text}")


def _for_receiver(ctx: Context, rule: Rule, base: Reply) -> Reply:
    """The asker receives the report (a manager, a group leader): the code's expectations of that role, then
    the rule's passage as what the code tells the one who reports (not as advice to the asker: a group
    leader is not told to tell their group leader)."""
    p = involved.receiver_passage(ctx, ctx.answer_role, rule.rests_on[0])
    if p is None:
        return base
    head = involved.phrase(f"receiver_{ctx.answer_role}", ctx.lang)
    src = say(NAME, "source", ctx.lang, title=p.doc.title, section=p.section)
    cites = (*base.citations, _citation(p, 0.5))[: policy_answer.MAX_CITATIONS]
    first = rule.rests_on[0]
    told = involved.phrase("receiver_rule", ctx.lang)
    rule_src = say(NAME, "source", ctx.lang, title=first.doc.title, section=first.section)
    parts = [head, f"{src}\n{policy_answer.quote(p.text)}", f"{told}\n{rule_src}\n{policy_answer.quote(first.text)}"]
    return replace(base, text="\n\n".join(parts), citations=cites)


async def handle(ctx: Context) -> list[Reply]:
    # recognised by meaning without a cue word: the message's topics decide all the same
    t = topic(ctx) or next(iter(ctx.bot.routing.topics(ctx.org, ctx.text)), None)
    routing = ctx.bot.routing.orgs.get(ctx.org)
    if ctx.answer_role in policy_answer.ELECTED_ROLES and not profile.serves_role(ctx, ctx.answer_role):
        return [policy_answer.no_documents_for_role(ctx)]
    unclear = False
    named = anonymous_report.names_function(ctx.text) or anonymous_report.asks_to_report(ctx.text)
    if t in ANONYMOUS_REPORT_TOPICS and named:
        # "kan jag anmäla det via visselblåsarfunktionen?": the function's own name says nothing of what the
        # matter is; that decides, and when nothing does, the answer says what the function is and is not for
        about = anonymous_report.subject_topics(ctx)
        told = len(content_words(anonymous_report.subject(ctx.text))) >= MATTER_WORDS  # a matter is described
        t, unclear = (about[0], False) if about else (t, told)
    rule = routing.rule(t, ctx.answer_role) if (routing and t) else None
    if rule is None:
        return await policy_answer.handle(ctx)
    ctx.state["topic"] = rule.topic  # the topic's id (never the text), for a follow-up
    ctx.state["answered"] = "route"  # ... and that whom to tell was answered
    ctx.state["last_passage"] = rule.rests_on[0].id  # ... and the passage the answer rests on
    reply = reply_for(ctx, rule)
    earlier = ctx.state.pop("target", None)  # the kind of person the last answer was about as the one involved
    received = bool(ctx.state.pop("received", False)) and involved.follow_up(ctx.text)
    found = involved.parties(ctx.text, after=earlier if involved.follow_up(ctx.text) else None)
    target = involved.is_target(ctx.answer_role, found)
    asker = involved.asker_is_target(ctx.answer_role, ctx.text, found, received)
    if target and involved.names_usual(rule.sv, target):
        reply = _for_target(ctx, rule, reply, target)
        ctx.state["target"] = target  # the kind of person (never a name), for "och om hans chef ...?"
    elif asker and involved.names_usual(rule.sv, asker):  # the one who would be told is the one reported
        reply = _for_target(ctx, rule, reply, asker, involved.person(f"self_{asker}", ctx.lang))
    elif involved.is_receiver(ctx.answer_role, found, ctx.text):
        reply = _for_receiver(ctx, rule, reply)
        ctx.state["received"] = True  # answered as the one receiving (a flag, never the text), for a follow-up
    party = involved.party_passage(ctx, rule.rests_on[0], found)
    if party is not None:
        kind, p = party
        head = involved.phrase("party", ctx.lang, person=involved.person(kind, ctx.lang))
        reply = replace(
            reply,
            text=f"{reply.text}\n\n{head}\n{policy_answer.quote(p.text)}",
            citations=(*reply.citations, _citation(p, 0.5))[: policy_answer.MAX_CITATIONS],
        )
    # the function named for what it is not for ("anmäla via visselblåsarfunktionen att ventilationen är
    # trasig"): the routing answer, and what the function is not for
    misnamed = named and rule.topic not in ANONYMOUS_REPORT_TOPICS
    unclear = unclear or misnamed
    not_for = routing.rule(NOT_FOR_TOPIC, ctx.answer_role) if (unclear and routing) else None
    if not_for is not None and not_for.rests_on[0].id != rule.rests_on[0].id:
        p = not_for.rests_on[0]
        src = say(NAME, "source", ctx.lang, title=p.doc.title, section=p.section)
        reply = replace(
            reply,
            text=f"{reply.text}\n\n{say(NAME, 'not_for', ctx.lang)}\n{src}\n{policy_answer.quote(p.text)}",
            citations=(*reply.citations, _citation(p, 0.5))[: policy_answer.MAX_CITATIONS],
        )
        ctx.state["topic"] = NOT_FOR_TOPIC  # "ok, who then?": the ordinary channels, not the function again
    if "anonymous_report" in rule.offer and anonymous_report.available(ctx) and not unclear:
        reply = replace(reply, choices=(*reply.choices, anonymous_report.offer(ctx.lang)))
    if not rule.answers and not reply.choices:
        # the documents say nothing of it (general advice only): said plainly, a question they do not answer
        if ctx.bot.settings.record_questions:
            policy_answer.note_unanswered(ctx)
        return [replace(reply, abstained=True)]
    replies = [await policy_answer.with_feedback(ctx, reply)]
    if routing is not None and routing.depends_on_role(rule.topic):
        ask = await profile.ask_role_once(ctx)
        if ask is not None:
            replies.append(ask)
    return replies
