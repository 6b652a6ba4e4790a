"""Claims on one database from several connections (as several processes hold them): each key is
held by exactly one; a dead owner's claim is taken over, a live one's is not; a failed one waits for
its retry time."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path

import aiosqlite

from bot.claims import Claims, Outcome


async def test_racing_claimers_take_each_key_exactly_once(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    first = await aiosqlite.connect(path)
    await first.execute("PRAGMA journal_mode=WAL")  # as the store opens it
    conns = [first] + [await aiosqlite.connect(path) for _ in range(2)]
    try:
        claimers = [await Claims.open(db) for db in conns]
        keys = [f"occ:s{i}-1" for i in range(150)]

        async def take(c: Claims) -> list[str]:
            return [k for k in keys if await c.claim(k) is not None]

        won = await asyncio.gather(*(take(c) for c in claimers))
        assert sorted(k for w in won for k in w) == sorted(keys), "every key claimed once, none twice"
    finally:
        for db in conns:
            await db.close()


async def test_takeover_only_from_the_dead_and_retry_only_when_due(tmp_path: Path) -> None:
    db = await aiosqlite.connect(tmp_path / "db.sqlite3")
    try:
        now = [1000.0]
        a, b = await Claims.open(db, wall=lambda: now[0]), Claims(db, wall=lambda: now[0])
        claim = await a.claim("post:1")
        assert claim is not None and await b.claim("post:1") is None  # a lives (this very process)
        await a.posting(claim)
        a.owner = f"{socket.gethostname()}:999999999:dead"  # as if a's process had died mid-post
        await db.execute("UPDATE delivery_claims SET owner=?", (a.owner,))
        await db.commit()
        taken = await b.claim("post:1")
        assert taken is not None and taken.resumed and taken.posting  # b must ask whether it was posted
        await b.failed("post:1", Outcome("failed", error="HTTP 503", attempts=1, retry_at=now[0] + 2))
        assert await a.claim("post:1") is None  # not before its retry time
        now[0] += 2.5
        again = await a.claim("post:1")
        assert again is not None and again.attempts == 1 and not again.resumed
        await a.finish("post:1")
        now[0] += 99999
        assert await b.claim("post:1") is None and await b.settled("post:1")
    finally:
        await db.close()


def test_delivery_and_scheduling_never_import_the_bot_core() -> None:
    """The cycle core -> delivery -> schedule -> core is broken: delivery needs only `bot.host.Host`."""
    code = "import sys, bot.delivery, bot.occurrences, bot.schedule, bot.claims; print('bot.core' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
