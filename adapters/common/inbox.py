"""The durable inbox: what a chat platform sent, recorded before the acknowledgement, answered once.

Slack delivers events at least once (a retry carries the same event id) and a signed request can be
replayed for five minutes; the bot promises exactly one answer. So, before a request is acknowledged:

- its key (a platform's event id, or a fingerprint of a slash command or a click) is inserted here
  with an expiry; a key that is already here is a repeat, acknowledged and not answered again, also
  after a restart;
- for what is answered after the acknowledgement (events, commands), the request itself is kept,
  sealed (it holds what the person typed), and marked owed; the answer marks it done and drops it.
  What is still owed when the server starts again (acknowledged, then lost in a crash) is handed to
  the adapter's `resume` callback once, by whichever process claims it.

The table is the inbox's own (`inbox`, schema version `SCHEMA`), in the bot's SQLite database.
Keys are event ids and hashes, never user ids; the sealed request is deleted when it is answered.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiosqlite
import nacl.exceptions
import nacl.secret

log = logging.getLogger(__name__)

SCHEMA = 1
DDL = (
    "CREATE TABLE IF NOT EXISTS inbox ("
    " key TEXT PRIMARY KEY,"  # `<platform>:<event id>` or `<platform>:<kind>:<sha256>`
    " received REAL NOT NULL,"
    " expires REAL NOT NULL,"
    " state TEXT NOT NULL,"  # owed, resuming, done
    " sealed BLOB)",  # the request, for an owed answer (SecretBox); NULL once answered
    "CREATE INDEX IF NOT EXISTS inbox_owed ON inbox(state, received)",
    "CREATE TABLE IF NOT EXISTS inbox_schema (version INTEGER NOT NULL)",
)
PURGE_EVERY = 60.0  # seconds between deletions of expired keys


def fingerprint(*parts: str) -> str:
    """A short hash that recognises a replayed request without keeping what it said."""
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()[:40]


class Inbox:
    """Accepted requests and owed answers, in SQLite (`db` is the bot's connection, `key` 32 secret bytes)."""

    def __init__(self, db: aiosqlite.Connection, key: bytes, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        self._box = nacl.secret.SecretBox(hashlib.blake2b(key, digest_size=32, person=b"conductbot-inbox").digest())
        self._purged = 0.0
        self.started = clock()
        self.counts: dict[str, int] = {"accepted": 0, "repeated": 0, "resumed": 0}

    async def setup(self) -> None:
        """Create the table (a newer schema than this code knows is refused)."""
        for statement in DDL:
            await self.db.execute(statement)
        async with self.db.execute("SELECT MAX(version) FROM inbox_schema") as cur:
            row = await cur.fetchone()
        version = row[0] if row else None
        if version is None:
            await self.db.execute("INSERT INTO inbox_schema VALUES (?)", (SCHEMA,))
        elif version > SCHEMA:
            raise RuntimeError(f"the inbox table has schema {version}; this version of the bot knows {SCHEMA}")
        await self.db.commit()

    async def accept(self, key: str, ttl: float, request: bytes | None = None) -> bool:
        """Record `key` (and, when an answer is owed, the `request`); False when it was already here."""
        now = self.clock()
        if now - self._purged > PURGE_EVERY:
            self._purged = now
            await self._write("DELETE FROM inbox WHERE expires < ? AND state != 'owed'", (now,))
        sealed = self._box.encrypt(request) if request is not None else None
        cur = await self._write(
            "INSERT OR IGNORE INTO inbox(key, received, expires, state, sealed) VALUES (?, ?, ?, ?, ?)",
            (key, now, now + ttl, "owed" if request is not None else "done", sealed),
        )
        fresh = cur.rowcount == 1
        self.counts["accepted" if fresh else "repeated"] += 1
        return fresh

    async def done(self, key: str) -> None:
        """The owed answer was given: keep only the key (for repeats) until it expires."""
        await self._write("UPDATE inbox SET state = 'done', sealed = NULL WHERE key = ?", (key,))

    async def _write(self, sql: str, params: tuple[Any, ...]) -> aiosqlite.Cursor:
        """One statement, committed at once, unless another part of the bot has a transaction open on the
        shared connection (cases.create): then it joins that one, so as not to commit half of it."""
        joined = self.db.in_transaction
        cur = await self.db.execute(sql, params)
        if not joined:
            await self.db.commit()
        return cur

    async def owed(self) -> list[tuple[str, bytes]]:
        """Claim what was owed before this process started: (key, request) pairs, each claimed once."""
        async with self.db.execute(
            "SELECT key FROM inbox WHERE state = 'owed' AND received < ? ORDER BY received", (self.started,)
        ) as cur:
            keys = [str(r[0]) for r in await cur.fetchall()]
        claimed: list[tuple[str, bytes]] = []
        for key in keys:
            cur = await self.db.execute(
                "UPDATE inbox SET state = 'resuming' WHERE key = ? AND state = 'owed' RETURNING sealed", (key,)
            )
            row = await cur.fetchone()
            await self.db.commit()
            if row is None or row[0] is None:
                continue
            try:
                claimed.append((key, self._box.decrypt(bytes(row[0]))))
            except nacl.exceptions.CryptoError:
                log.warning("an owed request could not be opened (another key); dropped")
                await self.done(key)
        return claimed

    async def resume(self, answer: Callable[[str, bytes], Awaitable[Any]]) -> int:
        """Answer what a crash left owed (`answer(key, request)` must end with `done(key)`); returns how many."""
        n = 0
        for key, request in await self.owed():
            try:
                await answer(key, request)
            except Exception:
                log.exception("an owed answer failed")  # no request content in the traceback's message
                await self.done(key)
            n += 1
        self.counts["resumed"] += n
        if n:
            log.info("answered %d requests owed from before the restart", n)
        return n


def secret_key(store: Any) -> bytes:
    """The inbox's key, derived from the store's keyed pseudonyms (so it lives where that secret lives)."""
    return bytes.fromhex(store.pseudonym("conductbot", "inbox-key", "v1"))
