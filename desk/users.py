"""The desk's users: an organisation, a role (handler or hr) and a passphrase, under a keyed hash of the name.

A user's row holds no passphrase and no plain secret: a key derived from the passphrase with argon2id
(a slow, salted hash) opens a SecretBox that holds the user's organisation and role and, for a case
handler, the whistleblower function's secret key. A login is the box opening; the opened key lives
only in the server-side session (desk/sessions.py). The login name is stored as a keyed hash (the
bot's pseudonym key), like every other id, so the database does not say who the handlers are.

Wrong passphrases are counted per user in the row (so a restart does not reset them): after
`max_failures` the user is locked for `lock_seconds`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiosqlite
import nacl.exceptions
import nacl.public
import nacl.pwhash
import nacl.secret
import nacl.utils

from bot.migrate import migrate

SCHEMA = """
CREATE TABLE IF NOT EXISTS desk_users (
    name_key TEXT PRIMARY KEY, org TEXT NOT NULL, role TEXT NOT NULL, salt BLOB NOT NULL, sealed BLOB NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0, locked_until REAL NOT NULL DEFAULT 0, created REAL NOT NULL);
"""
STEPS = [SCHEMA]  # schema versions (bot/migrate.py): append a step, never edit one
ROLES = ("handler", "hr")
OPS = nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE
MEM = nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE
MIN_PASSPHRASE = 12
_SEP = b"\x1f"


class LoginError(ValueError):
    """A login that did not succeed: `wrong` (unknown name or wrong passphrase) or `locked`."""


@dataclass(frozen=True, slots=True)
class Unlocked:
    """What a right passphrase opens: the user's organisation and role, and a handler's secret key."""

    name_key: str
    org: str
    role: str
    secret: nacl.public.PrivateKey | None


def _kdf(passphrase: str, salt: bytes) -> bytes:
    size = nacl.secret.SecretBox.KEY_SIZE
    return nacl.pwhash.argon2id.kdf(size, passphrase.encode(), salt, opslimit=OPS, memlimit=MEM)


def _payload(org: str, role: str, secret: nacl.public.PrivateKey | None) -> bytes:
    return org.encode() + _SEP + role.encode() + _SEP + (bytes(secret) if secret is not None else b"")


class DeskUsers:
    """The `desk_users` table on the bot's database."""

    def __init__(self, db: aiosqlite.Connection, name_key: Callable[[str], str], clock: Callable[[], float]) -> None:
        self._db = db
        self._name_key = name_key
        self.clock = clock
        self._kdf_slots = asyncio.Semaphore(2)  # argon2id takes 64 MB and a core: at most two at once

    @classmethod
    async def open(
        cls, db: aiosqlite.Connection, name_key: Callable[[str], str], clock: Callable[[], float] = time.time
    ) -> DeskUsers:
        await migrate(db, "desk", STEPS)
        return cls(db, name_key, clock)

    async def _derive(self, passphrase: str, salt: bytes) -> bytes:
        async with self._kdf_slots:  # slow on purpose: in a thread, never on the event loop
            return await asyncio.to_thread(_kdf, passphrase, salt)

    async def add(self, name: str, org: str, role: str, passphrase: str, secret: nacl.public.PrivateKey | None) -> None:
        """Add a user, or replace the one with this name (a new passphrase, another organisation)."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}")
        if (role == "handler") != (secret is not None):
            raise ValueError("a handler needs the function's secret key; HR never gets it")
        if len(passphrase) < MIN_PASSPHRASE:
            raise ValueError(f"the passphrase must be at least {MIN_PASSPHRASE} characters")
        salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
        box = nacl.secret.SecretBox(await self._derive(passphrase, salt))
        sealed = box.encrypt(_payload(org, role, secret))
        now = self.clock()
        await self._db.execute(
            "INSERT OR REPLACE INTO desk_users(name_key, org, role, salt, sealed, failures, locked_until, created)"
            " VALUES (?,?,?,?,?,0,0,?)",
            (self._name_key(name), org, role, salt, bytes(sealed), now - now % 86400),
        )
        await self._db.commit()

    async def remove(self, name: str) -> bool:
        cur = await self._db.execute("DELETE FROM desk_users WHERE name_key=?", (self._name_key(name),))
        await self._db.commit()
        return cur.rowcount > 0

    async def list(self) -> list[tuple[str, str, float]]:
        """(org, role, day created) of every user; names are not stored, so not listed."""
        async with self._db.execute("SELECT org, role, created FROM desk_users ORDER BY org, role, created") as cur:
            return [(r[0], r[1], r[2]) for r in await cur.fetchall()]

    async def login(self, name: str, passphrase: str, max_failures: int, lock_seconds: float) -> Unlocked:
        """The user's organisation, role and key if the passphrase opens their box; LoginError otherwise."""
        key = self._name_key(name)
        async with self._db.execute(
            "SELECT org, role, salt, sealed, failures, locked_until FROM desk_users WHERE name_key=?", (key,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            await self._derive(passphrase, bytes(nacl.pwhash.argon2id.SALTBYTES))  # the same time as a real one
            raise LoginError("wrong")
        org, role, salt, sealed, failures, locked_until = row
        now = self.clock()
        if locked_until > now:
            raise LoginError("locked")
        try:
            opened = nacl.secret.SecretBox(await self._derive(passphrase, salt)).decrypt(sealed)
        except nacl.exceptions.CryptoError:
            failures += 1
            until = now + lock_seconds if failures >= max_failures else 0
            await self._db.execute(
                "UPDATE desk_users SET failures=?, locked_until=? WHERE name_key=?",
                (0 if until else failures, until, key),
            )
            await self._db.commit()
            raise LoginError("locked" if until else "wrong") from None
        got_org, got_role, raw = opened.split(_SEP, 2)
        if got_org.decode() != org or got_role.decode() != role:  # the row was changed behind the box's back
            raise LoginError("wrong")
        if failures:
            await self._db.execute("UPDATE desk_users SET failures=0 WHERE name_key=?", (key,))
            await self._db.commit()
        secret = nacl.public.PrivateKey(raw) if role == "handler" else None
        return Unlocked(key, org, role, secret)
