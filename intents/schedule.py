"""Dialogue reminders (managers, group leaders, elected officials) and conduct prompts (group leaders).

"påminnelser" lists the reminders of the person's organisation and role and their own subscriptions;
"påminn mig om medarbetarsamtal varannan måndag 09:00" subscribes directly; "samtalsfråga" posts a
conduct prompt here now, "samtalsfråga varannan måndag 09:00" schedules them. Choices snooze, skip
and stop. Reminders go to the conversation they were asked for in (`Incoming.place`).
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from bot import schedule as sched
from bot.calendar import WEEKDAYS, local
from bot.types import Choice, Reply
from intents.phrases import load, say
from knowledge.text import WordSet, content_words, fold, normalize, stem_en, stem_sv, words

if TYPE_CHECKING:
    from bot.core import Context

NAME = "schedule"
PREFIX = "sched:"
TIME = re.compile(r"\b([01]?\d|2[0-3])[:.]([0-5]\d)\b")
# "kl 9", "klockan 10", "at 8", "9am", "8 pm": an hour without minutes
HOUR_ONLY = re.compile(r"\b(?:kl\.?|klockan|at)\s*([01]?\d|2[0-3])\b(?![:.]\d)|\b([01]?\d)\s*(am|pm)\b", re.I)
REMINDER_ROLES = ("manager", "group_leader", "elected")


def _data() -> dict:
    return load(NAME)


def _words(key: str) -> list[str]:
    return [normalize(w) for w in _data()[key]]


_PROMPT = re.compile(r"\b(?:samtalsfrag|diskussionsfrag|conduct prompt|discussion question|discussion prompt)")
# a reminder asked for: the noun anywhere, or the verb of the bot reminding the asker ("påmin mej", typed with
# one n; "remind us"); not reminding others of something ("want to remind my group that we go after policies")
_REMINDER = re.compile(
    r"(?:paminnelse|\breminder|"
    r"(?:pamin\w*|remind\w*)\s+(?:\w+\s+)?(?:mig|mej|oss|me|us|about|om|every|varje|att)\b|"
    r"^(?:\W*\w+\W+)?(?:pamin|remind))"
)


def _kind(text: str) -> str | None:
    """'prompt' or 'reminder' when the message asks for conduct prompts or dialogue reminders, anywhere in it."""
    t = normalize(text).strip()
    first = t.split(" ", 1)[0] if t else ""
    for kind, key in (("prompt", "prompt_words"), ("reminder", "reminder_words")):
        words = _words(key)
        if first in words or any(" " in w and t.startswith(w) for w in words):
            return kind
        if first == "posta" and kind == "prompt" and any(w in t for w in words):
            return kind
    folded = fold(t)
    if _PROMPT.search(folded):
        return "prompt"
    if _REMINDER.search(folded) or any(f" {w} " in f" {t} " for w in _words("reminder_anywhere")):
        return "reminder"
    # a dialogue named together with a cadence ("lägg in medarbetarsamtal varje år i oktober kl 9"), when it
    # is not a question ("do i have to do appraisal talks every year" asks what the policy says)
    items = (normalize(w) for ws in _data()["item_words"].values() for w in ws)
    asks = "?" in t or first in _word_set("question_words")
    verb = _after_politeness(t).split(" ", 1)[0]
    if asks or verb not in _word_set("request_verbs"):
        return None  # a request opens with its verb; "en kollega härmar mig varje gång på apt:n" is none
    if any(f" {w} " in f" {t} " for w in _words("cadence_words")) and any(f" {w}" in f" {t}" for w in items):
        return "reminder"
    return None


def _after_politeness(t: str) -> str:
    """The request without the polite words it opens with ("kan du lägga in ..." -> "lägga in ...")."""
    for opener in _polite_openers():
        if t.startswith(f"{opener} "):
            return t[len(opener) + 1 :]
    return t


@cache
def _polite_openers() -> tuple[str, ...]:
    return tuple(sorted(_words("polite_openers"), key=len, reverse=True))


@cache
def _word_set(key: str) -> WordSet:
    return WordSet(_data()[key])


def matches(ctx: Context) -> bool:
    return _kind(ctx.text) is not None


def takes_by_meaning(ctx: Context) -> bool:
    """Recognised by meaning alone, a question ("när betalas lönen ut?", "blir det löneavdrag ...?") is about
    something, not a request for a reminder (a request asked as a question names the reminder in words); so is
    a message with a question word anywhere in it ("as a manager here how often am i supposed to ...")."""
    ws = words(ctx.text)
    if "?" in ctx.text or (ws and ws[0] in _word_set("question_words")):
        return False
    return not any(w in _word_set("interrogatives") for w in ws)


def _reply(ctx: Context, text: str, choices: tuple[Choice, ...] = ()) -> Reply:
    return Reply(text=text, choices=choices, intent=NAME, lang=ctx.lang, abstained=True)


def _place(ctx: Context) -> str:
    """Where a prompt goes: the conversation it was asked for in."""
    return ctx.incoming.place or ctx.incoming.conversation


def _personal_place(ctx: Context) -> str:
    """Where a person's reminders go: to them alone, even when they subscribed in a channel."""
    return ctx.incoming.personal_place or _place(ctx)


def parse_when(text: str, cadence: str, weekday: int, at: str) -> tuple[str, int, str]:
    """Cadence, weekday and time named in a message, else the defaults given."""
    t = normalize(text)
    data = _data()
    named = None
    for name, phrases in data["cadences"].items():
        if any(re.search(rf"\b{re.escape(normalize(p))}\b", t) for p in phrases):
            named = cadence = name
            break
    for day, names in data["weekdays"].items():
        if any(re.search(rf"\b{re.escape(normalize(n))}\b", t) for n in names):
            weekday = WEEKDAYS.index(day)
            # "every friday", "varje fredag", "on mondays": weekly, unless a cadence is named too
            each = data.get("each_words") or []
            plural = [n for n in names[1::2] if re.search(rf"\b{re.escape(normalize(n))}\b", t)]  # "fredagar"
            if named is None and (
                plural
                or any(
                    re.search(rf"\b{re.escape(normalize(e))} {re.escape(normalize(n))}\b", t)
                    for e in each
                    for n in names
                )
            ):
                cadence = "weekly"
            break
    m = TIME.search(text)
    if m:
        at = f"{int(m.group(1)):02d}:{m.group(2)}"
    else:
        h = HOUR_ONLY.search(text)
        if h:
            hour = int(h.group(1) or h.group(2))
            if (h.group(3) or "").lower() == "pm" and hour < 12:
                hour += 12
            at = f"{hour:02d}:00"
    return cadence, weekday, at


def parse_months(text: str) -> tuple[int, ...]:
    """The months a message names ("i mars", "in March and September")."""
    t = normalize(text)
    found = [int(m) for m, names in _data()["months"].items()
             if any(re.search(rf"\b{re.escape(normalize(n))}\b", t) for n in names)]  # fmt: skip
    return tuple(sorted(found))


def _describe(ctx: Context, s: sched.Schedule) -> dict[str, str]:
    data = _data()
    cadence = data["cadence_names"][ctx.lang][s.cadence]
    if s.months and s.cadence in ("yearly", "twice-yearly"):  # "en gång per år i oktober"
        names = data["month_names"][ctx.lang]
        joined = f" {say(NAME, 'and', ctx.lang)} ".join(names[m - 1] for m in sorted(s.months))
        cadence = f"{cadence} {say(NAME, 'in_month', ctx.lang)} {joined}"
    return {
        "cadence": cadence,
        "weekday": data["weekday_names"][ctx.lang][s.weekday],
        "at": s.at,
        "next": local(s.due, s.tz),
    }


def _catalogue(ctx: Context) -> list[sched.Reminder]:
    return sched.reminders(ctx.bot.retriever.corpus).get(ctx.org, [])


def _title(ctx: Context, s: sched.Schedule) -> str:
    if s.kind == "prompt":
        return say(NAME, "offer_prompt", ctx.lang).lower() if ctx.lang == "sv" else "conduct prompts"
    r = next((r for r in _catalogue(ctx) if r.id == s.item), None)
    return (r.title.get(ctx.lang) or r.title["sv"]) if r else s.item


async def handle(ctx: Context) -> list[Reply]:
    kind = _kind(ctx.text)
    if kind == "prompt":
        return await _prompt(ctx)
    return await _reminders(ctx)


async def _reminders(ctx: Context) -> list[Reply]:
    mine = [r for r in _catalogue(ctx) if ctx.role in r.roles]
    if ctx.role not in REMINDER_ROLES or not mine:
        return [_reply(ctx, say(NAME, "no_reminders", ctx.lang))]
    named = _named(ctx.text, mine)
    # a subscription needs the words of a request; recognised by meaning alone, the overview is shown
    if len(named) == 1 and len(normalize(ctx.text).split()) > 1 and matches(ctx):
        return await _subscribe(ctx, named[0], ctx.text)
    return [await _overview(ctx, mine)]


def _named(text: str, mine: list[sched.Reminder]) -> list[sched.Reminder]:
    """The reminders a message names: by its own words (`item_words`), its id, or long words of its title;
    when several match, the one matched by its own words."""
    t = " " + " ".join(normalize(text).replace("?", " ").replace(",", " ").split()) + " "
    own = _data().get("item_words") or {}
    by_words = [r for r in mine if any(f" {normalize(w)}" in t for w in own.get(r.id, []))]
    if by_words:
        return by_words
    plain = [
        r
        for r in mine
        if normalize(r.id.replace("-", " ")) in t
        or any(len(w) > 6 and w in t for lang in ("sv", "en") for w in normalize(r.title.get(lang, "")).split())
    ]
    if len(plain) == 1:
        return plain
    return _by_stems(text, plain or mine, own) or plain


def _stems(text: str) -> set[str]:
    ws = [w for w in content_words(text) if len(w) > 2]
    return {stem_sv(w) for w in ws} | {stem_en(w) for w in ws}


def _by_stems(text: str, mine: list[sched.Reminder], own: dict[str, list[str]]) -> list[sched.Reminder]:
    """The reminder whose title and own words share the most word stems with the message, when one does
    more than any other ("följa upp bemötandekoden med gruppen": the group's follow-up of the code)."""
    asked = _stems(text) - _stems(" ".join(_data().get("generic_words") or []))
    scored = []
    for r in mine:
        said = " ".join([*r.title.values(), *own.get(r.id, [])])
        scored.append((len(asked & _stems(said)), r))
    scored.sort(key=lambda x: -x[0])
    if scored and scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return [scored[0][1]]
    return []


async def _overview(ctx: Context, mine: list[sched.Reminder]) -> Reply:
    assert ctx.bot.schedules is not None
    lines = [say(NAME, "list_head", ctx.lang)]
    choices = [Choice((r.title.get(ctx.lang) or r.title["sv"])[:70], f"{PREFIX}sub:{r.id}") for r in mine]
    subs = await ctx.bot.schedules.list(owner=ctx.user_key)
    lines.append("")
    lines.append(say(NAME, "mine_head", ctx.lang) if subs else say(NAME, "none_mine", ctx.lang))
    for s in subs:
        skip = say(NAME, "skip_mark", ctx.lang) if s.skip_next else ""
        lines.append(say(NAME, "mine_line", ctx.lang, n=s.id, what=_title(ctx, s), skip=skip, **_describe(ctx, s)))
        choices += [
            Choice(f"{say(NAME, 'snooze', ctx.lang)} ({s.id})", f"{PREFIX}snooze:{s.id}"),
            Choice(f"{say(NAME, 'skip', ctx.lang)} ({s.id})", f"{PREFIX}skip:{s.id}"),
            Choice(f"{say(NAME, 'cancel', ctx.lang)} ({s.id})", f"{PREFIX}cancel:{s.id}"),
        ]
    return _reply(ctx, "\n".join(lines), tuple(choices))


async def _subscribe(ctx: Context, r: sched.Reminder, text: str = "") -> list[Reply]:
    assert ctx.bot.schedules is not None
    cadence, weekday, at = parse_when(text, r.cadence, r.weekday, r.time)
    for s in await ctx.bot.schedules.list(owner=ctx.user_key, kind="reminder"):
        if s.item == r.id:  # one subscription per reminder: point to the existing one
            what = r.title.get(ctx.lang) or r.title["sv"]
            return [_reply(ctx, say(NAME, "duplicate", ctx.lang, n=s.id, what=what, **_describe(ctx, s)))]
    months = parse_months(text) if cadence in ("yearly", "twice-yearly") else ()
    try:
        s = await ctx.bot.schedules.add(
            "reminder",
            ctx.org,
            ctx.user_key,
            ctx.role,
            _personal_place(ctx),
            r.id,
            cadence,
            weekday,
            at,
            months=months or (r.months if cadence == r.cadence else ()),
            lang=ctx.lang,
        )
    except sched.ScheduleError as exc:
        return [_reply(ctx, say(NAME, "error", ctx.lang, error=exc))]
    what = r.title.get(ctx.lang) or r.title["sv"]
    return [_reply(ctx, say(NAME, "subscribed", ctx.lang, what=what, **_describe(ctx, s)))]


async def _prompt(ctx: Context) -> list[Reply]:
    assert ctx.bot.schedules is not None
    if ctx.role != "group_leader":
        return [_reply(ctx, say(NAME, "only_group_leaders", ctx.lang))]
    t = normalize(ctx.text)
    if any(re.search(rf"\b{re.escape(w)}\b", t) for w in _words("schedule_words")) or TIME.search(ctx.text):
        cadence, weekday, at = parse_when(ctx.text, "biweekly", 0, "09:00")
        try:
            s = await ctx.bot.schedules.add(
                "prompt", ctx.org, ctx.user_key, ctx.role, _place(ctx), "", cadence, weekday, at, lang=ctx.lang
            )
        except sched.ScheduleError as exc:
            return [_reply(ctx, say(NAME, "error", ctx.lang, error=exc))]
        return [_reply(ctx, say(NAME, "prompt_scheduled", ctx.lang, **_describe(ctx, s)))]
    return await _post_now(ctx)


async def _post_now(ctx: Context) -> list[Reply]:
    if ctx.role != "group_leader":
        return [_reply(ctx, say(NAME, "only_group_leaders", ctx.lang))]
    prompt = await sched.post_prompt(ctx.bot, ctx.org, ctx.role, _place(ctx), ctx.lang)
    return [_reply(ctx, say(NAME, "posted", ctx.lang, prompt=prompt))]


async def on_choice(ctx: Context, value: str) -> list[Reply]:
    assert ctx.bot.schedules is not None
    action, _, arg = value.partition(":")
    if action == "post":
        return await _post_now(ctx)
    if action == "sub":
        r = next((r for r in _catalogue(ctx) if r.id == arg and ctx.role in r.roles), None)
        if r is None:
            return [_reply(ctx, say(NAME, "no_reminders", ctx.lang))]
        return await _subscribe(ctx, r)
    try:
        number = int(arg)
        if action == "snooze":
            s = await ctx.bot.schedules.snooze(number, 7, owner=ctx.user_key)
            return [_reply(ctx, say(NAME, "snoozed", ctx.lang, next=local(s.due, s.tz)))]
        if action == "skip":
            s = await ctx.bot.schedules.skip(number, owner=ctx.user_key)
            return [_reply(ctx, say(NAME, "skipped", ctx.lang, next=local(s.due, s.tz)))]
        if action == "cancel":
            s = await ctx.bot.schedules.cancel(number, owner=ctx.user_key)
            return [_reply(ctx, say(NAME, "cancelled", ctx.lang, what=_title(ctx, s)))]
    except (ValueError, sched.ScheduleError) as exc:
        return [_reply(ctx, say(NAME, "error", ctx.lang, error=exc))]
    return [_reply(ctx, say(NAME, "error", ctx.lang, error=value))]
