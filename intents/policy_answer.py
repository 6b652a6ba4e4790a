"""The policy answer: quote the best passage(s) verbatim, name document and section, or say plainly
that the organisation's documents do not answer.

An English answer states the rule in English (the corpus's own English rendering of the passage) and
quotes the Swedish source; nothing here writes policy text of its own.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.types import Citation, Reply
from intents import feedback
from intents.phrases import load, say
from knowledge.orgs import org_name
from knowledge.retrieval import Hit, SearchResult
from knowledge.text import content_words, fold, normalize

if TYPE_CHECKING:
    from bot.core import Context
    from knowledge.corpus import Passage

NAME = "policy_answer"
PREFIX = ""
ELECTED_ROLES = ("elected", "group_leader")
MAX_CITATIONS = 5
NAMES_A_PASSAGE = 0.8  # a follow-up whose words cover this share of a passage names a matter of its own


def quote(text: str) -> str:
    """A passage as a Markdown block quote, line by line."""
    return "\n".join("> " + line for line in text.splitlines())


def citations(result: SearchResult) -> tuple[Citation, ...]:
    """The ranked passages as citations, best first."""
    return tuple(
        Citation(
            doc=h.passage.doc.id,
            title=h.passage.doc.title,
            section=h.passage.section,
            text=h.passage.text,
            score=h.score,
            passage_id=h.passage.id,
            org=h.passage.org,
        )
        for h in result.hits[:MAX_CITATIONS]
    )


def quoted_hits(result: SearchResult, role: str | None, ratio: float) -> list[Hit]:
    """The best hit, and the second when it is nearly as good and from a document for this role."""
    hits = result.hits
    if not hits:
        return []
    out = [hits[0]]
    if len(hits) > 1:
        h = hits[1]
        if (
            h.score >= ratio * hits[0].score
            and h.passage.doc.serves(role)
            and h.passage.section != hits[0].passage.section
        ):
            out.append(h)
    return out


def _block(h: Hit, lang: str, first: bool, topic: str = "") -> str:
    p = h.passage
    if lang == "en":
        if p.en:
            key = "lead" if first else "also"
            head = say(
                NAME,
                key,
                "en",
                title=p.doc.title,
                title_en=p.doc.title_en,
                section=p.section,
                section_en=p.section_en or p.section,
                rule=p.en,
            )
            return f"{head}\n\n{say(NAME, 'source', 'en')}\n{quote(p.text)}"
        # no English rendering: say in English which document and section applies, quote the Swedish as
        # written and say that it is Swedish; never a machine-made translation of policy text
        document = p.doc.title if p.doc.title_en == p.doc.title else f"{p.doc.title_en} ({p.doc.title})"
        about = say(NAME, "about", "en", topic=topic) if topic else ""
        key = "lead_no_en" if first else "also_no_en"
        head = say(NAME, key, "en", document=document, section=p.section or p.doc.title, about=about)
        return f"{head}\n{quote(p.text)}"
    head = say(NAME, "lead" if first else "also", "sv", title=p.doc.title, section=p.section)
    return f"{head}\n\n{quote(p.text)}"


def _topic_label(result: SearchResult, lang: str) -> str:
    """The name of what the question is about (its first concept), in the answer's language."""
    labels: dict[str, dict[str, str]] = result.debug.get("labels", {})  # type: ignore[assignment]
    return labels.get(result.concepts[0], {}).get(lang, "") if result.concepts else ""


def answer(result: SearchResult, org: str, role: str | None, ratio: float) -> Reply:
    """The reply for a searched question: quoted passages with citations, or an abstention."""
    lang = result.lang
    if result.abstain and result.debug.get("no_amount") and result.hits:
        # the documents name the matter but give no amount: said so, with what they do say
        labels = result.debug.get("labels", {})
        topic = labels.get(str(result.debug["no_amount"]), {}).get(lang, "")  # type: ignore[union-attr]
        sv = org_name(org, "sv")
        names = {"org": sv, "org_cap": _capital(sv), "org_en": _capital(org_name(org, "en"))}
        head = say(NAME, "abstain_amount", lang, topic=topic, **names)
        text = f"{head}\n\n{_block(result.hits[0], lang, True, topic)}"
        return Reply(text=text, citations=citations(result)[:1], intent="out_of_scope", lang=lang, abstained=True)
    if result.abstain:
        if result.uncovered:  # the question's concern is not in the organisation's documents at all
            labels: dict[str, dict[str, str]] = result.debug.get("labels", {})  # type: ignore[assignment]
            topic = labels.get(result.uncovered[0], {}).get(lang, "")
            if topic:
                names = {"org": org_name(org, "sv"), "org_en": _capital(org_name(org, "en"))}
                text = say(NAME, "abstain_uncovered", lang, topic=topic, **names)
                return Reply(text=text, intent="out_of_scope", lang=lang, abstained=True)
        return abstain_reply(org, role, lang)
    topic = _topic_label(result, lang)
    blocks = [_block(h, lang, i == 0, topic) for i, h in enumerate(quoted_hits(result, role, ratio))]
    return Reply(text="\n\n".join(blocks), citations=citations(result), intent=NAME, lang=lang)


def abstain_reply(org: str, role: str | None, lang: str) -> Reply:
    """Say plainly that the documents do not answer, and whom to ask instead."""
    key = "abstain_elected" if role in ELECTED_ROLES else "abstain"
    text = say(NAME, key, lang, org=org_name(org, "sv"), org_en=org_name(org, "en"))  # mid-sentence: "the City of ..."
    return Reply(text=text, intent="out_of_scope", lang=lang, abstained=True)


def _capital(s: str) -> str:
    return s[:1].upper() + s[1:]


def matches(ctx: Context) -> bool:
    return True


async def with_feedback(ctx: Context, reply: Reply) -> Reply:
    """The reply with "Hjälpte det? 👍 / 👎" added, and its question remembered (without the user)."""
    if not ctx.bot.settings.record_questions:
        return reply
    cited = list(dict.fromkeys(f"{c.doc} › {c.section}" for c in reply.citations[:2]))
    answer_id = await ctx.bot.store.remember_answer(ctx.org, ctx.role, ctx.lang, reply.intent, cited)
    text = f"{reply.text}\n\n{feedback.question(ctx.lang)}"
    ctx.state["pending"] = feedback.pending(answer_id)  # a typed "nej det hjälpte inte" is read as 👎
    return Reply(
        text=text,
        choices=feedback.choices(answer_id, ctx.lang) + reply.choices,  # 👍 is always [1], 👎 [2]
        citations=reply.citations,
        private=reply.private,
        intent=reply.intent,
        lang=reply.lang,
        abstained=reply.abstained,
        meta=reply.meta,
    )


def note_unanswered(ctx: Context) -> None:
    """Hold the question for HR's list (redacted, and dropped if a report comes near)."""
    ctx.bot.questions.note(ctx.conv_key, ctx.user_key, ctx.org, ctx.role, ctx.lang, "abstained", text=ctx.text)


def _without_staff_document(text: str) -> str | None:
    """The question without its naming of the staff's own document ("what does the employee policy say about
    respect then?" -> "what does the say about respect then?"), or None when it names none."""
    t = f" {' '.join(normalize(text).replace('?', ' ').split())} "
    found = [n for d in load(NAME).get("staff_documents") or () if f" {(n := normalize(str(d)))} " in t]
    if not found:
        return None
    for name in found:
        t = t.replace(f" {name} ", " ")
    return " ".join(t.split())


def no_documents_for_role(ctx: Context, role: str | None = None) -> Reply:
    """An organisation with no document for the asker's role (or the role asked about) says so, instead of
    claiming rules it lacks."""
    from intents import profile  # profile imports this module

    sv = org_name(ctx.org, "sv")
    names = {"org": sv, "org_cap": _capital(sv), "org_en": _capital(org_name(ctx.org, "en"))}
    name = profile.role_name(role or ctx.answer_role, ctx.lang)
    text = say(NAME, "no_docs_for_role", ctx.lang, role=name, **names)
    return Reply(text=text, intent="out_of_scope", lang=ctx.lang, abstained=True)


def _follow_up_search(ctx: Context) -> SearchResult | None:
    """An elliptical follow-up ("what if it's from a supplier?", "och om det är min chef som fått dem?")
    searched together with the previous answer's section heading (the document's words, not the earlier
    question), when it finds nothing on its own."""
    from intents import involved

    last = ctx.state.get("last_passage")
    if not last or not involved.follow_up(ctx.text):
        return None
    passage = next((p for p in ctx.bot.retriever.corpus.passages if p.id == last), None)
    if passage is None:
        return None
    if involved.about_self(ctx.text):
        mine = _own_conduct(ctx, passage)
        if mine is not None:
            return mine
    role = _role_asked_about(ctx.text)
    if role is not None:  # "and what is expected of managers there?": that role's passage in the same section,
        # else what the role's document expects of it anywhere ("och vad förväntas av mig som gruppledare då?"
        # after a rule that says nothing of group leaders)
        own = involved.receiver_passage(ctx, role, near=passage)
        if own is not None:
            found = ctx.search(f"{ctx.text} {own.text}")
            first = next((h for h in found.hits if h.passage.id == own.id), None)
            if first is not None and not found.abstain:
                return replace(found, hits=[first, *(h for h in found.hits if h is not first)], lang=ctx.lang)
    alone = ctx.search()
    own_topic = alone.concepts or _names_a_passage(alone, passage)
    if not alone.abstain and own_topic and not involved.same_case(ctx.text):
        return None  # the follow-up names a topic of its own ("what about gifts?", "och lönen?"): answered as it is
    if not alone.abstain:
        # it names none ("what about right by the entrance of the town hall?"): the rule just quoted
        # the rule just quoted, asked about in a new situation: searched with the rule's own words, it comes
        # first, and the follow-up's words choose among the passages near it
        near = ctx.search(f"{ctx.text} {passage.text}")
        again = next((h for h in near.hits if h.passage.id == passage.id), None)
        if near.abstain or again is None:
            return None
        return replace(near, hits=[again, *(h for h in near.hits if h is not again)], lang=ctx.lang)
    # the follow-up's own best passages, where one of them is in the section the conversation is about
    same = [h for h in alone.hits[:3] if (h.passage.doc.id, h.passage.section) == (passage.doc.id, passage.section)]
    if same:
        rest = [h for h in alone.hits if h is not same[0]]
        return replace(alone, hits=[same[0], *rest], abstain=False)
    return replace(ctx.search(f"{ctx.text} {passage.section}"), lang=ctx.lang)  # the heading is Swedish


def _names_a_passage(found: SearchResult, last: Passage) -> bool:
    """The follow-up's words are nearly all in another passage of the documents ("och lönen?" after a rule on
    the work environment): it names a matter of its own, though no concept of the domain."""
    top = found.hits[0] if found.hits else None
    return top is not None and top.coverage >= NAMES_A_PASSAGE and top.passage.id != last.id


def _role_asked_about(text: str) -> str | None:
    """The role a follow-up asks about ("och vad förväntas av chefer där?"): a manager or a group leader."""
    from intents import profile  # profile imports this module

    role = profile.find_role(text)
    return role if role in ("manager", "group_leader") else None


def _own_conduct(ctx: Context, last: Passage) -> SearchResult | None:
    """A follow-up about the asker's own conduct ("and what if it's me?") after an answer about someone
    else: the passage of the same section that speaks to the reader themself ("själv"), not the one
    already quoted."""
    from intents import involved

    result = ctx.search(f"{ctx.text} {last.section}")
    words = involved.own_conduct_words()
    where = (last.doc.id, last.section)
    same = [h for h in result.hits if (h.passage.doc.id, h.passage.section) == where and h.passage.id != last.id]
    own = [h for h in same if any(w in f" {fold(normalize(h.passage.text))} " for w in words)]
    if not own:
        return None
    rest = [h for h in result.hits if h is not own[0]]
    return replace(result, hits=[own[0], *rest], abstain=False, lang=ctx.lang)  # (the heading is Swedish)


async def handle(ctx: Context) -> list[Reply]:
    """Answer from the policies, or say plainly that they do not answer; an answer asks whether it helped."""
    reply = await answer_only(ctx)
    if reply.abstained:
        return [reply]
    return [await with_feedback(ctx, reply)]


async def answer_only(ctx: Context) -> Reply:
    """The answer from the policies (or the plain decline), remembering its passage for a follow-up."""
    from intents import profile

    if not profile.serves_role(ctx, ctx.answer_role) and ctx.answer_role in ELECTED_ROLES:
        staff = _without_staff_document(ctx.text)
        if staff is None or not content_words(staff):  # "men medarbetarpolicyn då, gäller den inte oss också?"
            return no_documents_for_role(ctx)
        # asked, knowingly, what the staff's document says: searched for what is asked about, as an employee
        ctx = replace(ctx, role="employee", incoming=replace(ctx.incoming, text=staff), _search={})
    result = _follow_up_search(ctx) or ctx.search()
    if result.abstain and list(result.uncovered[:1]) == ["elected_role"] and not profile.serves_role(ctx, "elected"):
        return no_documents_for_role(ctx, "elected")  # "sitter i kf, gäller er policy mig?" in Alingsås
    if result.hits and not result.abstain:
        top = result.hits[0].passage
        ctx.state["last_passage"] = top.id  # the passage's id (never the question), for a follow-up
        ctx.state["answered"] = "rule"  # ... and that what a rule says was answered (not whom to tell)
        # the question itself waits in memory only, to be answered again if the person then says who they are
        ctx.bot.memo[ctx.conv_key] = {"question": ctx.text, "at": time.time(), "answered": top.id}
        # the topic a follow-up carries: the routing topic of the passage, else of the question's own words
        carried = ctx.bot.routing.topic_of_passage(ctx.org, top.id)
        carried = carried or next(iter(ctx.bot.routing.topics(ctx.org, ctx.text)), None)
        if carried:
            ctx.state["topic"] = carried  # the topic's id, for a follow-up
    reply = answer(result, ctx.org, ctx.answer_role, ctx.bot.retriever.tuning.second_quote_ratio)
    if reply.abstained and ctx.bot.settings.record_questions:
        note_unanswered(ctx)
    return reply
