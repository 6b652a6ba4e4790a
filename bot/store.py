"""State in SQLite: profiles, conversation state, feedback and unanswered questions.

Privacy: platform user ids and conversation ids never reach the database. They are replaced by a
keyed hash (HMAC-SHA256 with a secret kept beside the database), so a profile survives restarts
but the file alone does not say who anyone is. Questions kept for HR (abstained or 👎) are stored
as text only, with organisation and role, never with a user.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from bot.migrate import migrate

SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (
    user_key TEXT PRIMARY KEY, org TEXT, role TEXT, lang TEXT, asked_role INTEGER DEFAULT 0,
    updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (
    conv_key TEXT PRIMARY KEY, state TEXT NOT NULL, updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    answer_id TEXT PRIMARY KEY, org TEXT, role TEXT, lang TEXT, question TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS unanswered (
    id INTEGER PRIMARY KEY AUTOINCREMENT, org TEXT, role TEXT, lang TEXT, question TEXT NOT NULL,
    reason TEXT NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT, answer_id TEXT, helpful INTEGER NOT NULL, created REAL NOT NULL);
"""
STEPS = [SCHEMA]  # schema versions (bot/migrate.py): append a step to change a table, never edit one


@dataclass(frozen=True, slots=True)
class Profile:
    """Who a person is to the bot: organisation, role, preferred language."""

    org: str | None = None
    role: str | None = None
    lang: str | None = None
    asked_role: bool = False


def _secret(home: Path) -> bytes:
    path = home / "pseudonym.key"
    if path.exists():
        return path.read_bytes()
    home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


class Store:
    """Async SQLite store; open with `await Store.open(path)`, close with `await store.close()`."""

    def __init__(self, db: aiosqlite.Connection, key: bytes, clock: Any = time.time) -> None:
        self._db = db
        self._key = key
        self.clock = clock

    @classmethod
    async def open(cls, path: Path, clock: Any = time.time, memory: bool = False) -> Store:
        """Open (creating if needed) the database at `path`; the pseudonym key lives beside it.

        With `memory`, nothing is written to disk: a throw-away database for one-off answers (`ask`).
        """
        if memory:
            db = await aiosqlite.connect(":memory:")
            key = secrets.token_bytes(32)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            db = await aiosqlite.connect(path)
            await db.execute("PRAGMA journal_mode=WAL")
            await db.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the process
            key = _secret(path.parent)
        try:
            await migrate(db, "store", STEPS)
        except BaseException:
            await db.close()  # an open connection's thread would keep the process alive
            raise
        return cls(db, key, clock)

    @property
    def db(self) -> aiosqlite.Connection:
        """The connection, shared with the case store (bot/cases.py)."""
        return self._db

    async def close(self) -> None:
        await self._db.close()

    def pseudonym(self, *parts: str) -> str:
        """A stable keyed hash of platform identifiers; the identifiers themselves are never stored."""
        msg = "\x1f".join(parts).encode()
        return hmac.new(self._key, msg, hashlib.sha256).hexdigest()[:32]

    # -- profiles --------------------------------------------------------------------------------

    async def profile(self, user_key: str) -> Profile:
        async with self._db.execute(
            "SELECT org, role, lang, asked_role FROM profiles WHERE user_key=?", (user_key,)
        ) as cur:
            row = await cur.fetchone()
        return Profile(row[0], row[1], row[2], bool(row[3])) if row else Profile()

    async def save_profile(self, user_key: str, profile: Profile) -> None:
        await self._db.execute(
            "INSERT INTO profiles(user_key, org, role, lang, asked_role, updated) VALUES (?,?,?,?,?,?) "
            "ON CONFLICT(user_key) DO UPDATE SET org=excluded.org, role=excluded.role, lang=excluded.lang, "
            "asked_role=excluded.asked_role, updated=excluded.updated",
            (user_key, profile.org, profile.role, profile.lang, int(profile.asked_role), self.clock()),
        )
        await self._db.commit()

    # -- conversation state ----------------------------------------------------------------------

    async def state(self, conv_key: str, ttl_seconds: float) -> dict[str, Any]:
        """The conversation's state, or {} when there is none or it has been idle too long."""
        async with self._db.execute("SELECT state, updated FROM conversations WHERE conv_key=?", (conv_key,)) as cur:
            row = await cur.fetchone()
        if not row:
            return {}
        if self.clock() - row[1] > ttl_seconds:
            await self.clear_state(conv_key)
            return {}
        return dict(json.loads(row[0]))

    async def save_state(self, conv_key: str, state: dict[str, Any]) -> None:
        if not state:
            await self.clear_state(conv_key)
            return
        await self._db.execute(
            "INSERT INTO conversations(conv_key, state, updated) VALUES (?,?,?) "
            "ON CONFLICT(conv_key) DO UPDATE SET state=excluded.state, updated=excluded.updated",
            (conv_key, json.dumps(state, ensure_ascii=False), self.clock()),
        )
        await self._db.commit()

    async def clear_state(self, conv_key: str) -> None:
        await self._db.execute("DELETE FROM conversations WHERE conv_key=?", (conv_key,))
        await self._db.commit()

    # -- feedback and unanswered questions ------------------------------------------------------

    async def remember_answer(self, org: str, role: str | None, lang: str, question: str) -> str:
        """Keep a policy answer's question (no user) so that a 👎 can be tied to it; returns its id."""
        answer_id = secrets.token_hex(8)
        await self._db.execute(
            "INSERT INTO answers(answer_id, org, role, lang, question, created) VALUES (?,?,?,?,?,?)",
            (answer_id, org, role, lang, question, self.clock()),
        )
        await self._db.commit()
        return answer_id

    async def add_unanswered(self, org: str, role: str | None, lang: str, question: str, reason: str) -> None:
        await self._db.execute(
            "INSERT INTO unanswered(org, role, lang, question, reason, created) VALUES (?,?,?,?,?,?)",
            (org, role, lang, question, reason, self.clock()),
        )
        await self._db.commit()

    async def feedback(self, answer_id: str, helpful: bool) -> bool:
        """Record 👍/👎 for an answer; a 👎 puts its question on the unanswered list. False if unknown."""
        async with self._db.execute(
            "SELECT org, role, lang, question FROM answers WHERE answer_id=?", (answer_id,)
        ) as cur:
            row = await cur.fetchone()
        if not row:
            return False
        await self._db.execute(
            "INSERT INTO feedback(answer_id, helpful, created) VALUES (?,?,?)", (answer_id, int(helpful), self.clock())
        )
        if not helpful:
            await self.add_unanswered(row[0], row[1], row[2], row[3], "thumbs_down")
        await self._db.commit()
        return True

    async def unanswered(self, org: str | None = None) -> list[tuple[str, str, str, int]]:
        """(organisation, reason, question, count) for questions abstained on or marked 👎, most frequent first."""
        sql = "SELECT org, reason, lower(trim(question)), count(*) FROM unanswered"
        args: tuple[Any, ...] = ()
        if org:
            sql += " WHERE org=?"
            args = (org,)
        sql += " GROUP BY org, reason, lower(trim(question)) ORDER BY count(*) DESC, 3"
        async with self._db.execute(sql, args) as cur:
            rows = await cur.fetchall()
        return [(r[0], r[1], r[2], int(r[3])) for r in rows]

    async def purge(self, keep_days: float, ttl_seconds: float) -> None:
        """Delete unanswered questions and answer records older than `keep_days`, and idle conversations."""
        now = self.clock()
        cutoff = now - keep_days * 86400
        await self._db.execute("DELETE FROM unanswered WHERE created < ?", (cutoff,))
        await self._db.execute("DELETE FROM answers WHERE created < ?", (cutoff,))
        await self._db.execute("DELETE FROM feedback WHERE created < ?", (cutoff,))
        await self._db.execute("DELETE FROM conversations WHERE updated < ?", (now - ttl_seconds,))
        await self._db.commit()
