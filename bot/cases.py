"""Whistleblower cases: anonymous reports, two-way follow-up, deadlines and retention, encrypted at rest.

No reporter identity is ever stored: a case has a random case code and a separately generated
passphrase that only the reporter sees, once. The database holds:
- the passphrase only as an argon2id hash (a slow, salted hash), with failed attempts rate limited;
- every message (the report, added information, handlers' answers) sealed (libsodium sealed boxes)
  to the whistleblower function's public key, and to a per-case reporter key whose secret half is
  itself encrypted with a key derived from the passphrase, so that only the passphrase opens the answers;
- posts waiting for their random delay, encrypted with the outbox key kept in a file beside the database.
The database file alone therefore reveals no report text and no answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiosqlite
import nacl.exceptions
import nacl.public
import nacl.pwhash
import nacl.secret
import nacl.utils

from bot.audit import Audit
from bot.case_queue import PostQueue
from bot.case_secrets import MEM, OPS, as_typed, kdf, new_code, new_passphrase
from bot.keys import CaseError, Keys
from bot.migrate import migrate

__all__ = ["CaseError", "CaseInfo", "Cases", "Keys", "NewCase"]
DAY = 86400.0

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    code TEXT PRIMARY KEY, org TEXT NOT NULL, status TEXT NOT NULL, created REAL NOT NULL,
    acknowledged REAL, feedback REAL, closed REAL, pass_hash BLOB NOT NULL, kdf_salt BLOB NOT NULL,
    reporter_pub BLOB NOT NULL, reporter_secret BLOB NOT NULL, thread TEXT,
    failures INTEGER NOT NULL DEFAULT 0, locked_until REAL NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS case_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL, author TEXT NOT NULL, created REAL NOT NULL,
    for_function BLOB NOT NULL, for_reporter BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS case_reminders (code TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (code, kind));
"""
STEPS = [SCHEMA]  # schema versions (bot/migrate.py): append a step to change a table, never edit one

STATUSES = ("received", "acknowledged", "feedback_given", "closed")
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60


@dataclass(frozen=True, slots=True)
class NewCase:
    """What the reporter is shown once: the case code and the passphrase."""

    code: str
    passphrase: str


@dataclass(frozen=True, slots=True)
class CaseInfo:
    """A case's public facts: no text."""

    code: str
    org: str
    status: str
    created: float
    acknowledged: float | None
    feedback: float | None
    closed: float | None
    thread: str | None


def _seal(key: nacl.public.PublicKey, text: str) -> bytes:
    return nacl.public.SealedBox(key).encrypt(text.encode())


class Cases:
    """Case storage on the bot's SQLite database (its own tables), with the outbox key beside it."""

    def __init__(self, db: aiosqlite.Connection, keys: Keys, audit: Audit, clock: Any = time.time) -> None:
        self._db = db
        self.keys = keys
        self.audit = audit
        self.posts = PostQueue(db, keys.local_box)
        self.clock = clock

    @classmethod
    async def open(cls, db: aiosqlite.Connection, home: Path, clock: Any = time.time) -> Cases:
        await migrate(db, "cases", STEPS)
        await PostQueue.create_tables(db)
        return cls(db, Keys(home / "keys", home), await Audit.open(db, clock), clock)

    def _day(self) -> float:
        """Today, as a stored time: a case's times are days, so they cannot be lined up with a person."""
        now = self.clock()
        return now - now % DAY

    # -- creating and reading cases -------------------------------------------------------------

    async def create(self, org: str, report: str, delay: float) -> NewCase:
        """Store a confirmed report as a new case and queue its post; one transaction, all or nothing."""
        function_key = self.keys.public(org)
        passphrase = new_passphrase()
        salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
        reporter = nacl.public.PrivateKey.generate()
        locked = nacl.secret.SecretBox(kdf(passphrase, salt)).encrypt(bytes(reporter))
        pass_hash = nacl.pwhash.argon2id.str(passphrase.encode(), opslimit=OPS, memlimit=MEM)
        now = self._day()
        for _ in range(10):
            code = new_code()
            async with self._db.execute("SELECT 1 FROM cases WHERE code=?", (code,)) as cur:
                if await cur.fetchone() is None:
                    break
        else:  # pragma: no cover - 40 random bits colliding ten times
            raise CaseError("could not make a unique case code")
        try:
            await self._db.execute(
                "INSERT INTO cases(code, org, status, created, pass_hash, kdf_salt, reporter_pub, reporter_secret)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (code, org, "received", now, pass_hash, salt, bytes(reporter.public_key), locked),
            )
            await self._add_message(code, "reporter", report, function_key, reporter.public_key, now)
            await self.posts.add(org, code, "report", {"code": code, "text": report}, self.clock() + delay)
            await self.audit.record(code, "received", "bot", commit=False)
            await self._db.commit()
        except BaseException:
            await self._db.rollback()
            raise
        return NewCase(code, passphrase)

    async def _add_message(
        self,
        code: str,
        author: str,
        text: str,
        function_key: nacl.public.PublicKey,
        reporter_key: nacl.public.PublicKey,
        now: float,
    ) -> None:
        await self._db.execute(
            "INSERT INTO case_messages(code, author, created, for_function, for_reporter) VALUES (?,?,?,?,?)",
            (code, author, now, _seal(function_key, text), _seal(reporter_key, text)),
        )

    async def info(self, code: str) -> CaseInfo | None:
        async with self._db.execute(
            "SELECT code, org, status, created, acknowledged, feedback, closed, thread FROM cases WHERE code=?",
            (code.upper(),),
        ) as cur:
            row = await cur.fetchone()
        return CaseInfo(*row) if row else None

    async def list(self, org: str | None = None) -> list[CaseInfo]:
        sql = "SELECT code, org, status, created, acknowledged, feedback, closed, thread FROM cases"
        args: tuple[Any, ...] = ()
        if org:
            sql += " WHERE org=?"
            args = (org,)
        async with self._db.execute(sql + " ORDER BY created", args) as cur:
            return [CaseInfo(*r) for r in await cur.fetchall()]

    async def unlock(self, code: str, passphrase: str) -> nacl.public.PrivateKey:
        """The reporter's key for the case, if the passphrase is right; wrong ones are rate limited."""
        async with self._db.execute(
            "SELECT pass_hash, kdf_salt, reporter_secret, failures, locked_until FROM cases WHERE code=?",
            (code.upper(),),
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            raise CaseError("unknown")
        pass_hash, salt, locked, failures, locked_until = row
        now = self.clock()
        if locked_until > now:
            raise CaseError("locked")
        try:
            nacl.pwhash.verify(pass_hash, as_typed(passphrase).encode())
        except nacl.exceptions.InvalidkeyError:
            failures += 1
            until = now + LOCK_SECONDS if failures >= MAX_FAILURES else 0
            await self._db.execute(
                "UPDATE cases SET failures=?, locked_until=? WHERE code=?",
                (0 if until else failures, until, code.upper()),
            )
            await self._db.commit()
            raise CaseError("wrong") from None
        if failures:
            await self._db.execute("UPDATE cases SET failures=0 WHERE code=?", (code.upper(),))
            await self._db.commit()
        box = nacl.secret.SecretBox(kdf(as_typed(passphrase), salt))
        return nacl.public.PrivateKey(box.decrypt(locked))

    async def _messages(self, code: str, key: nacl.public.PrivateKey, column: str) -> list[tuple[str, float, str]]:
        box = nacl.public.SealedBox(key)
        async with self._db.execute(
            f"SELECT author, created, {column} FROM case_messages WHERE code=? ORDER BY id",
            (code.upper(),),
        ) as cur:
            rows = await cur.fetchall()
        try:
            return [(a, t, box.decrypt(b).decode()) for a, t, b in rows]
        except nacl.exceptions.CryptoError as exc:
            raise CaseError("that key does not open this case") from exc

    async def messages_for_reporter(self, code: str, key: nacl.public.PrivateKey) -> list[tuple[str, float, str]]:
        """(author, time, text) of every message on the case, opened with the reporter's key."""
        return await self._messages(code, key, "for_reporter")

    async def messages_for_function(self, code: str, key: nacl.public.PrivateKey) -> list[tuple[str, float, str]]:
        """(author, time, text) of every message on the case, opened with the function's secret key."""
        return await self._messages(code, key, "for_function")

    async def _reporter_pub(self, code: str) -> tuple[str, nacl.public.PublicKey]:
        async with self._db.execute("SELECT org, reporter_pub FROM cases WHERE code=?", (code.upper(),)) as cur:
            row = await cur.fetchone()
        if row is None:
            raise CaseError("unknown")
        return row[0], nacl.public.PublicKey(row[1])

    async def add_from_reporter(self, code: str, text: str, delay: float) -> None:
        """More information from the reporter: stored sealed and queued (after `delay` seconds) for the
        handlers' thread."""
        org, reporter_pub = await self._reporter_pub(code)
        info = await self.info(code)
        if info is None or info.status == "closed":
            raise CaseError("closed")
        await self._add_message(code.upper(), "reporter", text, self.keys.public(org), reporter_pub, self._day())
        await self.posts.add(org, code.upper(), "addition", {"code": code.upper(), "text": text}, self.clock() + delay)
        await self.audit.record(code, "addition", "bot", commit=False)
        await self._db.commit()

    async def answer(self, code: str, text: str, via: str = "cli") -> None:
        """A handler's answer: stored sealed for the reporter (and the function); feedback is now given."""
        org, reporter_pub = await self._reporter_pub(code)
        info = await self.info(code)
        if info and info.status == "closed":
            raise CaseError("closed")
        now = self._day()
        await self._add_message(code.upper(), "handler", text, self.keys.public(org), reporter_pub, now)
        await self._db.execute(
            "UPDATE cases SET status='feedback_given', feedback=COALESCE(feedback, ?),"
            " acknowledged=COALESCE(acknowledged, ?) WHERE code=?",
            (now, now, code.upper()),
        )
        await self.audit.record(code, "replied", via, commit=False)
        await self._db.commit()

    async def set_status(self, code: str, status: str, via: str = "cli") -> None:
        if status not in STATUSES:
            raise CaseError(f"status must be one of {', '.join(STATUSES)}")
        if await self.info(code) is None:
            raise CaseError("unknown")
        now = self._day()
        column = {"acknowledged": "acknowledged", "feedback_given": "feedback", "closed": "closed"}.get(status)
        sql = "UPDATE cases SET status=?" + (f", {column}=COALESCE({column}, ?)" if column else "") + " WHERE code=?"
        await self._db.execute(sql, (status, now, code.upper()) if column else (status, code.upper()))
        if status != "received":
            await self.audit.record(code, status, via, commit=False)
        await self._db.commit()

    async def set_thread(self, code: str, thread: str) -> None:
        await self._db.execute("UPDATE cases SET thread=? WHERE code=?", (thread, code.upper()))
        await self._db.commit()

    async def by_thread(self, thread: str) -> str | None:
        async with self._db.execute("SELECT code FROM cases WHERE thread=?", (thread,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def delete(self, code: str, via: str = "cli") -> bool:
        """Delete a case and everything about it at once; its audit trail records the deletion."""
        code = code.upper()
        cur = await self._db.execute("DELETE FROM cases WHERE code=?", (code,))
        for table in ("case_messages", "pending_posts", "case_reminders"):
            await self._db.execute(f"DELETE FROM {table} WHERE code=?", (code,))
        if cur.rowcount > 0:
            await self.audit.record(code, "deleted", via, commit=False)
        await self._db.commit()
        return cur.rowcount > 0

    async def shown(self, code: str, via: str = "cli") -> None:
        """A handler opened the case: the trail says so."""
        await self.audit.record(code, "shown", via)

    async def purge_closed(self, keep_days: float, now: float | None = None) -> list[str]:
        """Delete closed cases older than `keep_days` after closing; returns their codes."""
        cutoff = (self.clock() if now is None else now) - keep_days * 86400
        async with self._db.execute("SELECT code FROM cases WHERE status='closed' AND closed < ?", (cutoff,)) as cur:
            codes = [r[0] for r in await cur.fetchall()]
        for code in codes:
            await self.delete(code, via="bot")
        await self.audit.purge_deleted(keep_days, self.clock() if now is None else now)
        return codes

    async def reminder_sent(self, code: str, kind: str) -> bool:
        """Mark a deadline reminder as sent; False if it already was (so it is sent exactly once)."""
        cur = await self._db.execute("INSERT OR IGNORE INTO case_reminders(code, kind) VALUES (?,?)", (code, kind))
        await self._db.commit()
        return cur.rowcount > 0
