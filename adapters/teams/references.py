"""Conversation references for proactive posts (reminders, prompts, whistleblower notices), in SQLite.

A reference is what a later post to a conversation needs: the service URL, the conversation (id, type,
tenant) and the bot's id; no user names or ids. None is stored for the anonymous report's flow.
"""

from __future__ import annotations

import json
import time
from typing import Any

import aiosqlite
from microsoft_agents.activity import Activity


def base_conversation(conversation_id: str) -> str:
    """A channel's conversation id without the reply chain (`;messageid=...`)."""
    return conversation_id.split(";", 1)[0]


class References:
    """Conversation references for proactive messages, in the bot's database (no user names or ids)."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def setup(self) -> None:
        await self.db.execute(
            "CREATE TABLE IF NOT EXISTS teams_references (conversation TEXT PRIMARY KEY, ref TEXT NOT NULL, "
            "updated REAL NOT NULL)"
        )
        await self.db.commit()

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
        await self.db.execute(
            "INSERT INTO teams_references VALUES (?, ?, ?) ON CONFLICT(conversation) DO UPDATE SET ref=excluded.ref, "
            "updated=excluded.updated",
            (ref["conversation"]["id"], json.dumps(ref), time.time()),
        )
        await self.db.commit()

    async def get(self, conversation: str) -> dict[str, Any] | None:
        async with self.db.execute(
            "SELECT ref FROM teams_references WHERE conversation=?", (base_conversation(conversation),)
        ) as cur:
            row = await cur.fetchone()
        return json.loads(row[0]) if row else None
