"""Retention everywhere: what the bot keeps about people expires, like the questions for HR and closed cases.

Each kind of row has a keep time in the settings (days, defaults below and in the README's privacy section):
profiles not used for `profile_keep_days`; cancelled reminder subscriptions and their send records after
`schedule_keep_days`; prompt history and pulse votes after `prompt_keep_days`; Teams
conversation references not refreshed for `reference_keep_days`. `purge` runs when the bot starts and on
every delivery round (`conductbot tick`, the server's loop).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core import Bot

DAY = 86400.0


async def purge(bot: Bot, now: float | None = None) -> dict[str, int]:
    """Delete what has outlived its keep time; returns rows deleted per kind."""
    s = bot.settings
    now = bot.clock() if now is None else now
    db = bot.store.db
    plan = [
        ("profiles", "DELETE FROM profiles WHERE updated < ?", s.profile_keep_days),
        (
            "schedule_sends",
            "DELETE FROM schedule_sends WHERE schedule_id IN (SELECT id FROM schedules WHERE active=0 AND created < ?)",
            s.schedule_keep_days,
        ),
        ("schedules", "DELETE FROM schedules WHERE active=0 AND created < ?", s.schedule_keep_days),
        ("prompt_history", "DELETE FROM prompt_history WHERE at < ?", s.prompt_keep_days),
        ("pulse_votes", "DELETE FROM pulse_votes WHERE day < ?", s.prompt_keep_days),
        ("teams_references", "DELETE FROM teams_references WHERE updated < ?", s.reference_keep_days),
    ]
    done: dict[str, int] = {}
    for table, sql, days in plan:
        if await bot.store.has_table(table):
            cur = await db.execute(sql, (now - float(days) * DAY,))
            done[table] = max(cur.rowcount, 0)
    await db.commit()
    return done
