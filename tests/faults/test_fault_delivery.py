"""Deliveries exactly once under faults: overlapping `tick`s and a `serve` on one database, kill -9
mid-delivery, and a Slack API answering 500, 503, 429 with Retry-After, `ok: false`, or too late.

Everything runs on 127.0.0.1: the real `conductbot` processes, the terminal outbox, and a fake Slack
Web API with a script of faults per channel (faulty_slack.py). No encoder is loaded (CONDUCTBOT_ENCODER
=none): delivery does not need one. Figures (posts, duplicates, losses) are in the assertions'
messages and in the closing report of the work.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import REPO, clean_env
from faulty_slack import FaultySlack
from slack_harness import SECRET, TOKEN, free_port, launch, stop_process

WHISTLE = "CWHISTLE1"
CODE = re.compile(r"VB-[A-Z0-9]{4}-[A-Z0-9]{4}")
SUBSCRIBED = "2027-03-10T12:00"
DUE = "2027-03-15T09:05"  # just after the first Monday 09:00
SLACK_PLACES = ["C0000001", "C0000002", "C0000003"]
OUTBOX_PLACES = ["gruppen-a", "gruppen-b"]


@pytest.fixture
def fake() -> Iterator[FaultySlack]:
    f = FaultySlack().start()
    yield f
    f.stop()


class Home:
    """One data directory and the environment every process of a test shares."""

    def __init__(self, tmp: Path, fake: FaultySlack, post_timeout: float = 1.5) -> None:
        self.tmp = tmp
        self.path = tmp / "home"
        self.path.mkdir(parents=True, exist_ok=True)
        config = {
            "channels": {"vasteras": {"whistleblower": f"slack:{WHISTLE}"}},
            "report_delay_seconds": [600, 600],
            "deliver_every_seconds": 0.2,
            "post_timeout_seconds": post_timeout,
        }
        (self.path / "config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
        self.env = clean_env(
            self.path,
            tmp / "cache",
            {
                "CONDUCTBOT_ENCODER": "none",
                "SLACK_BOT_TOKEN": TOKEN,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": fake.api_url,
            },
        )

    def start(self, *args: str, now: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "bot", *args],
            cwd=REPO,
            env={**self.env, "CONDUCTBOT_NOW": now, **(env or {})},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )

    def run(self, *args: str, now: str, stdin: str = "", env: dict[str, str] | None = None) -> tuple[int, str, str]:
        p = self.start(*args, now=now, env=env)
        out, err = p.communicate(stdin, timeout=120)
        return p.returncode, out, err

    def tick(self, now: str = DUE, env: dict[str, str] | None = None) -> list[str]:
        rc, out, err = self.run("tick", "--now", now, now=now, env=env)
        assert rc == 0, out + err
        return [line for line in out.splitlines() if line != "nothing due"]

    def outbox(self, org: str = "alingsas") -> list[dict]:
        path = self.path / "outbox" / f"{org}.jsonl"
        return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def subscribe(home: Home, places: list[str]) -> None:
    """Weekly Monday 09:00 reminders, one per place, added by concurrent `remind add`s."""
    procs = [
        home.start(
            *("remind", "add", "arbetsplatstraff", "--role", "manager", "--org", "alingsas"),
            *("--cadence", "weekly", "--weekday", "mon", "--time", "09:00", "--place", place),
            now=SUBSCRIBED,
        )
        for place in places
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, out + err


def report(home: Home, n: int) -> list[str]:
    """`n` anonymous reports written in the terminal and queued (600 s delay) for the Slack channel."""
    lines = []
    for i in range(n):
        lines += ["/anmäl", f"Inköpschefen tar emot gåvor från leverantör nummer {i} före varje upphandling.", "Skicka"]
    rc, out, err = home.run("chat", "--org", "vasteras", now="2027-03-15T08:00", stdin="\n".join(lines) + "\n")
    assert rc == 0 and len(codes(out)) == n, out + err
    return codes(out)


def reminder_posts(home: Home, fake: FaultySlack) -> Counter[str]:
    """How many times each reminder place got its post."""
    counts: Counter[str] = Counter(f"slack:{c}" for c in SLACK_PLACES for _ in fake.posted(c))
    counts.update(p["channel"] for p in home.outbox())
    return counts


def report_posts(fake: FaultySlack) -> Counter[str]:
    """How many times each case's report was posted to the whistleblower channel (by case code)."""
    return Counter(m.group(0) for p in fake.posted(WHISTLE) if (m := CODE.search(str(p.get("text")))))


def codes(out: str) -> list[str]:
    return list(dict.fromkeys(CODE.findall(out)))


def test_two_ticks_and_a_serve_on_one_database_deliver_each_once(tmp_path: Path, fake: FaultySlack) -> None:
    home = Home(tmp_path, fake)
    subscribe(home, [f"slack:{p}" for p in SLACK_PLACES] + OUTBOX_PLACES)
    cases = report(home, 2)
    fake.clear()
    fake.delay = 0.3  # each Slack post takes a while, so that the three processes overlap
    port = free_port()
    serve_env = {**home.env, "CONDUCTBOT_NOW": DUE}
    server, url, _ = launch(tmp_path, serve_env, port)
    try:
        ticks = [home.start("tick", "--now", DUE, now=DUE) for _ in range(2)]
        outs = [t.communicate(timeout=120) for t in ticks]
        assert all(t.returncode == 0 for t in ticks), outs
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (len(reminder_posts(home, fake)) < 5 or len(report_posts(fake)) < 2):
            time.sleep(0.2)
        time.sleep(1.0)  # let a late duplicate arrive, if there were one
        with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
            health = json.loads(r.read())["deliveries"]
        assert health["rounds"] > 0 and health["failed"] == 0 and health["failed_rounds"] == 0, health
    finally:
        stop_process(server)
    reminders, reports = reminder_posts(home, fake), report_posts(fake)
    expected = {f"slack:{p}" for p in SLACK_PLACES} | set(OUTBOX_PLACES)
    assert set(reminders) == expected, f"lost: {expected - set(reminders)}"
    assert all(n == 1 for n in reminders.values()), f"duplicates: {reminders}"
    assert reports == dict.fromkeys(cases, 1), f"report posts: {reports}"
    assert home.tick(DUE) == [], "nothing is left for a later tick"


@pytest.mark.parametrize("crash", ["before-post", "after-post"])
def test_a_crash_in_the_report_round_then_a_tick_posts_each_report_once(
    tmp_path: Path, fake: FaultySlack, crash: str
) -> None:
    home = Home(tmp_path, fake)
    (case,) = report(home, 1)
    rc, out, err = home.run("tick", "--now", DUE, now=DUE, env={"CONDUCTBOT_TEST_CRASH": crash})
    assert rc == 3, out + err  # died in the middle of the report's delivery
    assert len(fake.posted(WHISTLE)) == (1 if crash == "after-post" else 0)
    (line,) = home.tick()
    assert ("maybe delivered" in line) if crash == "after-post" else ("maybe" not in line), line
    assert report_posts(fake) == {case: 1}, "once: not lost, not twice"
    assert home.tick() == []


def test_kill_9_while_posting_then_tick_again_neither_doubles_nor_loses(tmp_path: Path, fake: FaultySlack) -> None:
    home = Home(tmp_path, fake, post_timeout=20)
    subscribe(home, [f"slack:{p}" for p in SLACK_PLACES])
    (case,) = report(home, 1)
    fake.clear()
    fake.delay = 10.0  # posts arrive at once, their answers hang: the process dies waiting
    tick = home.start("tick", "--now", DUE, now=DUE)
    deadline = time.monotonic() + 60
    while len(fake.of("chat.postMessage")) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    os.kill(tick.pid, signal.SIGKILL)
    tick.wait(10)
    in_flight = len(fake.of("chat.postMessage"))
    assert in_flight == 4  # three reminders and the report, each to its own place, concurrently
    fake.delay = 0.0
    lines = home.tick()
    assert sum("maybe delivered" in line for line in lines) == in_flight, lines
    counts = reminder_posts(home, fake)
    assert set(counts) == {f"slack:{p}" for p in SLACK_PLACES} and set(counts.values()) == {1}, counts
    assert report_posts(fake) == {case: 1}
    assert home.tick() == []


def test_slack_errors_are_retried_and_a_failing_channel_blocks_no_other(tmp_path: Path, fake: FaultySlack) -> None:
    home = Home(tmp_path, fake, post_timeout=1.0)
    places = ["C0000001", "C0000002", "C0000003", "C0000004", "C0000005", "C0000006"]
    subscribe(home, [f"slack:{p}" for p in places])
    (case,) = report(home, 1)
    fake.clear()
    fake.script("C0000001", ("status", 500), ("status", 500))  # twice, then fine: retried within the round
    fake.script("C0000002", ("status", 503))
    fake.script("C0000003", ("ratelimited", 1))  # honours Retry-After
    fake.script("C0000004", ("not_ok", "internal_error"))
    fake.script("C0000005", ("slow", 3.0))  # posted, but answered after the timeout: maybe delivered
    fake.script("C0000006", *[("status", 500)] * 4)  # fails the whole round, then once more, then fine
    fake.script(WHISTLE, ("always", 500))  # the whistleblower channel keeps failing
    lines = home.tick()
    said = "\n".join(lines)
    for p in places[:4]:
        assert len(fake.posted(p)) == 1, said
    assert "maybe delivered" in said and len(fake.posted("C0000005")) == 1, said
    assert fake.attempts.count("C0000003") == 2 and fake.attempts.count("C0000001") == 3, fake.attempts
    assert "reminder" in said and "not posted (SlackApiError HTTP 500" in said, said
    assert fake.posted("C0000006") == [] and fake.posted(WHISTLE) == []
    fake.script(WHISTLE)  # the channel works again
    time.sleep(2.2)  # the failed reminder's and report's retry times (backoff) come
    lines = home.tick()
    assert len(fake.posted("C0000006")) == 1, lines
    assert report_posts(fake) == {case: 1}, lines
    assert home.tick() == []
    assert all(len(fake.posted(p)) == 1 for p in places), "nothing posted twice"
