"""Conversation references for proactive posts (reminders, prompts, whistleblower notices), in SQLite.

A reference is what a later post to a conversation needs: the service URL, the conversation (id, type,
tenant) and the bot's id; no user names or ids. None is stored for the anonymous report's flow.

At rest a reference is found by a keyed hash of its conversation id and is sealed with the bot's local
key, so the table names no conversation and no person; its time is the day it was last refreshed
(bot/retention.py deletes it after `reference_keep_days`). A personal chat's reference also carries a
keyed hash of the person's id, so that `conductbot forget --user ID` removes it.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from typing import Any

import aiosqlite
import nacl.exceptions
import nacl.secret
from microsoft_agents.activity import Activity

DAY = 86400.0


def base_conversation(conversation_id: str) -> str:
    """A channel's conversation id without the reply chain (`;messageid=...`)."""
    return conversation_id.split(";", 1)[0]


class References:
    """Sealed conversation references (`pseudonym` is the store's keyed hash, `box` the local key)."""

    def __init__(
        self, db: aiosqlite.Connection, pseudonym: Callable[..., str], box: Callable[[], nacl.secret.SecretBox]
    ) -> None:
        self.db = db
        self.pseudonym = pseudonym
        self.box = box

    def _key(self, conversation: str) -> str:
        return self.pseudonym("teams-reference", base_conversation(conversation))

    async def setup(self) -> None:
        """Create the table; seal and re-key references an earlier version stored in the clear."""
        await self.db.execute(
            "CREATE TABLE IF NOT EXISTS teams_references (conversation TEXT PRIMARY KEY, ref TEXT NOT NULL, "
            "updated REAL NOT NULL)"
        )
        async with self.db.execute("PRAGMA table_info(teams_references)") as cur:
            columns = {str(r[1]) for r in await cur.fetchall()}
        if "owner" not in columns:
            await self.db.execute("ALTER TABLE teams_references ADD COLUMN owner TEXT")
        async with self.db.execute("SELECT conversation, ref, updated FROM teams_references") as cur:
            clear = [r for r in await cur.fetchall() if str(r[1]).startswith("{")]
        for conversation, ref, updated in clear:
            await self.db.execute("DELETE FROM teams_references WHERE conversation=?", (conversation,))
            await self.db.execute(
                "INSERT OR REPLACE INTO teams_references(conversation, ref, updated) VALUES (?, ?, ?)",
                (self._key(str(conversation)), self._seal(json.loads(ref)), _day(float(updated))),
            )
        await self.db.commit()

    def _seal(self, ref: dict[str, Any]) -> str:
        return base64.b64encode(self.box().encrypt(json.dumps(ref).encode())).decode()

    async def save(self, activity: Activity) -> None:
        conv = activity.conversation
        ref = {
            "service_url": activity.service_url,
            "channel_id": str(activity.channel_id or "msteams"),
            "conversation": {
                "id": base_conversation(conv.id),
                "conversation_type": conv.conversation_type,
                "tenant_id": conv.tenant_id,
                "is_group": conv.is_group,
            },
            "bot": {"id": activity.recipient.id if activity.recipient else None},
        }
        person = activity.from_property.id if activity.from_property else None
        owner = self.pseudonym("teams", person) if person and conv.conversation_type == "personal" else None
        await self.db.execute(
            "INSERT INTO teams_references(conversation, ref, updated, owner) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(conversation) DO UPDATE SET ref=excluded.ref, updated=excluded.updated, owner=excluded.owner",
            (self._key(conv.id), self._seal(ref), _day(time.time()), owner),
        )
        await self.db.commit()

    async def get(self, conversation: str) -> dict[str, Any] | None:
        async with self.db.execute(
            "SELECT ref FROM teams_references WHERE conversation=?", (self._key(conversation),)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None
        try:
            return dict(json.loads(self.box().decrypt(base64.b64decode(str(row[0])))))
        except (ValueError, nacl.exceptions.CryptoError):
            return None

    async def forget(self, platform: str, user: str) -> int:
        """`conductbot forget --user ID`: the person's personal-chat references; returns how many."""
        if platform != "teams":
            return 0
        cur = await self.db.execute("DELETE FROM teams_references WHERE owner=?", (self.pseudonym("teams", user),))
        await self.db.commit()
        return max(cur.rowcount, 0)


def _day(ts: float) -> float:
    """A time rounded down to its day (UTC): no stored time sits next to what someone did."""
    return ts - ts % DAY
