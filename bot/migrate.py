"""Schema versions and migrations for the bot's one SQLite database.

Every module that owns tables (bot/store.py, bot/cases.py, bot/subscriptions.py, bot/claims.py)
keeps an ordered list of steps, each an SQL script, and calls `await migrate(db, "<module>", STEPS)`
when it opens. Step 1 is the module's original `CREATE TABLE IF NOT EXISTS` script, so a database
made before versions existed simply gets version 1; a column change is a new step at the end
(`ALTER TABLE ... ADD COLUMN ...`), never an edit of an old one.

Each step runs once per database, in its own `BEGIN IMMEDIATE` transaction together with its row
in `schema_steps`, whose primary key makes a second process starting at the same moment skip the
step instead of running it twice. `PRAGMA user_version` records the layout of this bookkeeping; a
database written by a newer conductbot (a higher user_version, or more steps than this code knows)
is refused with `SchemaError` rather than used half-understood.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

import aiosqlite

from bot.config import ConfigError

FORMAT = 1  # PRAGMA user_version: the layout of schema_steps

BOOKKEEPING = """
CREATE TABLE IF NOT EXISTS schema_steps (
    module TEXT NOT NULL, step INTEGER NOT NULL, PRIMARY KEY (module, step));
"""


class SchemaError(ConfigError):
    """The database was written by a newer version of the bot (the command exits with status 2)."""


async def version(db: aiosqlite.Connection, module: str) -> int:
    """How many of the module's steps the database has (0 for none)."""
    async with db.execute("SELECT COALESCE(MAX(step), 0) FROM schema_steps WHERE module=?", (module,)) as cur:
        row = await cur.fetchone()
    return int(row[0]) if row else 0


async def migrate(db: aiosqlite.Connection, module: str, steps: Sequence[str]) -> int:
    """Run the module's steps the database does not have yet, in order; returns the module's version."""
    if not module.replace("_", "").isalnum():
        raise ValueError(f"bad module name {module!r}")
    async with db.execute("PRAGMA user_version") as cur:
        row = await cur.fetchone()
    found = int(row[0]) if row else 0
    if found > FORMAT:
        raise SchemaError(f"the database's schema format is {found}; this conductbot knows {FORMAT}: upgrade it")
    await db.executescript(BOOKKEEPING)
    if found < FORMAT:
        await db.execute(f"PRAGMA user_version = {FORMAT}")
    await db.commit()
    have = await version(db, module)
    if have > len(steps):
        raise SchemaError(f"the database has {module} schema version {have}; this conductbot knows {len(steps)}")
    for n in range(have + 1, len(steps) + 1):
        script = f"BEGIN IMMEDIATE;\nINSERT INTO schema_steps (module, step) VALUES ('{module}', {n});\n"
        try:
            await db.executescript(script + steps[n - 1] + "\nCOMMIT;")
        except sqlite3.IntegrityError:  # another process ran this step first
            await db.rollback()
        except BaseException:
            await db.rollback()
            raise
    return await version(db, module)
