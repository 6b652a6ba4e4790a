"""Teams posts through the Agents SDK's connector client: a 429 waits for its Retry-After and 5xx back off
before the post is tried again, a connector that cannot be reached costs one answer and not the server,
no refusal puts a conversation id in the log, and a reminder is posted proactively, through the
reference stored before a restart, by the restarted server (retried when the connector first refuses)."""

from __future__ import annotations

import itertools
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))

import pytest
from conftest import SessionIndex
from fake_teams import FakeConnector
from slack_harness import free_port
from teams_harness import MANAGERS, TeamsApp, activity, object_id, start_server, stop_server

QUESTION = "vem ska jag säga till om en kollega är full?"


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeConnector]:
    f = FakeConnector().start()
    f.members[MANAGERS] = {object_id("remind0001")}
    yield f
    f.stop()


@pytest.fixture(scope="module")
def teams(
    tmp_path_factory: pytest.TempPathFactory, session_index: SessionIndex, fake: FakeConnector
) -> Iterator[TeamsApp]:
    app = start_server(tmp_path_factory.mktemp("teams-connector"), session_index.cache, fake, verbose=True)
    yield app
    stop_server(app)


def test_a_429_waits_for_its_retry_after_and_5xx_back_off(teams: TeamsApp) -> None:
    fake, conv = teams.fake, "a:personal-backoff01"
    fake.refused.clear()
    fake.refused_at.clear()
    fake.fail_http[:] = [429, 503, 502]
    teams.message("backoff01", QUESTION)
    answer = fake.wait(conv, timeout=30)[0]
    assert "chef" in answer.text and fake.refused == [429, 503, 502]
    tries = [*fake.refused_at, answer.at]
    gaps = [later - earlier for earlier, later in itertools.pairwise(tries)]
    # Retry-After: 1, then backoff 1 s and 2 s (0.5 s doubled for each attempt)
    assert gaps[0] >= 0.9 and gaps[1] >= 0.9 and gaps[2] >= 1.8, gaps
    time.sleep(0.5)
    assert [s.text for s in fake.of(conv)].count(answer.text) == 1, "posted once"
    log = teams.log_text()
    assert "connector answered HTTP 429; retrying in 1.0 s" in log
    assert conv not in log, "no refusal names the conversation"


def test_an_unreachable_connector_costs_one_answer_not_the_server(teams: TeamsApp) -> None:
    dead = f"http://127.0.0.1:{free_port()}/"  # nothing listens there (a port no other test worker picks)
    conv = "a:personal-nowhere01"
    assert teams.post(activity(dead, "nowhere01", QUESTION)).status == 201
    deadline = time.monotonic() + 30
    while "connector unreachable for a reply" not in teams.log_text():
        assert time.monotonic() < deadline, "the failed reply was never reported"
        time.sleep(0.2)
    assert conv not in teams.log_text()
    teams.message("nowhere02", QUESTION)
    assert "chef" in teams.fake.wait("a:personal-nowhere02", timeout=30)[0].text, "the next activity is answered"


def test_a_reminder_after_a_restart_goes_through_the_stored_reference(
    tmp_path: Path, session_index: SessionIndex, fake: FakeConnector
) -> None:
    user, conv = "remind0001", "a:personal-remind0001"
    fake.fail_http.clear()
    app = start_server(tmp_path, session_index.cache, fake)
    try:
        app.message(user, "påminnelser")
        listing = fake.wait(conv)[0]
        choice = next(a for a in listing.actions() if "värdegrunden levande" in a["title"])
        before = len(fake.of(conv))
        app.message(user, value=choice["data"], reply_to=listing.activity_id)
        when = re.search(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d)", fake.wait(conv, before + 1)[-1].text)
        assert when, fake.of(conv)[-1].text
        stop_server(app)
        assert not fake.of(conv, kind="send"), "nothing posted proactively before it is due"
        fake.refused.clear()
        fake.fail_http[:] = [503]
        app = start_server(tmp_path, session_index.cache, fake, {"CONDUCTBOT_NOW": f"{when[1]}T{when[2]}"})
        post = fake.wait(conv, kind="send", timeout=30)[0]
        assert "Håll värdegrunden levande" in post.text and fake.refused == [503]
        assert post.body["conversation"]["id"] == conv and "replyToId" not in post.body
        time.sleep(1.5)  # a few delivery rounds: the reminder is not posted again
        assert len(fake.of(conv, kind="send")) == 1
    finally:
        stop_server(app)
