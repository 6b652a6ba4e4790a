"""The intent registry: which intent takes a message.

Every intent module fulfils `intents.contract.Intent` (`NAME`, `PREFIX`, `matches`, `handle`), and may
also be a `Flow`, `Resumable`, `Chooser` or `Asker`; they are listed here explicitly, in the order they
are asked. A message goes to the first intent whose words it contains, unless its meaning (the nearest
of the intents' example phrasings, `intents/meaning.py`) clearly says otherwise; with no words and no
clear meaning, the policy answer (the fallback) takes it. Adding an intent is adding a module (with its
phrases in a YAML file beside it) and listing it here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, cast

from bot.types import Reply
from intents import (
    anonymous_report,
    crisis,
    feedback,
    four_question_check,
    policy_answer,
    profile,
    pulse,
    report_concern,
    schedule,
    smalltalk,
)
from intents.contract import Asker, Certain, Chooser, Flow, Gated, Intent, Resumable
from intents.meaning import Calibration, Sense
from intents.phrases import say

if TYPE_CHECKING:
    from bot.core import Context

# `crisis` is asked before everything (flows included); then the most specific first. The policy answer
# is the fallback and is not in ORDER.
FIRST: tuple[Intent, ...] = (cast(Intent, crisis),)
ORDER: tuple[Intent, ...] = cast(
    tuple[Intent, ...],
    (anonymous_report, smalltalk, profile, schedule, pulse, four_question_check, report_concern, feedback),
)
FALLBACK: Intent = cast(Intent, policy_answer)
ALL: tuple[Intent, ...] = (*FIRST, *ORDER, FALLBACK)
NAMES: tuple[str, ...] = tuple(m.NAME for m in ALL)
_BY_NAME: dict[str, Intent] = {m.NAME: m for m in ALL}


def intent(name: str) -> Intent:
    """The intent called `name`."""
    return _BY_NAME[name]


def all_intents() -> tuple[Intent, ...]:
    return ALL


def validate(corpus: object) -> None:
    """Let every intent whose data quotes the corpus check it (`validate(corpus)`), failing loudly."""
    for mod in ALL:
        check = getattr(mod, "validate", None)
        if check is not None:
            check(corpus)


def choose(ctx: Context) -> Intent:
    """The intent that takes a message outside a flow (see `decide`)."""
    by_words = next((m for m in ORDER if m.matches(ctx)), None)
    if by_words is not None and (ctx.text.startswith("/") or (isinstance(by_words, Certain) and by_words.certain(ctx))):
        return by_words  # a command, or words that leave no doubt
    meaning = ctx.bot.meaning
    cal = meaning.cal if meaning is not None else None
    name = decide(by_words.NAME if by_words else None, ctx.sense, cal, lambda n: takes_by_meaning(n, ctx))
    return _BY_NAME.get(name or "", by_words or FALLBACK)


def takes_by_meaning(name: str, ctx: Context) -> bool:
    """Whether intent `name` can take this message on its meaning alone."""
    mod = _BY_NAME.get(name)
    return mod is not None and (not isinstance(mod, Gated) or mod.takes_by_meaning(ctx))


def decide(
    by_words: str | None, sense: Sense | None, cal: Calibration | None, takes: Callable[[str], bool] = bool
) -> str | None:
    """The first intent whose words the message has, unless its meaning overrules them by the calibrated
    margin; the meaning alone when no words match; None for the fallback. `takes(name)` says whether an
    intent can take the message on its meaning alone."""
    if sense is None or cal is None:
        return by_words
    best = sense.confident(cal)
    if best is None or best in cal.lexical_only or best not in _BY_NAME or not takes(best):
        return by_words
    if by_words is None or best == by_words:
        return best
    return best if sense.score_of(best) - sense.score_of(by_words) >= cal.override_for(best) else by_words


async def _pending_answer(ctx: Context, waiting: object) -> list[Reply] | None:
    """A short answer to the last question the bot asked outside a flow (`state["pending"]`: a yes/no
    after "Hjälpte det?", a role after "are you an employee or an elected official?"), read by the intent
    that asked (`on_pending(ctx, waiting)`, None when the message is not an answer); it waits for one
    message only. A flow under way (the
    check) is asked again after it, so a side question does not lose the check's place."""
    if not isinstance(waiting, dict) or intent("anonymous_report").active(ctx):
        return None
    asker = _BY_NAME.get(str(waiting.get("intent", "")))
    if not isinstance(asker, Asker):
        return None
    replies = await asker.on_pending(ctx, waiting)
    if replies is None:
        return None
    flow = _BY_NAME.get(str(ctx.state.get("flow") or ""))
    if isinstance(flow, Resumable):
        replies = [*replies, *await flow.resume_reply(ctx)]
    return list(replies)


async def dispatch(ctx: Context) -> list[Reply]:
    """Route one message to the intent that takes it."""
    waiting = ctx.state.pop("pending", None)  # a pending yes/no waits for one message only
    choice = ctx.incoming.choice
    if choice:
        for mod in ALL:
            if mod.PREFIX and choice.startswith(mod.PREFIX) and isinstance(mod, Chooser):
                return list(await mod.on_choice(ctx, choice[len(mod.PREFIX) :]))
        return [Reply(text=say("smalltalk", "unknown_choice", ctx.lang), intent="error", lang=ctx.lang, abstained=True)]
    if not ctx.text:
        return list(await intent("smalltalk").help_reply(ctx))
    if crisis.matches(ctx):  # help first, before any flow or policy answer
        help_first = list(await crisis.handle(ctx))
        if anonymous_report.active(ctx):
            return help_first + list(await anonymous_report.on_flow_text(ctx) or [])
        return help_first
    replies = await _pending_answer(ctx, waiting)
    if replies is not None:
        return replies
    if anonymous_report.active(ctx):
        replies = await anonymous_report.on_flow_text(ctx)
        if replies is not None:
            return list(replies)
    elif ctx.incoming.form:
        return list(await anonymous_report.on_form(ctx))  # a form's text is never read as a question
    flow = ctx.state.get("flow")
    current = _BY_NAME.get(str(flow or ""))
    if isinstance(current, Flow):
        replies = await current.on_flow_text(ctx)
        if replies is not None:
            return list(replies)
    return await _keep_flow(ctx, flow, list(await choose(ctx).handle(ctx)))


async def _keep_flow(ctx: Context, flow: object, replies: list[Reply]) -> list[Reply]:
    """After a side question in the middle of a guided flow, the flow's question is asked again (and is
    then the one a short answer answers)."""
    if not flow or ctx.state.get("flow") != flow or any(r.intent == flow for r in replies):
        return replies
    current = _BY_NAME.get(str(flow))
    if not isinstance(current, Resumable):
        return replies
    ctx.state.pop("pending", None)
    # the side answer's 👍/👎 go: the check's own choices are then numbered from 1, and a short answer is the check's
    ask = say("feedback", "ask", ctx.lang)
    side = [
        replace(
            r,
            text=r.text.removesuffix(f"\n\n{ask}"),
            choices=tuple(c for c in r.choices if not c.value.startswith("fb:")),
        )
        for r in replies
    ]
    return [*side, *await current.resume_reply(ctx)]
