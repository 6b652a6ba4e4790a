"""The Teams bot through the front door: Bot Framework activities posted to `conductbot serve`, replies
captured by a local fake connector at the activities' serviceUrl (tests/fakes/fake_teams.py)."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))

import pytest
from conftest import SessionIndex, run_cli
from fake_teams import FakeConnector
from teams_harness import LEADERS, MANAGERS, TeamsApp, activity, object_id, start_server, stop_server


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeConnector]:
    f = FakeConnector().start()
    f.members[MANAGERS] = {object_id("manager01")}
    f.members[LEADERS] = {object_id("leader01")}
    yield f
    f.stop()


@pytest.fixture(scope="module")
def teams(
    tmp_path_factory: pytest.TempPathFactory, session_index: SessionIndex, fake: FakeConnector
) -> Iterator[TeamsApp]:
    app = start_server(tmp_path_factory.mktemp("teams"), session_index.cache, fake)
    yield app
    stop_server(app)


def test_personal_chat_names_the_manager_and_cites_the_code(teams: TeamsApp) -> None:
    r = teams.message("employee01", "vem ska jag säga till om en kollega är full?")
    assert r.status == 201, r  # acknowledged; the answer follows (ack latency: scripts/bench_teams.py)
    first = teams.fake.wait("a:personal-employee01")[0]
    assert first.kind == "reply", "answers reply to the activity"
    assert "chef" in first.text and "Bemötandekod" in first.text, first.text
    assert any(a["data"]["choice"].startswith("fb:up") for a in first.actions()), "feedback buttons on the card"


def test_role_from_an_entra_group(teams: TeamsApp) -> None:
    teams.message("employee02", "vem ska jag säga till om en kollega är full?")
    assert "roll" in teams.fake.wait("a:personal-employee02", 2)[1].text, "no group: the role is asked"
    teams.message("manager01", "vem ska jag säga till om en kollega är full?")
    first = teams.fake.wait("a:personal-manager01")[0]
    time.sleep(1.0)
    assert len(teams.fake.of("a:personal-manager01")) == 1, "the manager's role came from the group"
    assert "chef" in first.text
    assert object_id("manager01") in teams.fake.graph_calls


def test_channel_mention_is_answered_in_the_reply_chain(teams: TeamsApp) -> None:
    chain = "19:general01@thread.tacv2;messageid=1700000000001"
    teams.message(
        "chan01", "får jag ta emot en gåva från en leverantör?", conversation=chain, channel=True, mention=True
    )
    answer = teams.fake.wait("19:general01@thread.tacv2")[0]
    assert answer.conversation == chain
    assert "Bemötandeboten" not in answer.text.split("\n")[0], "the mention is not part of the question"
    assert "muta" in answer.text


def test_four_question_check_with_card_submissions(teams: TeamsApp) -> None:
    teams.message("fqc01", "fyra frågor")
    card = teams.fake.wait("a:personal-fqc01")[0]
    assert card.body["attachments"][0]["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card.body["attachments"][0]["content"]["version"] == "1.5"
    first_action = card.actions()[0]
    teams.message("fqc01", value=first_action["data"], reply_to=card.activity_id)
    second = teams.fake.wait("a:personal-fqc01", 2)[1]
    assert second.text and second.text != card.text
    # answer "yes" to the questions as they come, until the check is done
    for _ in range(6):
        last = teams.fake.of("a:personal-fqc01")[-1]
        yes = [a for a in last.actions() if a.get("title", "").casefold() in ("ja", "yes")]
        if not yes:
            break
        n = len(teams.fake.of("a:personal-fqc01"))
        teams.message("fqc01", value=yes[0]["data"], reply_to=last.activity_id)
        teams.fake.wait("a:personal-fqc01", n + 1)
    assert "4" in teams.fake.of("a:personal-fqc01")[-2].text or teams.fake.of("a:personal-fqc01")[-1].text


def test_private_replies_are_not_posted_in_a_channel(teams: TeamsApp) -> None:
    chain = "19:general02@thread.tacv2;messageid=1700000000002"
    teams.message("chan02", "anmäl anonymt", conversation=chain, channel=True, mention=True)
    note = teams.fake.wait("19:general02@thread.tacv2")[0]
    assert "personlig chatt" in note.text and not note.has_input()


def test_references_are_sealed(teams: TeamsApp) -> None:
    """A stored reference (for later posts) names no conversation and no person at rest; a personal
    chat's carries a keyed hash of its person (for `forget`), and its time is the day."""
    teams.message("proactive1", "hej")
    teams.fake.wait("a:personal-proactive1")
    db = teams.home / "conductbot.sqlite3"
    import sqlite3

    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT conversation, ref, updated, owner FROM teams_references").fetchall()
    assert rows, "references are stored"
    raw = json.dumps(rows)
    assert "proactive1" not in raw and "personal" not in raw and "msteams" not in raw, raw[:300]
    assert all(r[2] % 86400 == 0 for r in rows), "times rounded to the day"
    assert any(r[3] for r in rows), "a personal chat's reference names its person by keyed hash"


def test_rejected_requests(teams: TeamsApp, tmp_path: Path, session_index: SessionIndex, fake: FakeConnector) -> None:
    assert teams.post(b"{not json").status == 400
    assert teams.post({"type": "message"}).status == 400
    assert teams.post(b"x" * (2 * 1024 * 1024)).status == 413
    # with an app id configured, a request without a valid Bot Framework token is refused and changes nothing
    app = start_server(
        tmp_path,
        session_index.cache,
        fake,
        {"MicrosoftAppId": "00000000-0000-0000-0000-0000000000aa", "MicrosoftAppPassword": "not-a-secret"},
    )
    try:
        r = app.post(activity(fake.url, "noauth01", "vem ska jag säga till om en kollega är full?"))
        assert r.status == 401, r
        r = app.post(activity(fake.url, "noauth01", "hej"), {"Authorization": "Bearer not.a.token"})
        assert r.status == 401, r
        time.sleep(1.0)
        assert not fake.of("a:personal-noauth01")
    finally:
        stop_server(app)


def test_group_leader_posts_a_prompt_to_the_channel(teams: TeamsApp) -> None:
    chain = "19:group01@thread.tacv2;messageid=1700000000009"
    teams.message("leader01", "samtalsfråga", conversation=chain, channel=True, mention=True)
    prompt = teams.fake.wait("19:group01@thread.tacv2", kind="send")[0]
    assert prompt.conversation == "19:group01@thread.tacv2", "a new post in the channel, not in the thread"
    assert "replyToId" not in prompt.body, "a new thread, not a reply to a made-up activity id"
    assert "Samtalsfråga" in prompt.text
    assert [a["title"] for a in prompt.actions()] == ["1", "2", "3", "4", "5"]
    confirm = teams.fake.wait(chain, kind="reply")[0]
    assert "postad" in confirm.text


def test_reminder_reaches_a_personal_chat_proactively(teams: TeamsApp, session_index: SessionIndex) -> None:
    """A manager subscribes in Teams; `conductbot tick` (cron) later posts through the stored reference."""
    conv = "a:personal-manager01"
    earlier = len(teams.fake.of(conv))  # other tests may have talked in this chat already
    teams.message("manager01", "påminnelser")
    listing = teams.fake.wait(conv, earlier + 1)[earlier]
    before = len(teams.fake.of(conv))
    choice = next(a for a in listing.actions() if "värdegrunden levande" in a["title"])
    teams.message("manager01", value=choice["data"], reply_to=listing.activity_id)
    done = teams.fake.wait(conv, before + 1)[-1]
    when = re.search(r"(\d{4}-\d\d-\d\d) (\d\d:\d\d)", done.text)
    assert when, done.text
    now = f"{when.group(1)}T{when.group(2)}"
    r = run_cli(
        ["tick", "--now", now], teams.home, session_index.cache, env={"CONDUCTBOT_TEAMS": "1", "CONDUCTBOT_NOW": now}
    )
    assert f"to teams:{conv}" in r.stdout, str(r)
    post = teams.fake.wait(conv, kind="send")[0]
    assert "Håll värdegrunden levande" in post.text
    assert [a["title"] for a in post.actions()] == ["Gå igenom fyra frågor"]
