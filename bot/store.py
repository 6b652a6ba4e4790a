"""State in SQLite: profiles, conversation state, feedback and unanswered questions.

Privacy: platform user ids and conversation ids never reach the database. They are replaced by a
keyed hash (HMAC-SHA256 with a secret kept beside the database), so a profile survives restarts
but the file alone does not say who anyone is. No question is stored as typed: an answer keeps only
its passages and intent (for 👍/👎), and a question kept for HR is redacted first (bot/redact.py) and
stored with a theme key and a token telling askers apart, never with a user. Stored times are coarse
(the day; the hour for conversation state) so that they cannot be lined up with a report.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite

from bot.keys import read_or_make
from bot.migrate import migrate

DAY = 86400.0
HOUR = 3600.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS profiles (
    user_key TEXT PRIMARY KEY, org TEXT, role TEXT, lang TEXT, asked_role INTEGER DEFAULT 0,
    updated REAL NOT NULL);
CREATE TABLE IF NOT EXISTS conversations (
    conv_key TEXT PRIMARY KEY, state TEXT NOT NULL, updated REAL NOT NULL, owner TEXT);
-- the plain-text question tables of earlier versions: their content goes
DROP TABLE IF EXISTS answers;
DROP TABLE IF EXISTS unanswered;
CREATE TABLE IF NOT EXISTS answered (
    answer_id TEXT PRIMARY KEY, org TEXT, role TEXT, lang TEXT, intent TEXT, passages TEXT NOT NULL,
    day REAL NOT NULL);
CREATE TABLE IF NOT EXISTS question_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, org TEXT, role TEXT, lang TEXT, reason TEXT NOT NULL,
    text TEXT, theme TEXT NOT NULL, asker TEXT NOT NULL, passages TEXT NOT NULL DEFAULT '', day REAL NOT NULL);
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


def private_dir(path: Path) -> Path:
    """The data directory, created 0700 (and made so when it exists with looser rights)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def _secret(home: Path) -> bytes:
    private_dir(home)
    return read_or_make(home / "pseudonym.key", lambda: secrets.token_bytes(32))


async def _add_column(db: aiosqlite.Connection, table: str, column: str, decl: str) -> None:
    """Add a column that an older database lacks."""
    async with db.execute(f"PRAGMA table_info({table})") as cur:
        names = {row[1] for row in await cur.fetchall()}
    if column not in names:
        await db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")


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
            key = _secret(path.parent)  # before the connection: a failure here must not leave its thread running
            # several processes may share the directory (a server and the admin commands): wait for their locks
            db = await aiosqlite.connect(path, timeout=30)
        try:
            if not memory:
                await db.execute("PRAGMA journal_mode=WAL")
                await db.execute("PRAGMA synchronous=NORMAL")  # durable across crashes of the process
            await db.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left in free pages
            await migrate(db, "store", STEPS)
            await _add_column(db, "conversations", "owner", "TEXT")  # a database from before the owner column
            await db.commit()
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

    async def has_table(self, name: str) -> bool:
        """True when the database has this table (one an adapter or a later step creates)."""
        async with self._db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)) as cur:
            return await cur.fetchone() is not None

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
            (user_key, profile.org, profile.role, profile.lang, int(profile.asked_role), coarse(self.clock())),
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

    async def save_state(self, conv_key: str, state: dict[str, Any], owner: str | None = None) -> None:
        """Keep a conversation's state (never message text: flows keep ids, steps and answers); `owner`
        is the pseudonym of the person who last wrote in it, so that `forget` can find it."""
        if not state:
            await self.clear_state(conv_key)
            return
        await self._db.execute(
            "INSERT INTO conversations(conv_key, state, updated, owner) VALUES (?,?,?,?) "
            "ON CONFLICT(conv_key) DO UPDATE SET state=excluded.state, updated=excluded.updated, owner=excluded.owner",
            (conv_key, json.dumps(state, ensure_ascii=False), coarse(self.clock(), HOUR), owner),
        )
        await self._db.commit()

    async def clear_state(self, conv_key: str) -> None:
        await self._db.execute("DELETE FROM conversations WHERE conv_key=?", (conv_key,))
        await self._db.commit()

    # -- feedback and the questions kept for HR --------------------------------------------------

    def asker(self, user_key: str) -> str:
        """A short keyed token that tells different askers apart (to count people per theme), and
        nothing else: it is not the profile's key and it cannot be turned back into an id."""
        return hmac.new(self._key, b"asker\x1f" + user_key.encode(), hashlib.sha256).hexdigest()[:12]

    async def remember_answer(self, org: str, role: str | None, lang: str, intent: str, passages: list[str]) -> str:
        """Keep what a 👍/👎 needs about an answer (its passages, intent, the day), never the question;
        returns the answer's id."""
        answer_id = secrets.token_hex(8)
        await self._db.execute(
            "INSERT INTO answered(answer_id, org, role, lang, intent, passages, day) VALUES (?,?,?,?,?,?,?)",
            (answer_id, org, role, lang, intent, json.dumps(passages, ensure_ascii=False), coarse(self.clock())),
        )
        await self._db.commit()
        return answer_id

    async def add_question(self, entry: QuestionEntry) -> None:
        """Store one reduced question (already redacted) or one 👎 for HR's list."""
        await self._db.execute(
            "INSERT INTO question_log(org, role, lang, reason, text, theme, asker, passages, day)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (
                entry.org,
                entry.role,
                entry.lang,
                entry.reason,
                entry.text,
                entry.theme,
                entry.asker,
                json.dumps(list(entry.passages), ensure_ascii=False),
                coarse(self.clock()),
            ),
        )
        await self._db.commit()

    async def answer_passages(self, answer_id: str) -> tuple[str, str | None, str, list[str]] | None:
        """(org, role, lang, passages) of a remembered answer, or None when it is unknown or expired."""
        async with self._db.execute(
            "SELECT org, role, lang, passages FROM answered WHERE answer_id=?", (answer_id,)
        ) as cur:
            row = await cur.fetchone()
        return (row[0], row[1], row[2], list(json.loads(row[3]))) if row else None

    async def feedback(self, answer_id: str, helpful: bool) -> bool:
        """Record 👍/👎 for an answer (the day only). False if the answer is unknown."""
        if await self.answer_passages(answer_id) is None:
            return False
        await self._db.execute(
            "INSERT INTO feedback(answer_id, helpful, created) VALUES (?,?,?)",
            (answer_id, int(helpful), coarse(self.clock())),
        )
        await self._db.commit()
        return True

    async def questions(self, org: str | None = None) -> list[QuestionEntry]:
        """Every kept question entry (reduced), oldest first."""
        sql = "SELECT org, role, lang, reason, text, theme, asker, passages, day FROM question_log"
        args: tuple[Any, ...] = ()
        if org:
            sql += " WHERE org=?"
            args = (org,)
        async with self._db.execute(sql + " ORDER BY id", args) as cur:
            rows = await cur.fetchall()
        return [QuestionEntry(r[0], r[1], r[2], r[3], r[4], r[5], r[6], tuple(json.loads(r[7])), r[8]) for r in rows]

    async def purge(self, keep_days: float, ttl_seconds: float, profile_days: float | None = None) -> None:
        """Delete kept questions, answer records and feedback older than `keep_days`, idle conversations,
        and profiles not used for `profile_days`."""
        now = self.clock()
        cutoff = now - keep_days * 86400
        await self._db.execute("DELETE FROM question_log WHERE day < ?", (cutoff,))
        await self._db.execute("DELETE FROM answered WHERE day < ?", (cutoff,))
        await self._db.execute("DELETE FROM feedback WHERE created < ?", (cutoff,))
        await self._db.execute("DELETE FROM conversations WHERE updated < ?", (now - ttl_seconds - HOUR,))
        if profile_days is not None:
            await self._db.execute("DELETE FROM profiles WHERE updated < ?", (now - profile_days * 86400,))
        await self._db.commit()

    async def forget(self, user_key: str) -> int:
        """Delete one person's profile and the conversations they last wrote in; returns rows deleted."""
        n = 0
        for sql in ("DELETE FROM profiles WHERE user_key=?", "DELETE FROM conversations WHERE owner=?"):
            cur = await self._db.execute(sql, (user_key,))
            n += max(cur.rowcount, 0)
        await self._db.commit()
        return n


@dataclass(frozen=True, slots=True)
class QuestionEntry:
    """One question kept for HR, reduced: redacted text (or none, for a 👎), its theme key, a token
    telling askers apart, the cited passages of a 👎, and the day."""

    org: str
    role: str | None
    lang: str
    reason: str
    text: str | None
    theme: str
    asker: str
    passages: tuple[str, ...] = ()
    day: float = 0.0


def coarse(ts: float, step: float = DAY) -> float:
    """A time rounded down to the day (or `step`): stored times must not say when someone wrote."""
    return ts - (ts % step)
