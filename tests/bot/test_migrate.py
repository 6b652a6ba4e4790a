"""Schema versions: a database from before versions existed is adopted, a new step reaches an existing
database exactly once (even with two processes opening it at once), and a newer database is refused."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import aiosqlite
from conftest import Cli

from bot.migrate import FORMAT, migrate, version

OLD_PROFILES = """
CREATE TABLE profiles (user_key TEXT PRIMARY KEY, org TEXT, role TEXT, lang TEXT, asked_role INTEGER DEFAULT 0,
    updated REAL NOT NULL);
"""


def test_a_database_from_before_versions_is_adopted_and_keeps_its_rows(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home", tmp_path / "cache")
    cli.home.mkdir(parents=True)
    db_path = cli.home / "conductbot.sqlite3"
    with sqlite3.connect(db_path) as db:  # what an earlier conductbot left: tables, no versions
        db.executescript(OLD_PROFILES)
        db.execute("INSERT INTO profiles VALUES ('k', 'alingsas', 'manager', 'sv', 0, 1.0)")
    r = cli.run("remind", "list", "--all", env={"CONDUCTBOT_ENCODER": "none"})
    assert r.returncode == 0, str(r)
    with sqlite3.connect(db_path) as db:
        steps = dict(db.execute("SELECT module, MAX(step) FROM schema_steps GROUP BY module").fetchall())
        assert db.execute("PRAGMA user_version").fetchone()[0] == FORMAT
        assert db.execute("SELECT org, role FROM profiles").fetchall() == [("alingsas", "manager")]
    from bot import cases, store, subscriptions

    want = {"store": len(store.STEPS), "cases": len(cases.STEPS), "schedule": len(subscriptions.STEPS)}
    assert steps == {**want, "claims": 1}, steps  # every module's steps ran, the schedule's pulse-vote day too


def test_a_database_from_a_newer_conductbot_is_refused_with_exit_2(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home", tmp_path / "cache")
    cli.home.mkdir(parents=True)
    with sqlite3.connect(cli.home / "conductbot.sqlite3") as db:
        db.execute(f"PRAGMA user_version = {FORMAT + 1}")
    r = cli.run("remind", "list", env={"CONDUCTBOT_ENCODER": "none"})
    assert r.returncode == 2 and "upgrade" in r.stderr and len(r.stderr.strip().splitlines()) == 1, str(r)


async def test_a_new_step_runs_once_even_when_two_connections_migrate_at_once(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    steps = ["CREATE TABLE IF NOT EXISTS t (a TEXT);", "ALTER TABLE t ADD COLUMN b TEXT;"]
    first = await aiosqlite.connect(path)
    assert await migrate(first, "demo", steps[:1]) == 1
    second = await aiosqlite.connect(path)
    try:
        results = await asyncio.gather(migrate(first, "demo", steps), migrate(second, "demo", steps))
        assert results == [2, 2]  # a second ALTER TABLE would have failed with "duplicate column"
        async with first.execute("SELECT name FROM pragma_table_info('t')") as cur:
            assert [r[0] for r in await cur.fetchall()] == ["a", "b"]
        assert await version(second, "demo") == 2
    finally:
        await first.close()
        await second.close()
