"""A malformed configuration stops every command with exit 2 and one line naming the key (fails closed)."""

from __future__ import annotations

import pytest
import yaml
from conftest import Cli


@pytest.fixture
def cli(tmp_path) -> Cli:
    """The command with a fresh data directory and no index (these runs stop before retrieval)."""
    return Cli(tmp_path / "home", tmp_path / "cache")


def configure(cli: Cli, config: dict) -> None:
    cli.home.mkdir(parents=True, exist_ok=True)
    (cli.home / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")


BAD = [
    ({"case_retention_day": 30}, "case_retention_day"),  # misspelled: was silently ignored
    ({"unanswered_keep_days": "90"}, "unanswered_keep_days"),  # a string, not a number
    ({"deliver_every_seconds": -5}, "deliver_every_seconds"),
    ({"schedule_catch_up_hours": -1}, "schedule_catch_up_hours"),
    ({"report_delay_seconds": [100, 10]}, "report_delay_seconds"),
    ({"slack": {"user_groups": {"S1": "boss"}}}, "slack.user_groups.S1"),
    ({"default_org": "nowhere"}, "default_org"),
    ({"channels": {"nowhere": {"whistleblower": "slack:C1"}}}, "channels.nowhere"),
    ({"desk": {"session_idle_minute": 30}}, "desk.session_idle_minute"),  # the desk's settings fail closed too
    ({"desk": {"lock_minutes": 0}}, "desk.lock_minutes"),
]


@pytest.mark.parametrize(("config", "key"), BAD, ids=[k for _, k in BAD])
def test_a_bad_setting_exits_2_naming_the_key(cli: Cli, config: dict, key: str) -> None:
    configure(cli, config)
    r = cli.run("ask", "--json", "Vad är trakasserier?", timeout=60)
    assert r.returncode == 2, str(r)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and f"{key}:" in lines[0] and "config.yaml" in lines[0], str(r)
    assert r.stdout == ""


def test_a_good_configuration_still_loads(cli: Cli) -> None:
    configure(cli, {"report_delay_seconds": [0, 0], "unanswered_keep_days": 30, "deliver_every_seconds": 1})
    r = cli.run("ask", "--json", "--encoder", "none", "Vad är trakasserier?", timeout=60)
    assert r.returncode == 0, str(r)
