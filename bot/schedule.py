"""Dialogue reminders and conduct prompts: the data, the subscriptions, and their delivery.

Data (what HR changes) is in knowledge/schedule/: `reminders.yaml` (per organisation, each resting on a
verbatim quote, checked at start) and `prompts.yaml` (curated scenarios plus discussion questions put
under the organisation's passages).

Subscriptions live in SQLite beside everything else, with their next due time. Delivery is
exactly-once across crashes: an occurrence is first claimed (a row in `schedule_sends`, committed),
then posted with the claim's key, then marked sent and the subscription advanced, in one transaction.
A claim found unfinished after a restart is resolved by asking the sender whether a post with that
key exists (the terminal outbox can tell); where the platform cannot tell, it is not posted again
(at most once) and `tick` says so. Occurrences missed while the bot was down are caught up when they
are at most `schedule_catch_up_hours` old; older ones are skipped, and `tick` says that too.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiosqlite
import yaml

from bot.calendar import CADENCES, DEFAULT_TZ, CalendarError, local, next_occurrence, weekday_number, zone
from bot.types import Choice
from knowledge.corpus import Corpus, Passage
from knowledge.routing import RoutingError, find_passage

if TYPE_CHECKING:
    from bot.core import Bot

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parents[1] / "knowledge" / "schedule"
HOUR = 3600.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, org TEXT NOT NULL, owner TEXT NOT NULL,
    role TEXT, place TEXT NOT NULL, item TEXT NOT NULL, cadence TEXT NOT NULL, weekday INTEGER NOT NULL,
    at TEXT NOT NULL, tz TEXT NOT NULL, months TEXT NOT NULL, anchor TEXT NOT NULL, lang TEXT NOT NULL,
    next_due REAL NOT NULL, snoozed_until REAL, skip_next INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS schedule_sends (
    schedule_id INTEGER NOT NULL, due REAL NOT NULL, status TEXT NOT NULL, message TEXT, prompt TEXT,
    at REAL NOT NULL, PRIMARY KEY (schedule_id, due));
CREATE TABLE IF NOT EXISTS prompt_history (
    place TEXT NOT NULL, prompt TEXT NOT NULL, at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS pulse_votes (
    post TEXT NOT NULL, voter TEXT NOT NULL, score INTEGER NOT NULL, PRIMARY KEY (post, voter));
"""


class ScheduleError(ValueError):
    """Bad input for a reminder or prompt, said so that a person can fix it."""


@dataclass(frozen=True, slots=True)
class Reminder:
    id: str
    org: str
    roles: tuple[str, ...]
    cadence: str
    weekday: int
    time: str
    months: tuple[int, ...]
    passage: Passage
    title: dict[str, str]
    agenda: dict[str, list[str]]
    offer: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Prompt:
    id: str
    org: str
    passage: Passage
    text: dict[str, str]


@dataclass(frozen=True, slots=True)
class Schedule:
    id: int
    kind: str
    org: str
    owner: str
    role: str | None
    place: str
    item: str
    cadence: str
    weekday: int
    at: str
    tz: str
    months: tuple[int, ...]
    anchor: str
    lang: str
    next_due: float
    snoozed_until: float | None
    skip_next: bool
    active: bool

    @property
    def due(self) -> float:
        return max(self.next_due, self.snoozed_until or 0.0)


def _find(corpus: Corpus, doc: str, quote: str, where: str) -> Passage:
    try:
        return find_passage(corpus, doc, quote, where)
    except RoutingError as exc:
        raise ScheduleError(str(exc)) from exc


@cache
def _raw(name: str) -> dict[str, Any]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8")) or {}


def reminders(corpus: Corpus) -> dict[str, list[Reminder]]:
    """Every organisation's reminders, each resolved to its passage (ScheduleError when a quote is wrong)."""
    out: dict[str, list[Reminder]] = {}
    for org, items in _raw("reminders.yaml").items():
        if org not in corpus.orgs():  # reminders of an organisation whose documents are not loaded
            continue
        for r in items:
            where = f"knowledge/schedule/reminders.yaml: {org}/{r.get('id')}"
            if r["cadence"] not in CADENCES:
                raise ScheduleError(f"{where}: unknown cadence {r['cadence']!r}")
            out.setdefault(org, []).append(
                Reminder(
                    id=r["id"],
                    org=org,
                    roles=tuple(r["roles"]),
                    cadence=r["cadence"],
                    weekday=weekday_number(r.get("weekday", "mon")),
                    time=str(r.get("time", "09:00")),
                    months=tuple(r.get("months") or ()),
                    passage=_find(corpus, r["rests_on"]["doc"], r["rests_on"]["quote"], where),
                    title=r["title"],
                    agenda=r["agenda"],
                    offer=tuple(r.get("offer") or ()),
                )
            )
    return out


def prompt_bank(corpus: Corpus, org: str, audiences: tuple[str, ...]) -> list[Prompt]:
    """The curated prompts of an organisation for these audiences, then one per passage of its documents."""
    data = _raw("prompts.yaml")
    bank: list[Prompt] = []
    for item in (data.get("curated") or {}).get(org, []):
        if set(item.get("audiences") or audiences) & set(audiences):
            where = f"knowledge/schedule/prompts.yaml: {org}/{item['id']}"
            passage = _find(corpus, item["rests_on"]["doc"], item["rests_on"]["quote"], where)
            bank.append(Prompt(item["id"], org, passage, {"sv": item["sv"], "en": item["en"]}))
    questions = data["questions"]
    n = 0
    for p in corpus.passages:
        doc_audiences = set(p.doc.audiences)
        if p.org != org or not (doc_audiences & set(audiences)) or len(p.text) < 80:
            continue
        q = {lang: questions[lang][n % len(questions[lang])] for lang in ("sv", "en")}
        n += 1
        bank.append(Prompt(p.id, org, p, q))
    return bank


def validate(corpus: Corpus) -> None:
    """Fail at start, not at 09:00 on a Monday, when a reminder or prompt cites text that is not there."""
    reminders(corpus)
    for org in _raw("prompts.yaml").get("curated") or {}:
        if org in corpus.orgs():
            prompt_bank(corpus, org, ("employee", "manager", "elected", "group_leader"))


def audiences_for(role: str | None) -> tuple[str, ...]:
    return ("elected", "group_leader") if role in ("elected", "group_leader") else ("employee", "manager")


class Schedules:
    """The subscriptions in the database."""

    def __init__(self, db: aiosqlite.Connection, clock: Any = time.time) -> None:
        self.db = db
        self.clock = clock

    @classmethod
    async def open(cls, db: aiosqlite.Connection, clock: Any = time.time) -> Schedules:
        await db.executescript(SCHEMA)
        await db.commit()
        return cls(db, clock)

    async def add(
        self,
        kind: str,
        org: str,
        owner: str,
        role: str | None,
        place: str,
        item: str,
        cadence: str,
        weekday: int,
        at: str,
        tz: str = DEFAULT_TZ,
        months: tuple[int, ...] = (),
        lang: str = "sv",
    ) -> Schedule:
        now = self.clock()
        zone(tz)  # an unknown zone is refused before anything is stored
        anchor = dt.datetime.fromtimestamp(now, zone(tz)).date()
        try:
            first = next_occurrence(now, cadence, weekday, at, tz, months, anchor)
        except CalendarError as exc:
            raise ScheduleError(str(exc)) from exc
        cur = await self.db.execute(
            "INSERT INTO schedules (kind, org, owner, role, place, item, cadence, weekday, at, tz, months, anchor, "
            "lang, next_due, created) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                kind,
                org,
                owner,
                role,
                place,
                item,
                cadence,
                weekday,
                at,
                tz,
                json.dumps(list(months)),
                anchor.isoformat(),
                lang,
                first,
                now,
            ),
        )
        await self.db.commit()
        found = await self.get(int(cur.lastrowid or 0))
        assert found is not None
        return found

    async def get(self, schedule_id: int) -> Schedule | None:
        rows = await self._select("WHERE id=?", (schedule_id,))
        return rows[0] if rows else None

    async def list(self, owner: str | None = None, kind: str | None = None, active: bool = True) -> list[Schedule]:
        where, args = ["active=?"], [int(active)]
        if owner is not None:
            where.append("owner=?")
            args.append(owner)
        if kind is not None:
            where.append("kind=?")
            args.append(kind)
        return await self._select("WHERE " + " AND ".join(where) + " ORDER BY next_due, id", tuple(args))

    async def _select(self, tail: str, args: tuple[Any, ...]) -> list[Schedule]:
        async with self.db.execute(
            "SELECT id, kind, org, owner, role, place, item, cadence, weekday, at, tz, months, anchor, lang, "
            f"next_due, snoozed_until, skip_next, active FROM schedules {tail}",
            args,
        ) as cur:
            rows = await cur.fetchall()
        return [
            Schedule(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                r[9],
                r[10],
                tuple(json.loads(r[11])),
                r[12],
                r[13],
                r[14],
                r[15],
                bool(r[16]),
                bool(r[17]),
            )
            for r in rows
        ]

    async def _owned(self, schedule_id: int, owner: str | None) -> Schedule:
        s = await self.get(schedule_id)
        if s is None or not s.active or (owner is not None and s.owner != owner):
            raise ScheduleError(f"no active reminder or prompt with number {schedule_id}")
        return s

    async def snooze(self, schedule_id: int, days: float, owner: str | None = None) -> Schedule:
        if not 0 < days <= 366:
            raise ScheduleError("snooze between 1 and 366 days")
        s = await self._owned(schedule_id, owner)
        until = max(s.due, self.clock()) + days * 86400
        await self.db.execute("UPDATE schedules SET snoozed_until=? WHERE id=?", (until, schedule_id))
        await self.db.commit()
        return await self._owned(schedule_id, owner)

    async def skip(self, schedule_id: int, owner: str | None = None) -> Schedule:
        s = await self._owned(schedule_id, owner)
        await self.db.execute("UPDATE schedules SET skip_next=1 WHERE id=?", (s.id,))
        await self.db.commit()
        return await self._owned(schedule_id, owner)

    async def cancel(self, schedule_id: int, owner: str | None = None) -> Schedule:
        s = await self._owned(schedule_id, owner)
        await self.db.execute("UPDATE schedules SET active=0 WHERE id=?", (s.id,))
        await self.db.commit()
        return s

    def following(self, s: Schedule, after: float) -> float:
        anchor = dt.date.fromisoformat(s.anchor)
        return next_occurrence(after, s.cadence, s.weekday, s.at, s.tz, s.months, anchor)

    # ---- prompts and pulses ----

    async def last_prompt(self, place: str) -> str | None:
        async with self.db.execute(
            "SELECT prompt FROM prompt_history WHERE place=? ORDER BY at DESC, rowid DESC LIMIT 1", (place,)
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def prompt_uses(self, place: str) -> dict[str, int]:
        async with self.db.execute(
            "SELECT prompt, COUNT(*) FROM prompt_history WHERE place=? GROUP BY prompt", (place,)
        ) as cur:
            return {r[0]: r[1] for r in await cur.fetchall()}

    async def vote(self, post: str, voter: str, score: int) -> list[int]:
        await self.db.execute(
            "INSERT INTO pulse_votes VALUES (?,?,?) ON CONFLICT(post, voter) DO UPDATE SET score=excluded.score",
            (post, voter, score),
        )
        await self.db.commit()
        async with self.db.execute("SELECT score FROM pulse_votes WHERE post=?", (post,)) as cur:
            return [r[0] for r in await cur.fetchall()]


# ---- the texts of a reminder and a prompt ---------------------------------------------------------


def reminder_text(r: Reminder, lang: str) -> str:
    from intents.phrases import say

    agenda = "\n".join(f"• {line}" for line in r.agenda.get(lang) or r.agenda["sv"])
    title = r.title.get(lang) or r.title["sv"]
    doc_title = r.passage.doc.title
    source = say("schedule", "source", lang, title=doc_title, section=r.passage.section)
    quote = "\n".join("> " + line for line in r.passage.text.splitlines())
    return f"{title}\n\n{say('schedule', 'agenda', lang)}\n{agenda}\n\n{source}\n{quote}"


def reminder_choices(r: Reminder, lang: str) -> tuple[Choice, ...]:
    from intents.phrases import say

    out = []
    if "fqc" in r.offer:
        out.append(Choice(say("schedule", "offer_fqc", lang), "fqc:start"))
    if "prompt" in r.offer:
        out.append(Choice(say("schedule", "offer_prompt", lang), "sched:post"))
    return tuple(out)


def prompt_text(p: Prompt, lang: str) -> str:
    from intents.phrases import say

    quote = "\n".join("> " + line for line in p.passage.text.splitlines())
    head = say("schedule", "prompt_head", lang, title=p.passage.doc.title, section=p.passage.section)
    pulse = _raw("prompts.yaml")["pulse"].get(lang) or _raw("prompts.yaml")["pulse"]["sv"]
    return f"{head}\n{quote}\n\n{p.text.get(lang) or p.text['sv']}\n\n{pulse}"


def pulse_choices(post: str) -> tuple[Choice, ...]:
    return tuple(Choice(str(n), f"pulse:{post}:{n}") for n in range(1, 6))


async def pick_prompt(bot: Bot, org: str, role: str | None, place: str) -> Prompt:
    """The least used prompt in this place, never the one posted there last."""
    bank = prompt_bank(bot.retriever.corpus, org, audiences_for(role))
    if not bank:
        raise ScheduleError(f"no prompts for {org}")
    last = await bot.schedules.last_prompt(place)
    uses = await bot.schedules.prompt_uses(place)
    choices = [p for p in bank if p.id != last] or bank
    return min(choices, key=lambda p: (uses.get(p.id, 0), bank.index(p)))


async def post_prompt(bot: Bot, org: str, role: str | None, place: str, lang: str, key: str | None = None) -> str:
    """Post a prompt to a place now; returns the prompt's id."""
    prompt = await pick_prompt(bot, org, role, place)
    post_key = key or f"p{int(bot.clock() * 1000):x}"
    await bot.sender.post(org, place, prompt_text(prompt, lang), None, pulse_choices(post_key), key=post_key)
    await bot.schedules.db.execute("INSERT INTO prompt_history VALUES (?,?,?)", (place, prompt.id, bot.clock()))
    await bot.schedules.db.commit()
    return prompt.id


# ---- delivery -------------------------------------------------------------------------------------


async def deliver_due(bot: Bot, now: float) -> list[str]:
    """Deliver every occurrence due up to `now`; one line per delivery, skip and miss."""
    sched = bot.schedules
    done: list[str] = []
    max_age = float(bot.settings.schedule_catch_up_hours) * HOUR
    catalogue = {(r.org, r.id): r for rs in reminders(bot.retriever.corpus).values() for r in rs}
    # first, claims a crash left unfinished
    async with sched.db.execute(
        "SELECT schedule_id, due FROM schedule_sends WHERE status='claimed' ORDER BY due"
    ) as cur:
        unfinished = await cur.fetchall()
    for schedule_id, due in unfinished:
        s = await sched.get(schedule_id)
        if s is None:
            continue
        posted = await _was_posted(bot, s, _key(s, due))
        if posted is False:
            line = await _send(bot, s, due, catalogue, resumed=True)
        else:
            await _finish(bot, s, due, "sent" if posted else "uncertain", None)
            line = f"{s.org}: {s.kind} {s.id} {'already delivered' if posted else 'maybe delivered (not resent)'}"
        done.append(line)
    for s in await sched.list():
        while s.active and s.due <= now:
            due = s.next_due
            if s.skip_next:
                await _record(bot, s, due, "skipped", "skip_next=0")
                done.append(f"{s.org}: {s.kind} {s.id} skipped once ({local(s.due, s.tz)})")
            elif now - s.due > max_age:
                await _record(bot, s, due, "missed", "")
                done.append(f"{s.org}: {s.kind} {s.id} missed ({local(s.due, s.tz)}, older than the catch-up limit)")
            else:
                done.append(await _send(bot, s, due, catalogue))
            refreshed = await sched.get(s.id)
            assert refreshed is not None
            s = refreshed
    return done


def _key(s: Schedule, due: float) -> str:
    return f"s{s.id}-{int(due)}"


async def _was_posted(bot: Bot, s: Schedule, key: str) -> bool | None:
    check = getattr(bot.sender, "was_posted", None)
    return await check(s.org, s.place, key) if check else None


async def _send(
    bot: Bot, s: Schedule, due: float, catalogue: dict[tuple[str, str], Reminder], resumed: bool = False
) -> str:
    sched = bot.schedules
    key = _key(s, due)
    await sched.db.execute(
        "INSERT OR IGNORE INTO schedule_sends (schedule_id, due, status, at) VALUES (?,?,'claimed',?)",
        (s.id, due, bot.clock()),
    )
    await sched.db.commit()
    if os.environ.get("CONDUCTBOT_TEST_CRASH") == "before-post":
        os._exit(3)  # a test's stand-in for the process dying between claim and post
    prompt_id = None
    if s.kind == "reminder":
        r = catalogue.get((s.org, s.item))
        if r is None:
            await _finish(bot, s, due, "missed", None)
            return f"{s.org}: reminder {s.id} ({s.item}) no longer exists"
        message = await bot.sender.post(
            s.org, s.place, reminder_text(r, s.lang), None, reminder_choices(r, s.lang), key=key
        )
        what = f"reminder {s.id} {s.item}"
    else:
        prompt = await pick_prompt(bot, s.org, s.role, s.place)
        message = await bot.sender.post(s.org, s.place, prompt_text(prompt, s.lang), None, pulse_choices(key), key=key)
        prompt_id = prompt.id
        what = f"prompt {s.id} {prompt.id}"
    if os.environ.get("CONDUCTBOT_TEST_CRASH") == "after-post":
        os._exit(3)  # a test's stand-in for the process dying between post and confirmation
    await _finish(bot, s, due, "sent", message, prompt_id)
    return f"{s.org}: {what} to {s.place} ({local(s.due, s.tz)}){' after a restart' if resumed else ''}"


async def _finish(
    bot: Bot, s: Schedule, due: float, status: str, message: str | None, prompt: str | None = None
) -> None:
    """Mark an occurrence done and move the subscription to its next occurrence, in one transaction."""
    sched = bot.schedules
    nxt = sched.following(s, max(due, s.due))
    await sched.db.execute(
        "INSERT INTO schedule_sends (schedule_id, due, status, message, prompt, at) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT(schedule_id, due) DO UPDATE SET status=excluded.status, message=excluded.message, "
        "prompt=excluded.prompt, at=excluded.at",
        (s.id, due, status, message, prompt, bot.clock()),
    )
    if prompt:
        await sched.db.execute("INSERT INTO prompt_history VALUES (?,?,?)", (s.place, prompt, bot.clock()))
    await sched.db.execute(
        "UPDATE schedules SET next_due=?, snoozed_until=NULL WHERE id=? AND next_due=?", (nxt, s.id, due)
    )
    await sched.db.commit()


async def _record(bot: Bot, s: Schedule, due: float, status: str, extra: str) -> None:
    await _finish(bot, s, due, status, None)
    if extra == "skip_next=0":
        await bot.schedules.db.execute("UPDATE schedules SET skip_next=0 WHERE id=?", (s.id,))
        await bot.schedules.db.commit()
