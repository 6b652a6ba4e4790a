"""Subscriptions to reminders and prompts: the `schedules` table and what a person does with a row.

Each row is one subscription (a reminder for a person, or prompts for a channel) with its cadence,
its local time and zone, and its next due time; `conductbot remind ...`, the chat intent and the
delivery round (bot/occurrences.py) read and change it here. Also the prompt history (never the same
prompt twice in a row in a place) and the anonymous pulse votes.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiosqlite

from bot.calendar import DEFAULT_TZ, CalendarError, next_occurrence, zone

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

STEPS = [
    SCHEMA,
    # step 2: pulse votes carry the day they were cast, so that they expire (bot/retention.py)
    "ALTER TABLE pulse_votes ADD COLUMN day REAL NOT NULL DEFAULT 0;",
]  # schema versions (bot/migrate.py): append a step to change a table, never edit one


class ScheduleError(ValueError):
    """Bad input for a reminder or prompt, said so that a person can fix it."""


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


class PlaceCipher:
    """Where posts go (a Slack user id for a reminder by DM, a terminal user's conversation) is stored
    encrypted with the bot's local key, and the prompt history names places by a keyed tag: no platform
    id is kept in the clear."""

    PREFIX = "enc:"

    def __init__(self, box: Any = None, tag: Callable[[str], str] | None = None) -> None:
        self.box = box
        self._tag = tag

    def seal(self, place: str) -> str:
        if self.box is None:
            return place
        return self.PREFIX + base64.urlsafe_b64encode(self.box.encrypt(place.encode())).decode()

    def open(self, stored: str) -> str:
        if self.box is None or not stored.startswith(self.PREFIX):
            return stored  # rows written before places were encrypted
        return self.box.decrypt(base64.urlsafe_b64decode(stored[len(self.PREFIX) :].encode())).decode()

    def tag(self, place: str) -> str:
        return self._tag(place) if self._tag is not None else place


class Schedules:
    """The subscriptions in the database."""

    def __init__(self, db: aiosqlite.Connection, clock: Any = time.time, places: PlaceCipher | None = None) -> None:
        self.db = db
        self.clock = clock
        self.places = places or PlaceCipher()

    @classmethod
    async def open(
        cls, db: aiosqlite.Connection, clock: Any = time.time, places: PlaceCipher | None = None
    ) -> Schedules:
        from bot.migrate import migrate

        await migrate(db, "schedule", STEPS)
        return cls(db, clock, places)

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
                self.places.seal(place),
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
                self.places.open(r[5]),
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

    async def advance(self, s: Schedule, due: float) -> None:
        """Move a subscription past the occurrence `due` (only if it is still at it)."""
        nxt = self.following(s, max(due, s.due))
        await self.db.execute(
            "UPDATE schedules SET next_due=?, snoozed_until=NULL WHERE id=? AND next_due=?", (nxt, s.id, due)
        )
        await self.db.commit()

    def following(self, s: Schedule, after: float) -> float:
        anchor = dt.date.fromisoformat(s.anchor)
        return next_occurrence(after, s.cadence, s.weekday, s.at, s.tz, s.months, anchor)

    # ---- prompts and pulses ----

    async def last_prompt(self, place: str) -> str | None:
        async with self.db.execute(
            "SELECT prompt FROM prompt_history WHERE place=? ORDER BY at DESC, rowid DESC LIMIT 1",
            (self.places.tag(place),),
        ) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def prompt_uses(self, place: str) -> dict[str, int]:
        async with self.db.execute(
            "SELECT prompt, COUNT(*) FROM prompt_history WHERE place=? GROUP BY prompt", (self.places.tag(place),)
        ) as cur:
            return {r[0]: r[1] for r in await cur.fetchall()}

    async def record_prompt(self, place: str, prompt: str, at: float) -> None:
        """Remember that a prompt was posted in a place (so it is not posted there next)."""
        await self.db.execute("INSERT INTO prompt_history VALUES (?,?,?)", (self.places.tag(place), prompt, at))
        await self.db.commit()

    async def vote(self, post: str, voter: str, score: int) -> list[int]:
        await self.db.execute(
            "INSERT INTO pulse_votes(post, voter, score, day) VALUES (?,?,?,?) "
            "ON CONFLICT(post, voter) DO UPDATE SET score=excluded.score",
            (post, voter, score, self.clock() - self.clock() % 86400),
        )
        await self.db.commit()
        async with self.db.execute("SELECT score FROM pulse_votes WHERE post=?", (post,)) as cur:
            return [r[0] for r in await cur.fetchall()]
