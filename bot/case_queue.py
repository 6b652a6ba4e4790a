"""Posts to the whistleblower channel that wait for their random delay, encrypted at rest.

A confirmed report (and each addition) is queued with a due time drawn at random, so that the post in
the channel cannot be lined up with the moment someone talked to the bot. The payload is encrypted with
the bot's local key (bot/keys.py); `deliver_due` (bot/delivery.py) posts what is due and removes it only
after the sender accepted it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import aiosqlite
import nacl.secret

SCHEMA = """
CREATE TABLE IF NOT EXISTS pending_posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT, org TEXT NOT NULL, code TEXT, kind TEXT NOT NULL, due REAL NOT NULL,
    payload BLOB NOT NULL);
"""

Post = tuple[int, str, str | None, str, dict[str, Any]]


class PostQueue:
    """The waiting posts on the bot's database (the `pending_posts` table)."""

    def __init__(self, db: aiosqlite.Connection, box: Callable[[], nacl.secret.SecretBox]) -> None:
        self._db = db
        self._box = box

    @staticmethod
    async def create_tables(db: aiosqlite.Connection) -> None:
        await db.executescript(SCHEMA)
        await db.commit()

    async def add(self, org: str, code: str | None, kind: str, payload: dict[str, Any], due: float) -> None:
        """Queue a post (inside the caller's transaction: the caller commits)."""
        blob = self._box().encrypt(json.dumps(payload, ensure_ascii=False).encode())
        await self._db.execute(
            "INSERT INTO pending_posts(org, code, kind, due, payload) VALUES (?,?,?,?,?)", (org, code, kind, due, blob)
        )

    async def due(self, now: float) -> list[Post]:
        """(id, org, case code, kind, payload) of posts whose time has come, oldest first."""
        async with self._db.execute("SELECT count(*) FROM pending_posts WHERE due <= ?", (now,)) as cur:
            row = await cur.fetchone()
        if not row or not row[0]:
            return []
        async with self._db.execute(
            "SELECT id, org, code, kind, payload FROM pending_posts WHERE due <= ? ORDER BY due, id", (now,)
        ) as cur:
            rows = await cur.fetchall()
        return [(i, o, c, k, json.loads(self._box().decrypt(p))) for i, o, c, k, p in rows]

    async def report_pending(self, code: str) -> bool:
        """True while the case's report itself still waits to be posted."""
        async with self._db.execute(
            "SELECT 1 FROM pending_posts WHERE code=? AND kind='report'", (code.upper(),)
        ) as cur:
            return await cur.fetchone() is not None

    async def done(self, post_id: int) -> None:
        await self._db.execute("DELETE FROM pending_posts WHERE id=?", (post_id,))
        await self._db.commit()
