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

import json
import os
import secrets
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

from bot.migrate import migrate

SCHEMA = """
CREATE TABLE IF NOT EXISTS cases (
    code TEXT PRIMARY KEY, org TEXT NOT NULL, status TEXT NOT NULL, created REAL NOT NULL,
    acknowledged REAL, feedback REAL, closed REAL, pass_hash BLOB NOT NULL, kdf_salt BLOB NOT NULL,
    reporter_pub BLOB NOT NULL, reporter_secret BLOB NOT NULL, thread TEXT,
    failures INTEGER NOT NULL DEFAULT 0, locked_until REAL NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS case_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT, code TEXT NOT NULL, author TEXT NOT NULL, created REAL NOT NULL,
    for_function BLOB NOT NULL, for_reporter BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS pending_posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, org TEXT NOT NULL, code TEXT, kind TEXT NOT NULL, due REAL NOT NULL,
    payload BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS case_reminders (code TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY (code, kind));
"""
STEPS = [SCHEMA]  # schema versions (bot/migrate.py): append a step to change a table, never edit one

STATUSES = ("received", "acknowledged", "feedback_given", "closed")
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
OPS = nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE
MEM = nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE
MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60


class CaseError(ValueError):
    """A case operation that cannot be done, with a message fit to show."""


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


def new_code() -> str:
    """A random case code such as 'VB-7K3M-Q9TX' (40 bits; unique in the table)."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"VB-{raw[:4]}-{raw[4:]}"


def new_passphrase() -> str:
    """A high-entropy passphrase (5 groups of 5 characters: 125 bits), easy to copy."""
    raw = "".join(secrets.choice(_ALPHABET.lower()) for _ in range(25))
    return "-".join(raw[i : i + 5] for i in range(0, 25, 5))


def _key_file(path: Path, make: bool) -> bytes:
    if path.exists():
        return path.read_bytes()
    if not make:
        raise CaseError(f"key file {path} is missing")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


class Keys:
    """The whistleblower function's key pairs, one per organisation, under `<home>/keys/`.

    The bot needs only the public key. `conductbot keys` creates a pair; the secret key belongs to
    the case handlers and should be moved off the server (handlers pass it with --key).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def public_path(self, org: str) -> Path:
        return self.folder / f"{org}.public"

    def secret_path(self, org: str) -> Path:
        return self.folder / f"{org}.secret"

    def create(self, org: str, secret_out: Path | None = None) -> tuple[Path, Path]:
        """A new key pair for the organisation; refuses to overwrite an existing public key."""
        pub = self.public_path(org)
        if pub.exists():
            raise CaseError(f"{pub} exists; remove it first to make a new key pair")
        sk = nacl.public.PrivateKey.generate()
        self.folder.mkdir(parents=True, exist_ok=True)
        out = secret_out or self.secret_path(org)
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(bytes(sk))
        pub.write_bytes(bytes(sk.public_key))
        return pub, out

    def public(self, org: str, create: bool = True) -> nacl.public.PublicKey:
        """The organisation's public key; a local key pair is made on first use when `create`."""
        pub = self.public_path(org)
        if not pub.exists():
            if not create:
                raise CaseError(f"no key pair for '{org}': run `conductbot keys --org {org}`")
            self.create(org)
        return nacl.public.PublicKey(pub.read_bytes())

    @staticmethod
    def load_secret(path: Path) -> nacl.public.PrivateKey:
        try:
            return nacl.public.PrivateKey(Path(path).read_bytes())
        except (OSError, nacl.exceptions.CryptoError, TypeError, ValueError) as exc:
            raise CaseError(f"cannot read the secret key {path}: {exc}") from exc


def _kdf(passphrase: str, salt: bytes) -> bytes:
    return nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE, passphrase.encode(), salt, opslimit=OPS, memlimit=MEM
    )


def _seal(key: nacl.public.PublicKey, text: str) -> bytes:
    return nacl.public.SealedBox(key).encrypt(text.encode())


class Cases:
    """Case storage on the bot's SQLite database (its own tables), with the outbox key beside it."""

    def __init__(self, db: aiosqlite.Connection, keys: Keys, clock: Any = time.time) -> None:
        self._db = db
        self.keys = keys
        self._outbox: nacl.secret.SecretBox | None = None
        self.clock = clock

    @classmethod
    async def open(cls, db: aiosqlite.Connection, home: Path, clock: Any = time.time) -> Cases:
        await migrate(db, "cases", STEPS)
        return cls(db, Keys(home / "keys"), clock)

    @property
    def _box(self) -> nacl.secret.SecretBox:
        """The outbox key, read (or made) on first use."""
        if self._outbox is None:
            self._outbox = nacl.secret.SecretBox(_key_file(self.keys.folder / "outbox.key", make=True))
        return self._outbox

    # -- creating and reading cases -------------------------------------------------------------

    async def create(self, org: str, report: str, delay: float) -> NewCase:
        """Store a confirmed report as a new case and queue its post; one transaction, all or nothing."""
        function_key = self.keys.public(org)
        passphrase = new_passphrase()
        salt = nacl.utils.random(nacl.pwhash.argon2id.SALTBYTES)
        reporter = nacl.public.PrivateKey.generate()
        locked = nacl.secret.SecretBox(_kdf(passphrase, salt)).encrypt(bytes(reporter))
        pass_hash = nacl.pwhash.argon2id.str(passphrase.encode(), opslimit=OPS, memlimit=MEM)
        now = self.clock()
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
            await self._queue(org, code, "report", {"code": code, "text": report}, now + delay)
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
            nacl.pwhash.verify(pass_hash, passphrase.strip().lower().encode())
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
        box = nacl.secret.SecretBox(_kdf(passphrase.strip().lower(), salt))
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
        now = self.clock()
        await self._add_message(code.upper(), "reporter", text, self.keys.public(org), reporter_pub, now)
        await self._queue(org, code.upper(), "addition", {"code": code.upper(), "text": text}, now + delay)
        await self._db.commit()

    async def answer(self, code: str, text: str) -> None:
        """A handler's answer: stored sealed for the reporter (and the function); feedback is now given."""
        org, reporter_pub = await self._reporter_pub(code)
        info = await self.info(code)
        if info and info.status == "closed":
            raise CaseError("closed")
        now = self.clock()
        await self._add_message(code.upper(), "handler", text, self.keys.public(org), reporter_pub, now)
        await self._db.execute(
            "UPDATE cases SET status='feedback_given', feedback=COALESCE(feedback, ?),"
            " acknowledged=COALESCE(acknowledged, ?) WHERE code=?",
            (now, now, code.upper()),
        )
        await self._db.commit()

    async def set_status(self, code: str, status: str) -> None:
        if status not in STATUSES:
            raise CaseError(f"status must be one of {', '.join(STATUSES)}")
        if await self.info(code) is None:
            raise CaseError("unknown")
        now = self.clock()
        column = {"acknowledged": "acknowledged", "feedback_given": "feedback", "closed": "closed"}.get(status)
        sql = "UPDATE cases SET status=?" + (f", {column}=COALESCE({column}, ?)" if column else "") + " WHERE code=?"
        await self._db.execute(sql, (status, now, code.upper()) if column else (status, code.upper()))
        await self._db.commit()

    async def set_thread(self, code: str, thread: str) -> None:
        await self._db.execute("UPDATE cases SET thread=? WHERE code=?", (thread, code.upper()))
        await self._db.commit()

    async def by_thread(self, thread: str) -> str | None:
        async with self._db.execute("SELECT code FROM cases WHERE thread=?", (thread,)) as cur:
            row = await cur.fetchone()
        return row[0] if row else None

    async def delete(self, code: str) -> bool:
        """Delete a case and everything about it at once."""
        code = code.upper()
        cur = await self._db.execute("DELETE FROM cases WHERE code=?", (code,))
        for table in ("case_messages", "pending_posts", "case_reminders"):
            await self._db.execute(f"DELETE FROM {table} WHERE code=?", (code,))
        await self._db.commit()
        return cur.rowcount > 0

    async def purge_closed(self, keep_days: float, now: float | None = None) -> list[str]:
        """Delete closed cases older than `keep_days` after closing; returns their codes."""
        cutoff = (self.clock() if now is None else now) - keep_days * 86400
        async with self._db.execute("SELECT code FROM cases WHERE status='closed' AND closed < ?", (cutoff,)) as cur:
            codes = [r[0] for r in await cur.fetchall()]
        for code in codes:
            await self.delete(code)
        return codes

    # -- the outbox of delayed posts ----------------------------------------------------------

    async def _queue(self, org: str, code: str | None, kind: str, payload: dict[str, Any], due: float) -> None:
        blob = self._box.encrypt(json.dumps(payload, ensure_ascii=False).encode())
        await self._db.execute(
            "INSERT INTO pending_posts(org, code, kind, due, payload) VALUES (?,?,?,?,?)", (org, code, kind, due, blob)
        )

    async def queue(self, org: str, code: str | None, kind: str, payload: dict[str, Any], due: float) -> None:
        await self._queue(org, code, kind, payload, due)
        await self._db.commit()

    async def due_posts(self, now: float) -> list[tuple[int, str, str | None, str, dict[str, Any]]]:
        """(id, org, case code, kind, payload) of posts whose time has come, oldest first."""
        async with self._db.execute("SELECT count(*) FROM pending_posts WHERE due <= ?", (now,)) as cur:
            row = await cur.fetchone()
        if not row or not row[0]:
            return []
        async with self._db.execute(
            "SELECT id, org, code, kind, payload FROM pending_posts WHERE due <= ? ORDER BY due, id", (now,)
        ) as cur:
            rows = await cur.fetchall()
        return [(i, o, c, k, json.loads(self._box.decrypt(p))) for i, o, c, k, p in rows]

    async def report_pending(self, code: str) -> bool:
        """True while the case's report itself still waits in the outbox."""
        async with self._db.execute(
            "SELECT 1 FROM pending_posts WHERE code=? AND kind='report'", (code.upper(),)
        ) as cur:
            return await cur.fetchone() is not None

    async def done_post(self, post_id: int) -> None:
        await self._db.execute("DELETE FROM pending_posts WHERE id=?", (post_id,))
        await self._db.commit()

    async def reminder_sent(self, code: str, kind: str) -> bool:
        """Mark a deadline reminder as sent; False if it already was (so it is sent exactly once)."""
        cur = await self._db.execute("INSERT OR IGNORE INTO case_reminders(code, kind) VALUES (?,?)", (code, kind))
        await self._db.commit()
        return cur.rowcount > 0
