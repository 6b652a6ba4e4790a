"""The Teams endpoint under faults and bad input: malformed activities refused with 400 and one log line,
local mode refusing proxied requests, repeats and crashes answered exactly once, posts retried on 429
and 5xx, and text posted to Teams shown as typed (no Markdown or HTML of a report rendered)."""

from __future__ import annotations

import json
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))

import pytest
from conftest import SessionIndex
from fake_teams import FakeConnector
from teams_harness import WHISTLE, TeamsApp, activity, start_server, stop_server

QUESTION = "vem ska jag säga till om en kollega är full?"
TRAP = "Se [klicka här](https://evil.example/x) och ![bild](https://evil.example/i.png) **nu** <b>fet</b>"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeConnector]:
    f = FakeConnector().start()
    yield f
    f.stop()


@pytest.fixture(scope="module")
def teams(
    tmp_path_factory: pytest.TempPathFactory, session_index: SessionIndex, fake: FakeConnector
) -> Iterator[TeamsApp]:
    app = start_server(
        tmp_path_factory.mktemp("teams-robust"), session_index.cache, fake, config={"report_post": "full"}
    )
    yield app
    stop_server(app)


def test_malformed_activities_get_400_and_one_log_line(teams: TeamsApp) -> None:
    good = activity(teams.fake.url, "malformed1", "hej")
    bad: list[bytes] = [
        b"\xff\xfe",
        b"[" * 100_000,
        b'{"type": "message", "text": "\\udc00", "conversation": {"id": "a:x"}, "serviceUrl": "http://x/"}',
        json.dumps({**good, "conversation": "a string"}).encode(),
        json.dumps({**good, "from": ["x"]}).encode(),
        json.dumps({**good, "text": 12}).encode(),
        json.dumps({**good, "conversation": {"id": 5}}).encode(),
        json.dumps({**good, "value": {"choice": {"x": 1}}}).encode(),
        json.dumps({**good, "membersAdded": [{"id": 1}]}).encode(),
        json.dumps({**good, "serviceUrl": None}).encode(),
        json.dumps({**good, "type": 7}).encode(),
    ]
    for body in bad:
        r = teams.post(body)
        assert r.status == 400, (body[:80], r)
    assert teams.post(b"x" * (2 * 1024 * 1024)).status == 413
    with urllib.request.urlopen(teams.url + "/healthz", timeout=5) as r:
        assert r.status == 200
    log = teams.log_text()
    assert "Traceback" not in log and "Error handling request" not in log, log[-3000:]
    assert log.count("Teams request refused") >= len(bad)
    time.sleep(0.5)
    assert not teams.fake.of("a:personal-malformed1")


def test_local_mode_refuses_forwarded_requests(teams: TeamsApp) -> None:
    body = activity(teams.fake.url, "proxied01", QUESTION)
    for header in ({"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=203.0.113.9"}, {"X-Real-IP": "203.0.113.9"}):
        assert teams.post(body, header).status == 401, header
    time.sleep(0.5)
    assert not teams.fake.of("a:personal-proxied01")
    assert teams.post(body).status == 201  # the same activity, not forwarded, is taken
    teams.fake.wait("a:personal-proxied01")


def test_a_repeated_activity_is_answered_once(teams: TeamsApp) -> None:
    body = activity(teams.fake.url, "repeat001", QUESTION)
    for _ in range(3):
        assert teams.post(body).status == 201
    teams.fake.wait("a:personal-repeat001", 2)  # the answer, then the question which role the person has
    time.sleep(1.0)
    texts = [s.text for s in teams.fake.of("a:personal-repeat001")]
    assert len(texts) == 2 and len(set(texts)) == 2, texts


def test_replies_are_retried_after_429_and_503(teams: TeamsApp) -> None:
    teams.fake.refused.clear()
    teams.fake.fail_http[:] = [429, 503]
    teams.message("retry0001", QUESTION)
    answer = teams.fake.wait("a:personal-retry0001", timeout=30)[0]
    assert "chef" in answer.text
    assert teams.fake.refused == [429, 503]


def test_text_posted_to_teams_shows_as_typed(teams: TeamsApp) -> None:
    user, conv = "trap00001", "a:personal-trap00001"
    teams.message(user, "anmäl")
    (card,) = teams.fake.wait(conv)
    data = next(a["data"] for a in card.actions() if a["data"].get("msteams"))
    form = teams.invoke(user, "task/fetch", data).json()["task"]["value"]["card"]["content"]
    submit = next(a["data"] for a in form["actions"] if a["data"].get("input"))
    review = teams.invoke(user, "task/submit", {**submit, "text": TRAP}).json()["task"]["value"]["card"]["content"]
    quoted = json.dumps(review, ensure_ascii=False)
    assert '"type": "TextRun", "text": "' + TRAP.replace('"', '\\"') in quoted, "the draft as a TextRun (no Markdown)"
    send = next(a["data"] for a in review["actions"] if a["title"] == "Skicka")
    teams.invoke(user, "task/submit", send)
    post = teams.fake.wait(WHISTLE, kind="send", timeout=20)[0]
    assert post.body.get("textFormat") == "xml"
    if "evil.example" in post.text:  # the organisation posts the full text (report_post: full)
        assert "[" not in post.text and "![" not in post.text and "<b>" not in post.text, post.text
        assert "&#91;klicka här&#93;(https://evil.example/x)" in post.text and "&lt;b&gt;fet&lt;/b&gt;" in post.text
    for sent in teams.fake.sent:
        if sent.body.get("text"):
            assert sent.body.get("textFormat") == "xml", sent.body


def test_an_answer_lost_in_a_crash_is_given_after_the_restart(
    tmp_path: Path, session_index: SessionIndex, fake: FakeConnector
) -> None:
    app = start_server(tmp_path, session_index.cache, fake)
    body = activity(fake.url, "crash0001", QUESTION)
    try:
        fake.hang, hung = True, fake.hung
        assert app.post(body).status == 201
        deadline = time.monotonic() + 30
        while fake.hung == hung:
            assert time.monotonic() < deadline, "the answer was never attempted"
            time.sleep(0.05)
        app.proc.kill()
        app.proc.wait(10)
        fake.hang = False
        app = start_server(tmp_path, session_index.cache, fake)
        answer = fake.wait("a:personal-crash0001", timeout=30)[0]
        assert "chef" in answer.text
        time.sleep(1.0)
        given = len(fake.of("a:personal-crash0001"))
        assert app.post(body).status == 201, "a repeat after the restart is acknowledged"
        time.sleep(1.0)
        texts = [s.text for s in fake.of("a:personal-crash0001")]
        assert len(texts) == given and len(set(texts)) == len(texts), texts
        assert "answered 1 requests owed from before the restart" in app.log_text()
    finally:
        stop_server(app)
