"""Claims: each delivery (a queued report, a deadline reminder, a reminder's occurrence) made once,
by whichever of any number of `tick` and `serve` processes on one database claims it first.

A claim is a row in `delivery_claims`, keyed by what is delivered. It is this process's only if
this process inserted it (or retook a failed one whose retry time has come): one statement in one
transaction, committed before anything is posted, and its row count says whether it took. A claim
moves `claimed` -> `posting` (just before the sender is called) -> `done`. After a crash another
process takes a claim over when its owner is dead (same host, no such process) or its lease has
run out: one left at `claimed` was never posted and is posted; one left at `posting` is resolved by
asking the sender whether the post exists (the outbox can tell); when it cannot tell, the post is
not repeated (at most once) and the caller says "maybe delivered".

`attempt` posts with retries: an exception from the sender means "not posted", retried after a
backoff (or the `Retry-After` the error carries), a few times within the round and then in later
rounds, up to a limit; only a timeout leaves "maybe delivered". Nothing here logs message text.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS delivery_claims (
    key TEXT PRIMARY KEY, status TEXT NOT NULL, owner TEXT, lease_until REAL NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0, retry_at REAL NOT NULL DEFAULT 0, error TEXT, updated REAL NOT NULL);
"""

LEASE_SECONDS = 300.0  # a live owner finishes a claim within this (posts time out well before)
MAX_ATTEMPTS = 8  # then a reminder is given up and reported (queued reports keep being retried)
ROUND_ATTEMPTS = 3  # attempts within one delivery round
ROUND_WAIT = 5.0  # longest wait before a retry within the round; longer ones wait for a later round
BACKOFF_CAP = 1800.0
KEEP_DONE_DAYS = 30
FINAL = ("done", "uncertain", "gave_up")


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim this process holds: `attempts` made so far, and whether it was taken over after a crash
    (`resumed`: the previous owner may have posted, if `posting`)."""

    key: str
    attempts: int
    resumed: bool = False
    posting: bool = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """How an attempt ended: sent | uncertain (timed out) | failed (retry at `retry_at`) | gave_up."""

    status: str
    message: str | None = None
    error: str = ""
    attempts: int = 0
    retry_at: float = 0.0


def describe(exc: BaseException) -> str:
    """What went wrong, without any message text: the error type, HTTP status and platform error code."""
    parts = [type(exc).__name__]
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None) or getattr(exc, "status", None)
    if status:
        parts.append(f"HTTP {status}")
    data = getattr(response, "data", None)
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        parts.append(data["error"][:60])
    return " ".join(parts)


def retry_after(exc: BaseException) -> float | None:
    """Seconds the platform asked us to wait (`retry_after` on the error, or a Retry-After header)."""
    value: Any = getattr(exc, "retry_after", None)
    if value is None:
        headers = getattr(exc, "headers", None) or getattr(getattr(exc, "response", None), "headers", None) or {}
        try:
            value = next((v for k, v in dict(headers).items() if str(k).lower() == "retry-after"), None)
        except (TypeError, ValueError):
            value = None
    try:
        return max(0.0, min(float(value), BACKOFF_CAP)) if value is not None else None
    except (TypeError, ValueError):
        return None


def backoff(attempts: int) -> float:
    """0.5 s, 1 s, 2 s, ... after the n-th failed attempt, at most BACKOFF_CAP."""
    return min(BACKOFF_CAP, 0.5 * 2 ** max(0, attempts - 1))


def _alive(owner: str | None) -> bool:
    """Whether a claim's owner may still be running (False only when we can tell it is not)."""
    host, _, rest = (owner or "").partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine: only its lease tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Claims:
    """The claims table on the bot's database; `wall` is real time (leases and retries), never the
    pinned clock of `CONDUCTBOT_NOW`."""

    def __init__(self, db: aiosqlite.Connection, wall: Callable[[], float] = time.time) -> None:
        self.db = db
        self.wall = wall
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"

    @classmethod
    async def open(cls, db: aiosqlite.Connection, wall: Callable[[], float] = time.time) -> Claims:
        from bot.migrate import migrate

        await migrate(db, "claims", [SCHEMA])
        return cls(db, wall)

    async def _write(self, sql: str, args: tuple[Any, ...]) -> int:
        """One statement in its own transaction; its row count (0 when the database stays locked)."""
        try:
            cur = await self.db.execute(sql, args)
            await self.db.commit()
        except sqlite3.OperationalError as exc:  # locked beyond the busy timeout: not ours this round
            log.warning("claim not taken: %s", exc)
            return 0
        return cur.rowcount

    async def claim(self, key: str) -> Claim | None:
        """The claim on `key` if this process now holds it, else None (done, held, or waiting to retry)."""
        now = self.wall()
        row = await self._row(key)
        if row is not None and (row[0] in FINAL or (row[0] == "failed" and row[4] > now)):
            return None  # settled, or waiting for its retry time: nothing to write
        taken = await self._write(
            "INSERT INTO delivery_claims (key, status, owner, lease_until, updated) VALUES (?, 'claimed', ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET status='claimed', owner=excluded.owner, "
            "lease_until=excluded.lease_until, updated=excluded.updated "
            "WHERE delivery_claims.status='failed' AND delivery_claims.retry_at <= ?",
            (key, self.owner, now + LEASE_SECONDS, now, now),
        )
        row = await self._row(key)
        if row is None:
            return None
        status, owner, lease_until, attempts, _ = row
        if taken == 1 and owner == self.owner:
            return Claim(key, attempts)
        gone = owner != self.owner and not _alive(owner)
        if status in ("claimed", "posting") and (lease_until < now or gone):  # its owner died, or stalled
            took = await self._write(
                "UPDATE delivery_claims SET owner=?, lease_until=?, updated=? WHERE key=? AND owner IS ? AND status=?",
                (self.owner, now + LEASE_SECONDS, now, key, owner, status),
            )
            if took == 1:
                return Claim(key, attempts, resumed=True, posting=status == "posting")
        return None

    async def _row(self, key: str) -> tuple[str, str | None, float, int, float] | None:
        async with self.db.execute(
            "SELECT status, owner, lease_until, attempts, retry_at FROM delivery_claims WHERE key=?", (key,)
        ) as cur:
            row = await cur.fetchone()
        return (row[0], row[1], float(row[2]), int(row[3]), float(row[4])) if row else None

    async def settled(self, key: str) -> bool:
        """True when the delivery under `key` is over (done, uncertain or given up)."""
        row = await self._row(key)
        return row is not None and row[0] in FINAL

    async def posting(self, claim: Claim) -> None:
        """Mark the claim as being posted (a crash from here on leaves the post uncertain)."""
        await self._set(claim.key, "posting", claim.attempts, 0.0, None)

    async def finish(self, key: str, status: str = "done", error: str | None = None, attempts: int = 0) -> None:
        """The delivery is over: done, uncertain or gave_up; the key is never claimed again."""
        await self._set(key, status, attempts, 0.0, error)

    async def failed(self, key: str, outcome: Outcome) -> None:
        """Not posted: free the claim for a retry at `outcome.retry_at`."""
        await self._set(key, "failed", outcome.attempts, outcome.retry_at, outcome.error)

    async def _set(self, key: str, status: str, attempts: int, retry_at: float, error: str | None) -> None:
        await self._write(
            "UPDATE delivery_claims SET status=?, attempts=MAX(attempts, ?), retry_at=?, error=?, updated=?, "
            "owner=CASE WHEN ? IN ('claimed', 'posting') THEN owner ELSE NULL END WHERE key=? AND owner IS ?",
            (status, attempts, retry_at, error, self.wall(), status, key, self.owner),
        )

    async def purge(self) -> None:
        """Forget finished claims after KEEP_DONE_DAYS (what they guard is long gone by then)."""
        cutoff = self.wall() - KEEP_DONE_DAYS * 86400
        await self._write("DELETE FROM delivery_claims WHERE status != 'failed' AND updated < ?", (cutoff,))


async def attempt(
    claims: Claims,
    claim: Claim,
    post: Callable[[], Awaitable[str]],
    was_posted: Callable[[], Awaitable[bool | None]],
    timeout: float,  # noqa: ASYNC109 - the sender's post is bounded by wait_for, the retries by ROUND_WAIT
    give_up: bool = True,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
) -> Outcome:
    """Post under a claim, retrying errors within the round (short waits only), and say how it ended.

    With `give_up` False (queued reports) the claim is never given up: it keeps being retried, at
    most BACKOFF_CAP apart, and reported each time it fails.
    """
    attempts = claim.attempts
    error = ""
    for n in range(ROUND_ATTEMPTS):
        attempts += 1
        await claims.posting(Claim(claim.key, attempts))
        try:
            message = await asyncio.wait_for(post(), timeout)
            return Outcome("sent", message, "", attempts)
        except TimeoutError:
            posted = await was_posted()
            if posted is not False:
                return Outcome("sent" if posted else "uncertain", None, "timed out", attempts)
            error, wait = "timed out", backoff(attempts)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the sender said no: not posted
            error = describe(exc)
            asked = retry_after(exc)
            wait = asked if asked is not None else backoff(attempts)
        log.warning("post %s failed (attempt %d): %s; retry in %.1f s", claim.key, attempts, error, wait)
        if give_up and attempts >= MAX_ATTEMPTS:
            return Outcome("gave_up", None, error, attempts)
        if wait > ROUND_WAIT or n == ROUND_ATTEMPTS - 1:
            return Outcome("failed", None, error, attempts, claims.wall() + wait)
        await sleep(wait)
    return Outcome("failed", None, error, attempts, claims.wall())  # pragma: no cover - the loop returns
