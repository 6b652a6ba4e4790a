"""The Slack app through the front door: signed HTTP requests to `conductbot serve`, Slack's Web API a
local fake that records every call (tests/fakes/fake_slack.py)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))

import pytest
from conftest import SessionIndex, run_cli
from fake_slack import BOT_USER, TEAM, FakeSlack
from slack_harness import LEADERS, MANAGERS, SlackApp, start_server, stop_server, text_of


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    f = FakeSlack().start()
    f.groups[MANAGERS] = ["UMANAGER1"]
    f.groups[LEADERS] = ["ULEADER01"]
    yield f
    f.stop()


@pytest.fixture(scope="module")
def slack(tmp_path_factory: pytest.TempPathFactory, session_index: SessionIndex, fake: FakeSlack) -> Iterator[SlackApp]:
    app = start_server(tmp_path_factory.mktemp("slack"), session_index.cache, fake)
    yield app
    stop_server(app)


QUESTION = "who do I tell if a colleague is intoxicated?"


def posts(app: SlackApp, channel: str, count: int = 1, timeout: float = 30.0) -> list[dict]:
    return [c.args for c in app.fake.wait("chat.postMessage", count, timeout, where=lambda a: a["channel"] == channel)]


def test_dm_question_is_answered_with_the_manager_and_the_code(slack: SlackApp) -> None:
    r = slack.dm("UEMPLOY01", QUESTION)
    assert r.status == 200, r
    assert r.body == "", "acknowledged with an empty 200; the answer follows (ack latency: scripts/bench_slack.py)"
    answer = posts(slack, "DEMPLOY01")[0]
    text = text_of(answer)
    assert "manager" in text.lower(), text
    assert "Bemötandekod" in text and "&gt;" not in answer["text"][:3], text
    assert answer.get("thread_ts") in (None, ""), "a DM is answered in the DM, not in a thread"
    assert any(b["type"] == "actions" for b in answer["blocks"]), "feedback buttons"
    call = slack.fake.of("chat.postMessage")[0]
    assert call.token == "xoxb-test-token"
    # feedback: a click is acknowledged, the buttons are replaced, and a thank-you follows
    r = slack.click("UEMPLOY01", answer, "👍")
    assert r.status == 200
    slack.fake.wait("chat.update", where=lambda a: a["channel"] == "DEMPLOY01")
    ask_role = posts(slack, "DEMPLOY01", 2)[1]
    assert "role" in ask_role["text"], "the role question follows as its own message"
    thanks = posts(slack, "DEMPLOY01", 3)[2]
    assert text_of(thanks).strip(), thanks


def test_retries_never_answer_twice(slack: SlackApp) -> None:
    first = slack.dm("URETRY001", "får jag ta emot en gåva från en leverantör?", event_id="EvRETRY1")
    assert first.status == 200
    for n in (1, 2):
        again = slack.dm("URETRY001", "får jag ta emot en gåva från en leverantör?", event_id="EvRETRY1", retry=n)
        assert again.status == 200
    posts(slack, "DRETRY001")
    time.sleep(1.0)
    assert len(slack.fake.of("chat.postMessage")) >= 1
    assert len([c for c in slack.fake.of("chat.postMessage") if c.args["channel"] == "DRETRY001"]) == 1


def test_bad_signatures_get_401_and_change_nothing(slack: SlackApp) -> None:
    body = json.dumps(
        {
            "type": "event_callback",
            "team_id": TEAM,
            "event_id": "EvBAD0001",
            "event": {
                "type": "message",
                "channel": "DBADSIG01",
                "user": "UBADSIG01",
                "text": QUESTION,
                "ts": "1.1",
                "channel_type": "im",
            },
        }
    ).encode()
    assert slack.post(body, "application/json").status == 401  # no signature
    assert (
        slack.post(
            body, "application/json", {"X-Slack-Signature": "v0=00", "X-Slack-Request-Timestamp": str(int(time.time()))}
        ).status
        == 401
    )
    assert slack.signed(body, "application/json", secret="not-the-secret").status == 401
    assert slack.signed(body, "application/json", timestamp=int(time.time()) - 6 * 60).status == 401  # replayed
    # malformed or oversized bodies: a clear 4xx, also when signed
    bad = slack.signed(b"{not json", "application/json")
    assert bad.status == 400 and "malformed" in bad.body
    assert slack.signed(b"hello", "text/plain").status == 400
    big = b'{"type": "event_callback", "x": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    assert slack.signed(big, "application/json").status == 413
    time.sleep(0.8)
    assert not [c for c in slack.fake.calls if c.args.get("channel") == "DBADSIG01"], "nothing was answered"
    # a good signature on the same body is accepted, proving the rejections were about the signature
    assert slack.signed(body, "application/json").status == 200
    posts(slack, "DBADSIG01")


def test_mention_answers_in_the_thread_and_the_thread_continues(slack: SlackApp) -> None:
    ts = f"{time.time():.6f}"
    r = slack.event(
        {
            "type": "app_mention",
            "channel": "CGENERAL1",
            "user": "UCHAN0001",
            "text": f"<@{BOT_USER}> får jag ta emot en gåva från en leverantör?",
            "ts": ts,
        }
    )
    assert r.status == 200
    answer = posts(slack, "CGENERAL1")[0]
    assert answer["thread_ts"] == ts, "a channel is answered in the mention's thread"
    assert "Bemötandekod" in text_of(answer) and "muta" in text_of(answer), text_of(answer)
    before = len(posts(slack, "CGENERAL1"))
    # a reply in the thread without a mention continues the conversation
    slack.event(
        {
            "type": "message",
            "channel": "CGENERAL1",
            "channel_type": "channel",
            "user": "UCHAN0001",
            "text": "vem ska jag säga till om en kollega är full?",
            "ts": f"{time.time():.6f}",
            "thread_ts": ts,
        }
    )
    second = posts(slack, "CGENERAL1", before + 1)[before]
    assert second["thread_ts"] == ts
    assert "chef" in text_of(second).lower()
    # messages in threads the bot is not in are not answered
    slack.event(
        {
            "type": "message",
            "channel": "CGENERAL1",
            "channel_type": "channel",
            "user": "UCHAN0001",
            "text": "vem ska jag säga till?",
            "ts": f"{time.time():.6f}",
            "thread_ts": "1600000000.000001",
        }
    )
    time.sleep(1.0)
    assert all(p["thread_ts"] == ts for p in posts(slack, "CGENERAL1"))


def test_slash_command_four_question_check_with_buttons(slack: SlackApp) -> None:
    r = slack.command("UFOURQ001", "fyra frågor", channel="CGENERAL1")
    assert r.status == 200
    assert "direktmeddelande" in r.body, "said where the answer goes"
    (first,) = posts(slack, "DFOURQ001")
    assert first["text"].strip(), first
    # click through: each click is acknowledged, the clicked buttons are replaced, the next step follows
    slack.click("UFOURQ001", first, "")  # the first button, whatever it is
    updated = slack.fake.wait("chat.update", where=lambda a: a["channel"] == "DFOURQ001")
    assert not any(b["type"] == "actions" for b in updated[0].args["blocks"])
    second = posts(slack, "DFOURQ001", 2)[1]
    assert second["text"] != first["text"]
    for word in ("hjälp", "help"):
        assert slack.command("UFOURQ002", word).status == 200
    helps = posts(slack, "DFOURQ002", 2)
    assert all(any(b["type"] == "actions" for b in h["blocks"]) for h in helps), "help offers its menu as buttons"


def test_app_home_shows_profile_and_role_from_user_group(slack: SlackApp) -> None:
    slack.event({"type": "app_home_opened", "user": "UMANAGER1", "channel": "DMANAGER1", "tab": "home", "ts": "1.2"})
    (home,) = [c.args for c in slack.fake.wait("views.publish", where=lambda a: a["user_id"] == "UMANAGER1")]
    text = text_of(home["view"])
    assert home["view"]["type"] == "home"
    assert "Västerås" in text and "chef" in text, text  # organisation from the workspace, role from the group
    slack.fake.locales["UENGLISH1"] = "en-GB"
    slack.event({"type": "app_home_opened", "user": "UENGLISH1", "channel": "DENGLISH1", "tab": "home", "ts": "1.3"})
    (home,) = [c.args for c in slack.fake.wait("views.publish", where=lambda a: a["user_id"] == "UENGLISH1")]
    assert "Your profile" in text_of(home["view"]), "the Slack locale picks the language"


def test_private_replies_in_a_channel_are_ephemeral_and_the_form_opens_from_them(slack: SlackApp) -> None:
    ts = f"{time.time():.6f}"
    slack.event(
        {
            "type": "app_mention",
            "channel": "CGENERAL2",
            "user": "UPRIVATE1",
            "text": f"<@{BOT_USER}> anmäl anonymt",
            "ts": ts,
        }
    )
    (eph,) = [c.args for c in slack.fake.wait("chat.postEphemeral", where=lambda a: a["channel"] == "CGENERAL2")]
    assert eph["user"] == "UPRIVATE1" and eph["thread_ts"] == ts
    assert not [c for c in slack.fake.of("chat.postMessage") if c.args["channel"] == "CGENERAL2"], "nothing public"
    assert "formuläret" in text_of(eph), "the report is written in the form, not in the channel"
    # the "write the report" button opens the form
    slack.click("UPRIVATE1", {**eph, "ts_": eph.get("ts_") or ts}, "Skriv anmälan", ephemeral=True)
    opened = slack.fake.wait("views.open", where=lambda a: "CGENERAL2" in a["view"]["private_metadata"])[0]
    assert any(b["type"] == "input" for b in opened.args["view"]["blocks"])


def test_socket_mode_answers_without_a_public_url(tmp_path: Path, session_index: SessionIndex, fake: FakeSlack) -> None:
    app = start_server(tmp_path, session_index.cache, fake, {"SLACK_APP_TOKEN": "xapp-1-test"}, ["--socket-mode"])
    try:
        body = {
            "team_id": TEAM,
            "api_app_id": "A0000001",
            "type": "event_callback",
            "event_id": "EvSOCKET01",
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel": "DSOCKET01",
                "user": "USOCKET01",
                "text": QUESTION,
                "ts": "1.5",
                "channel_type": "im",
                "event_ts": "1.5",
            },
        }
        fake.push(
            {
                "envelope_id": "env-1",
                "type": "events_api",
                "accepts_response_payload": False,
                "retry_attempt": 0,
                "payload": body,
            }
        )
        answer = fake.wait("chat.postMessage", where=lambda a: a["channel"] == "DSOCKET01")[0].args
        assert "manager" in answer["text"]
        assert any(a.get("envelope_id") == "env-1" for a in fake.socket_acks), "the envelope was acknowledged"
        assert any(c.token == "xapp-1-test" for c in fake.of("apps.connections.open"))
    finally:
        stop_server(app)


def test_group_leader_posts_a_prompt_to_a_channel_and_the_pulse_stays_anonymous(slack: SlackApp) -> None:
    r = slack.command("ULEADER01", "samtalsfråga", channel="CGROUP001")
    assert r.status == 200
    (prompt,) = posts(slack, "CGROUP001")
    assert "Samtalsfråga" in prompt["text"] and "&gt;" in prompt["text"], "a prompt quoting its passage"
    assert len(next(b for b in prompt["blocks"] if b["type"] == "actions")["elements"]) == 5
    confirm = posts(slack, "DLEADER01")[0]
    assert "postad" in confirm["text"]
    # five people answer the pulse; results only from the fifth answer, and only to the one who answered
    for n, voter in enumerate(("UVOTE0001", "UVOTE0002", "UVOTE0003", "UVOTE0004", "UVOTE0005"), start=1):
        slack.click(voter, prompt, "4" if n % 2 else "2")
        eph = slack.fake.wait("chat.postEphemeral", where=lambda a, v=voter: a["user"] == v)[0].args
        assert f"{n} har svarat" in eph["text"], eph["text"]
        assert ("medel" in eph["text"]) == (n >= 5), eph["text"]
    assert not [c for c in slack.fake.of("chat.postMessage") if c.args["channel"] == "CGROUP001"][1:], "no public tally"
    assert not [c for c in slack.fake.of("chat.update") if c.args["channel"] == "CGROUP001"], "nobody's answer shown"
    # an employee cannot post prompts
    slack.command("UEMPLOY09", "samtalsfråga", channel="CGROUP002")
    assert "gruppledare" in posts(slack, "DEMPLOY09")[0]["text"]
    assert not [c for c in slack.fake.of("chat.postMessage") if c.args["channel"] == "CGROUP002"]


def test_cron_tick_and_prompt_post_reach_slack_without_the_server(slack: SlackApp, session_index: SessionIndex) -> None:
    """`conductbot tick` and `prompt post` from cron post through Slack's Web API, as the server does."""
    env = {"SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_API_URL": slack.fake.api_url}
    r = run_cli(
        ["prompt", "post", "--org", "vasteras", "--channel", "slack:CCRON0001"],
        slack.home,
        session_index.cache,
        env=env,
    )
    assert r.returncode == 0, str(r)
    (post,) = posts(slack, "CCRON0001")
    assert "Samtalsfråga" in post["text"]
    r = run_cli(
        ["remind", "add", "vardegrund-levande", "--org", "vasteras", "--role", "manager", "--place", "slack:UMANAGER1"],
        slack.home,
        session_index.cache,
        env={**env, "CONDUCTBOT_NOW": "2027-03-10T12:00"},
    )
    assert "first 2027-04-05 08:30" in r.stdout, str(r)
    r = run_cli(
        ["tick", "--now", "2027-04-05T08:30"],
        slack.home,
        session_index.cache,
        env={**env, "CONDUCTBOT_NOW": "2027-04-05T08:30"},
    )
    assert "vardegrund-levande to slack:UMANAGER1" in r.stdout, str(r)
    (reminder,) = posts(slack, "UMANAGER1")  # a user id: Slack posts it in the app's DM
    assert "Håll värdegrunden levande" in reminder["text"] and "ständigt arbeta" in reminder["text"]


def test_reminders_subscribed_in_a_channel_go_to_the_person(slack: SlackApp, session_index: SessionIndex) -> None:
    slack.command("UMANAGER1", "påminn mig om korruption-genomgang", channel="CGENERAL3")
    done = posts(slack, "DMANAGER1")[-1]
    assert "Klart" in done["text"], done["text"]
    r = run_cli(["remind", "list", "--all"], slack.home, session_index.cache)
    (line,) = [x for x in r.stdout.splitlines() if "korruption-genomgang" in x]
    assert line.endswith("slack:UMANAGER1"), line  # the person's DM, not the channel it was typed in
