"""Erasure of one person (GDPR article 17): `conductbot forget --user ID`.

A person is stored only under keyed hashes of their platform id, so the id is hashed the same way for
each platform and every row under that key goes: the profile, the conversations they last wrote in,
their reminder subscriptions, their pulse votes, and what a platform adapter keeps for them (its
registered `forget` hook, e.g. Teams conversation references). Questions kept for HR carry no key of
the person and are not affected; cases never carry anyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core import Bot

PLATFORMS = ("cli", "slack", "teams")


async def forget_user(bot: Bot, user: str, platform: str = "all") -> dict[str, int]:
    """Delete everything stored under the person's keys; returns rows deleted per kind."""
    platforms = PLATFORMS if platform == "all" else (platform,)
    counts = {"profile and conversations": 0, "subscriptions": 0, "pulse votes": 0, "platform data": 0}
    db = bot.store.db
    for p in platforms:
        key = bot.store.pseudonym(p, user)
        counts["profile and conversations"] += await bot.store.forget(key)
        cur = await db.execute("DELETE FROM schedules WHERE owner=?", (key,))
        counts["subscriptions"] += max(cur.rowcount, 0)
        async with db.execute("SELECT DISTINCT post FROM pulse_votes") as c:
            posts = [r[0] for r in await c.fetchall()]
        for post in posts:
            cur = await db.execute(
                "DELETE FROM pulse_votes WHERE post=? AND voter=?", (post, bot.store.pseudonym("pulse", post, key))
            )
            counts["pulse votes"] += max(cur.rowcount, 0)
        await db.commit()
        for hook in bot.forget_hooks:
            counts["platform data"] += await hook(p, user)
        if p == "teams" and not bot.forget_hooks and await bot.store.has_table("teams_references"):
            # without the server, the Teams adapter is not mounted: its personal-chat references go here
            cur = await db.execute("DELETE FROM teams_references WHERE owner=?", (bot.store.pseudonym("teams", user),))
            counts["platform data"] += max(cur.rowcount, 0)
            await db.commit()
    return counts
