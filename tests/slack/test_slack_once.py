"""Exactly one answer per Slack request, across restarts and crashes; malformed requests refused at the
door; posts retried when Slack answers 429, 500 or 503. Signed requests to `conductbot serve`, the
Web API a local fake (tests/fakes/fake_slack.py)."""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))

import pytest
from conftest import SessionIndex
from fake_slack import TEAM, FakeSlack
from slack_harness import SECRET, SlackApp, sign, start_server, stop_server

QUESTION = "får jag ta emot en gåva från en leverantör?"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    f = FakeSlack().start()
    yield f
    f.stop()


@pytest.fixture(scope="module")
def slack(tmp_path_factory: pytest.TempPathFactory, session_index: SessionIndex, fake: FakeSlack) -> Iterator[SlackApp]:
    app = start_server(tmp_path_factory.mktemp("slack-once"), session_index.cache, fake)
    yield app
    stop_server(app)


def posts_to(fake: FakeSlack, channel: str) -> list[dict]:
    return [c.args for c in fake.of("chat.postMessage") if c.args.get("channel") == channel]


def test_one_answer_per_event_across_a_crash_and_a_restart(
    tmp_path: Path, session_index: SessionIndex, fake: FakeSlack
) -> None:
    app = start_server(tmp_path, session_index.cache, fake)
    try:
        assert app.dm("UONCE0001", QUESTION, event_id="EvONCE0001").status == 200
        fake.wait("chat.postMessage", where=lambda a: a["channel"] == "DONCE0001")
        # the next answer hangs in the Web API; the server is killed after its acknowledgement
        fake.hang.add("chat.postMessage")
        hung = fake.hung
        t0 = time.perf_counter()
        assert app.dm("UONCE0002", QUESTION, event_id="EvONCE0002").status == 200
        ack = time.perf_counter() - t0
        deadline = time.monotonic() + 30
        while fake.hung == hung:
            assert time.monotonic() < deadline, "the answer was never attempted"
            time.sleep(0.05)
        app.proc.kill()
        app.proc.wait(10)
        fake.hang.discard("chat.postMessage")
        app = start_server(tmp_path, session_index.cache, fake)
        # the answer owed from before the crash is given by the new process
        fake.wait("chat.postMessage", where=lambda a: a["channel"] == "DONCE0002", timeout=30)
        # Slack's retries of both events reach the new process: acknowledged, not answered again
        for event_id, user in (("EvONCE0001", "UONCE0001"), ("EvONCE0002", "UONCE0002")):
            r = app.dm(user, QUESTION, event_id=event_id, retry=1)
            assert r.status == 200
        time.sleep(1.5)
        assert len(posts_to(fake, "DONCE0001")) == 1 and len(posts_to(fake, "DONCE0002")) == 1
        assert "answered 1 requests owed from before the restart" in app.log_text()
        print(f"ack before the crash: {ack * 1000:.1f} ms")
    finally:
        stop_server(app)


def test_a_replayed_slash_command_is_not_run_again(slack: SlackApp) -> None:
    form = {
        "team_id": TEAM,
        "channel_id": "DREPLAY01",
        "user_id": "UREPLAY01",
        "command": "/bemotande",
        "text": "fyra frågor",
        "trigger_id": "trigger.replay.1",
        "response_url": f"{slack.fake.url}/response/replay",
    }
    body = urlencode(form).encode()
    headers = sign(body)  # the same signed bytes twice, inside Slack's five-minute window
    for _ in range(2):
        assert slack.post(body, "application/x-www-form-urlencoded", headers).status == 200
    slack.fake.wait("chat.postMessage", where=lambda a: a["channel"] == "DREPLAY01")
    time.sleep(1.0)
    assert len(posts_to(slack.fake, "DREPLAY01")) == 1


def test_posts_are_retried_after_429_500_and_503(slack: SlackApp) -> None:
    slack.fake.fail_http["chat.postMessage"] = [429, 500, 503]
    slack.fake.refused.clear()
    assert slack.dm("URETRY002", QUESTION).status == 200
    (answer,) = slack.fake.wait("chat.postMessage", where=lambda a: a["channel"] == "DRETRY002", timeout=30)
    assert "muta" in json.dumps(answer.args, ensure_ascii=False)
    assert slack.fake.refused == [("chat.postMessage", 429), ("chat.postMessage", 500), ("chat.postMessage", 503)]


def _event(**override: object) -> bytes:
    body: dict = {
        "type": "event_callback",
        "team_id": TEAM,
        "event_id": "EvBADSHAPE",
        "event": {"type": "message", "channel": "DBADSHP01", "user": "UBADSHP01", "text": "hej", "ts": "1.0"},
    }
    body.update(override)
    return json.dumps(body).encode()


def _interaction(payload: dict) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def test_malformed_requests_get_4xx_and_one_log_line(slack: SlackApp) -> None:
    good = _event()
    now = int(time.time())
    unsigned = [
        ({"X-Slack-Request-Timestamp": "abc", "X-Slack-Signature": sign(good)["X-Slack-Signature"]}, good),
        ({"X-Slack-Request-Timestamp": f"{now}.5", "X-Slack-Signature": "v0=" + "0" * 64}, good),
        ({"X-Slack-Request-Timestamp": "9" * 4300, "X-Slack-Signature": "v0=" + "0" * 64}, good),
        ({"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=" + "é" * 64}, good),
        ({"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v0=" + "0" * 64}, good),
        (
            {
                "X-Slack-Request-Timestamp": str(now - 400),
                **{"X-Slack-Signature": sign(good, timestamp=now - 400)["X-Slack-Signature"]},
            },
            good,
        ),
    ]
    for headers, body in unsigned:
        assert slack.post(body, "application/json", headers).status == 401, headers
    bad_json = [
        b"\xff\xfe not utf-8",
        b'{"type": "event_callback", "event_id": "Ev1", "event": {"type": "message", "text": "\\ud800"}}',
        b"[" * 100_000,
        b"{not json",
        _event(event="a string"),
        _event(event_id=5),
        _event(event={"type": "message", "user": {"id": 1}, "channel": "D1", "text": "x"}),
        _event(event={"type": "message", "user": "U1", "channel": "D1", "text": 12}),
    ]
    for body in bad_json:
        r = slack.signed(body, "application/json")
        assert r.status == 400, (body[:60], r)
    bad_forms = [
        b"command=%ff%fe&user_id=U1",
        b"hello",
        _interaction({"type": "block_actions", "user": "UBAD"}),
        _interaction({"type": "block_actions", "user": {"id": "U1"}, "actions": {"a": 1}}),
        _interaction(
            {"type": "view_submission", "user": {"id": "U1"}, "view": {"state": {"values": {"t": {"t": {"value": 5}}}}}}
        ),
        _interaction({"type": "block_actions", "user": {"id": "U1"}, "message": {"blocks": "x"}}),
    ]
    for body in bad_forms:
        r = slack.signed(body, "application/x-www-form-urlencoded")
        assert r.status == 400, (body[:60], r)
    assert slack.signed(b"{" + b" " * (2 * 1024 * 1024) + b"}", "application/json").status == 413
    with urllib.request.urlopen(slack.url + "/healthz", timeout=5) as r:
        assert r.status == 200
    log = slack.log_text()
    assert "Traceback" not in log and "Error handling request" not in log, log[-3000:]
    assert log.count("Slack request refused") >= len(unsigned) + len(bad_json) + len(bad_forms)
    time.sleep(0.5)
    assert not [c for c in slack.fake.calls if c.args.get("channel") in ("DBADSHP01", "D1")], "nothing answered"
    assert SECRET  # the harness signs with it
