"""The audit trail of a whistleblower case: what was done with it, when, and through which channel.

Append-only and who-less: an entry is (case, action, time, via), never a person. Actions: received,
shown, replied, acknowledged, closed, deleted, addition. `via` is where it was done (`cli`, `slack`,
`teams`, `desk`, `bot`). The time of `received` and `addition` is the day only, so that the trail cannot
be lined up with anything a reporter did; handlers' actions keep the minute. Entries are kept as long as
the case; after a deletion the trail (ending in `deleted`) is kept for the retention period, then goes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import aiosqlite

SCHEMA = """
CREATE TABLE IF NOT EXISTS case_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL, action TEXT NOT NULL, at REAL NOT NULL,
    via TEXT NOT NULL);
"""
ACTIONS = ("received", "addition", "shown", "replied", "acknowledged", "feedback_given", "closed", "deleted")
REPORTER_ACTIONS = ("received", "addition")
VIA = ("cli", "slack", "teams", "desk", "bot", "chat")


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a case's trail."""

    at: float
    action: str
    via: str


class Audit:
    """The trail on the bot's database (its own table)."""

    def __init__(self, db: aiosqlite.Connection, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self.clock = clock

    @classmethod
    async def open(cls, db: aiosqlite.Connection, clock: Callable[[], float] = time.time) -> Audit:
        await db.executescript(SCHEMA)
        await db.commit()
        return cls(db, clock)

    async def record(self, code: str, action: str, via: str, commit: bool = True) -> None:
        """Append one entry (reporters' actions dated by the day, handlers' by the minute)."""
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action}")
        now = self.clock()
        at = now - now % (86400 if action in REPORTER_ACTIONS else 60)
        await self._db.execute(
            "INSERT INTO case_audit(code, action, at, via) VALUES (?,?,?,?)",
            (code.upper(), action, at, via if via in VIA else "bot"),
        )
        if commit:
            await self._db.commit()

    async def trail(self, code: str) -> list[Entry]:
        """The case's entries, oldest first."""
        async with self._db.execute(
            "SELECT at, action, via FROM case_audit WHERE code=? ORDER BY id", (code.upper(),)
        ) as cur:
            return [Entry(r[0], r[1], r[2]) for r in await cur.fetchall()]

    async def purge_deleted(self, keep_days: float, now: float) -> None:
        """Forget the trails of cases deleted more than `keep_days` ago."""
        cutoff = now - keep_days * 86400
        await self._db.execute(
            "DELETE FROM case_audit WHERE code IN (SELECT code FROM case_audit WHERE action='deleted' AND at < ?)",
            (cutoff,),
        )
        await self._db.commit()

    async def forget(self, code: str) -> None:
        """Drop a case's trail (its retention is over)."""
        await self._db.execute("DELETE FROM case_audit WHERE code=?", (code.upper(),))
        await self._db.commit()
