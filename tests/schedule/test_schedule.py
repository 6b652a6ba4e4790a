"""Reminders and prompts through the front door: `conductbot remind/prompt` with the clock pinned by
CONDUCTBOT_NOW, and `conductbot tick --now` delivering to the terminal outbox."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from conftest import Cli, Run


def sched(cli: Cli, now: str, *args: str) -> Run:
    r = cli.run(*args, env={"CONDUCTBOT_NOW": now})
    assert r.returncode == 0, str(r)
    return r


def tick(cli: Cli, now: str, env: dict[str, str] | None = None) -> Run:
    return cli.run("tick", "--now", now, env={"CONDUCTBOT_NOW": now, **(env or {})})


def delivered(cli: Cli, now: str) -> list[str]:
    r = tick(cli, now)
    assert r.returncode == 0, str(r)
    return [line for line in r.stdout.splitlines() if line != "nothing due"]


def outbox(cli: Cli, org: str) -> list[dict]:
    path = Path(cli.home) / "outbox" / f"{org}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def test_twice_yearly_reminder_keeps_local_time_across_daylight_saving(cli: Cli) -> None:
    r = sched(
        cli, "2027-01-10T12:00", "remind", "add", "kod-uppfoljning", "--role", "group_leader", "--org", "vasteras"
    )
    assert "first 2027-03-01 09:00" in r.stdout, r.stdout  # the first Monday of March
    assert delivered(cli, "2027-03-01T08:59") == []
    (line,) = delivered(cli, "2027-03-01T09:00+01:00")
    assert "kod-uppfoljning" in line
    (post,) = outbox(cli, "vasteras")
    assert "Uppföljning omkring 2 gånger per år" in post["text"], "the reminder cites its passage"
    assert "Förslag på dagordning" in post["text"]
    assert [c["value"] for c in post["choices"]] == ["fqc:start", "sched:post"]
    # the next one is in September, in summer time: 09:00 local is 07:00 UTC
    assert delivered(cli, "2027-09-06T06:59:00+00:00") == []
    assert len(delivered(cli, "2027-09-06T07:00:00+00:00")) == 1
    assert delivered(cli, "2027-09-07T12:00") == [], "sent once"


def test_biweekly_across_the_spring_change_and_a_holiday(cli: Cli) -> None:
    sched(
        cli,
        "2027-03-10T12:00",
        "remind",
        "add",
        "arbetsplatstraff",
        "--role",
        "manager",
        "--org",
        "alingsas",
        "--cadence",
        "biweekly",
        "--weekday",
        "mon",
        "--time",
        "09:00",
    )
    assert len(delivered(cli, "2027-03-15T09:00")) == 1
    # 29 March 2027 is annandag påsk (and the clocks changed on the 28th): the next working day, 09:00 CEST
    assert delivered(cli, "2027-03-29T12:00") == []
    assert delivered(cli, "2027-03-30T08:59+02:00") == []
    (line,) = delivered(cli, "2027-03-30T09:00+02:00")
    assert "2027-03-30 09:00" in line
    (line,) = delivered(cli, "2027-04-12T09:00")  # the fortnight counts from the Monday, not the holiday
    assert "2027-04-12 09:00" in line


@pytest.mark.parametrize(
    ("weekday", "start", "holiday", "moved"),
    [
        ("fri", "2027-06-20T12:00", "2027-06-25T09:00", "2027-06-28 09:00"),  # midsommarafton -> Monday
        ("thu", "2027-05-01T12:00", "2027-05-06T09:00", "2027-05-07 09:00"),  # Kristi himmelsfärdsdag -> Friday
        ("fri", "2027-12-20T12:00", "2027-12-24T09:00", "2027-12-27 09:00"),  # julafton -> Monday
    ],
)
def test_public_holidays_move_to_the_next_working_day(
    cli: Cli, weekday: str, start: str, holiday: str, moved: str
) -> None:
    sched(
        cli,
        start,
        "remind",
        "add",
        "arbetsplatstraff",
        "--role",
        "manager",
        "--org",
        "alingsas",
        "--cadence",
        "weekly",
        "--weekday",
        weekday,
        "--time",
        "09:00",
    )
    assert delivered(cli, holiday) == []
    (line,) = delivered(cli, moved.replace(" ", "T"))
    assert moved in line


def test_yearly_reminder_and_opt_out(cli: Cli) -> None:
    r = sched(cli, "2027-01-10T12:00", "remind", "add", "medarbetarsamtal", "--role", "manager", "--org", "alingsas")
    assert "yearly" in r.stdout and "first 2027-10-04 09:00" in r.stdout, r.stdout
    assert len(delivered(cli, "2027-10-04T09:00")) == 1
    sched(cli, "2027-10-05T12:00", "remind", "cancel", "1")
    assert delivered(cli, "2028-10-02T09:00") == [], "after stopping, nothing more"
    assert "none" in sched(cli, "2027-10-05T12:00", "remind", "list").stdout


def test_snooze_and_skip_once(cli: Cli) -> None:
    sched(
        cli,
        "2027-03-10T12:00",
        "remind",
        "add",
        "arbetsplatstraff",
        "--role",
        "manager",
        "--org",
        "alingsas",
        "--cadence",
        "weekly",
        "--weekday",
        "tue",
        "--time",
        "08:30",
    )
    sched(cli, "2027-03-10T12:00", "remind", "skip", "1")
    (line,) = delivered(cli, "2027-03-16T08:30")
    assert "skipped once" in line and outbox(cli, "alingsas") == []
    r = sched(cli, "2027-03-17T12:00", "remind", "snooze", "1", "--days", "3")
    assert "next 2027-03-26 08:30" in r.stdout, r.stdout  # 23 March + 3 days
    assert delivered(cli, "2027-03-23T09:00") == []
    assert len(delivered(cli, "2027-03-26T08:30")) == 1
    assert len(delivered(cli, "2027-03-30T08:30")) == 1, "after a snooze the cadence goes on as before"


def test_catch_up_after_downtime_and_too_old_ones_skipped(cli: Cli) -> None:
    sched(
        cli,
        "2027-03-10T12:00",
        "remind",
        "add",
        "arbetsplatstraff",
        "--role",
        "manager",
        "--org",
        "alingsas",
        "--cadence",
        "weekly",
        "--weekday",
        "mon",
        "--time",
        "09:00",
    )
    (line,) = delivered(cli, "2027-03-17T10:00")  # down for two days: still sent
    assert "2027-03-15 09:00" in line and "missed" not in line
    lines = delivered(cli, "2027-04-07T10:00")  # down for three weeks: the catch-up limit is 72 hours
    assert [("missed" in x) for x in lines] == [True, True, False], lines
    assert len(outbox(cli, "alingsas")) == 2


@pytest.mark.parametrize("crash", ["after-post", "before-post"])
def test_restart_in_the_middle_of_a_send_delivers_exactly_once(cli: Cli, crash: str) -> None:
    sched(
        cli,
        "2027-03-10T12:00",
        "remind",
        "add",
        "arbetsplatstraff",
        "--role",
        "manager",
        "--org",
        "alingsas",
        "--cadence",
        "weekly",
        "--weekday",
        "mon",
        "--time",
        "09:00",
    )
    r = tick(cli, "2027-03-15T09:00", env={"CONDUCTBOT_TEST_CRASH": crash})
    assert r.returncode == 3, str(r)  # the process died mid-send
    assert len(outbox(cli, "alingsas")) == (1 if crash == "after-post" else 0)
    (line,) = delivered(cli, "2027-03-15T09:01")
    assert ("already delivered" in line) if crash == "after-post" else ("after a restart" in line), line
    assert len(outbox(cli, "alingsas")) == 1
    assert delivered(cli, "2027-03-15T12:00") == []
    assert len(delivered(cli, "2027-03-22T09:00")) == 1


def test_prompts_never_repeat_in_a_row_in_a_channel(cli: Cli) -> None:
    r = sched(cli, "2027-03-10T12:00", "prompt", "add", "--org", "vasteras", "--channel", "gruppen")
    assert "biweekly" in r.stdout and "first 2027-03-15 09:00" in r.stdout, r.stdout
    for day in ("2027-03-15", "2027-03-30", "2027-04-12", "2027-04-26"):  # 29 March is annandag påsk
        assert len(delivered(cli, f"{day}T09:30")) == 1, day
    sched(cli, "2027-04-27T12:00", "prompt", "post", "--org", "vasteras", "--channel", "gruppen")
    posts = [p for p in outbox(cli, "vasteras") if p["channel"] == "gruppen"]
    assert len(posts) == 5
    texts = [p["text"] for p in posts]
    assert all(a != b for a, b in itertools.pairwise(texts)), "never the same prompt twice in a row"
    assert all(len(p["choices"]) == 5 and p["choices"][0]["value"].startswith("pulse:") for p in posts)
    assert all("> " in t for t in texts), "each prompt quotes its passage"


def test_chat_commands_respect_roles(cli: Cli) -> None:
    script = "jag är anställd\npåminnelser\nsamtalsfråga\njag är chef\npåminnelser\n1\npåminnelser\n5\n"
    r = cli.run("chat", "--org", "vasteras", stdin=script, env={"CONDUCTBOT_NOW": "2027-01-10T12:00"})
    assert r.returncode == 0, str(r)
    out = r.stdout
    assert "för chefer, gruppledare och förtroendevalda" in out  # an employee has no dialogue reminders
    assert "postar gruppledare" in out  # nor posts prompts
    assert "Håll värdegrunden levande" in out and "Klart:" in out
    assert "Avslutad:" in out, out  # [5] is "Avsluta (1)" in the second listing
