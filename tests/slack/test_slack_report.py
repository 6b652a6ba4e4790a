"""The anonymous report on Slack: written, reviewed and sent in a modal, never in the message history.

A server of its own, logging at DEBUG (`-v`), so that its log can be searched: after a full report
started with the slash command, neither the data directory, nor the log, nor any call the fake Slack
API received (other than the whistleblower notice) holds the report's text, the passphrase, or the
reporter's user, team or channel ids.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))

import pytest
from conftest import REPO, SessionIndex
from fake_slack import TEAM, Call, FakeSlack
from slack_harness import WHISTLE, SlackApp, button, start_server, stop_server, text_of

CODE = re.compile(r"VB-[A-Z0-9]{4}-[A-Z0-9]{4}")
PHRASE = re.compile(r"[a-z2-9]{5}(?:-[a-z2-9]{5}){4}")
REPORT = "Min chef tar emot presentkort varje vecka från leverantören Fjärrvärme Nord och delar ut uppdragen."
ANSWER = "Tack, vi utreder detta noga."
# the core refuses secret text typed in the chat and seals the flow into the form (issue 11)
CORE_FORMS = any("flow_token" in p.read_text(encoding="utf-8") for p in (REPO / "intents").glob("*.py"))
needs_core = pytest.mark.skipif(not CORE_FORMS, reason="the core's side of the private form is not merged yet")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    f = FakeSlack().start()
    yield f
    f.stop()


@pytest.fixture(scope="module")
def slack(tmp_path_factory: pytest.TempPathFactory, session_index: SessionIndex, fake: FakeSlack) -> Iterator[SlackApp]:
    app = start_server(tmp_path_factory.mktemp("slack-report"), session_index.cache, fake, verbose=True)
    yield app
    stop_server(app)


def _blob(call: Call) -> str:
    return call.method + " " + json.dumps(call.args, ensure_ascii=False)


def _is_notice(call: Call) -> bool:
    return call.method == "chat.postMessage" and call.args.get("channel") == WHISTLE and not call.args.get("thread_ts")


def _files(home: Path) -> Iterator[tuple[Path, bytes]]:
    for path in home.rglob("*"):
        if path.is_file() and path.name != "config.yaml":  # the operator's file names the workspace
            yield path, path.read_bytes()


def test_a_report_from_the_slash_command_stays_in_the_modal(slack: SlackApp) -> None:
    user, channel, dm = "UREPORT01", "CREPORT01", "DREPORT01"
    assert slack.command(user, "anmäl", channel=channel).status == 200
    (opened,) = slack.fake.wait("views.open")
    view, view_id = opened.args["view"], opened.args["view_id_"]
    assert any(b["type"] == "input" for b in view["blocks"]) and "visselblås" in text_of(view).lower()
    assert not slack.fake.of("conversations.open") and not slack.fake.of("users.info"), "nothing named the person"
    # a refused text is shown on the field; the report's review and the case code come back in the ack
    bad = slack.submit(user, view, "@channel titta", view_id)
    assert bad.json()["response_action"] == "errors", bad.body
    review = slack.submit(user, view, REPORT, view_id).json()
    assert review["response_action"] == "update" and "Fjärrvärme Nord" in text_of(review["view"])
    assert review["view"]["submit"]["text"] == "Skicka", "sending is the modal's own submit"
    final = slack.submit(user, review["view"], None, view_id).json()
    assert final["response_action"] == "update", final
    code, phrase = CODE.search(text_of(final["view"])), PHRASE.search(text_of(final["view"]))
    assert code and phrase, text_of(final["view"])
    notice = slack.fake.wait("chat.postMessage", where=lambda a: a["channel"] == WHISTLE)[0]
    assert code.group(0) in notice.args["text"]
    before_login = len(slack.fake.calls)
    # a handler answers in the notice's thread
    slack.event(
        {
            "type": "message",
            "channel": WHISTLE,
            "channel_type": "channel",
            "user": "UHANDLER1",
            "text": f"{ANSWER} !kvittera",
            "ts": f"{time.time():.6f}",
            "thread_ts": notice.args["ts_"],
        }
    )
    slack.fake.wait("chat.postMessage", where=lambda a: a["channel"] == WHISTLE and a.get("thread_ts"))
    # the reporter types the case code in the DM: the passphrase is asked for in a form, the answer shown there
    slack.dm(user, code.group(0))
    ask = slack.fake.wait("chat.postMessage", where=lambda a: a["channel"] == dm)[-1].args
    el, _ = button(ask, "lösenfras")
    assert el["action_id"] == "open_input"
    slack.click(user, ask, "lösenfras")
    login = slack.fake.wait("views.open", 2)[-1].args
    status = slack.submit(user, login["view"], phrase.group(0), login["view_id_"]).json()
    assert status["response_action"] == "update" and ANSWER.split(",")[1].strip() in text_of(status["view"])
    time.sleep(0.5)
    # what the platform received: nothing of the report or the passphrase, and before the login (which
    # the reporter typed in the DM) nothing naming the reporter either
    secrets = [REPORT[:30], "Fjärrvärme Nord", phrase.group(0), ANSWER]
    ids = [user, channel, dm, TEAM]
    for n, call in enumerate(slack.fake.calls):
        if _is_notice(call) or call.method == "auth.test":  # the app's own token check names the workspace
            continue
        blob = _blob(call)
        for marker in secrets + (ids if n < before_login else []):
            assert marker not in blob, (marker, blob[:300])
    # the data directory and the log (at DEBUG) hold none of it
    for path, data in _files(slack.home):
        for marker in [*secrets, *ids]:
            assert marker.encode() not in data, (marker, path)
    log = slack.log_text()
    assert "DEBUG" in log, "the server logged at DEBUG"
    for marker in [*secrets, *ids]:
        assert marker not in log, marker


def test_closing_the_form_posts_nothing(slack: SlackApp) -> None:
    user = "UCLOSE001"
    n = len(slack.fake.of("views.open"))
    slack.command(user, "anmäl", channel="CGENERAL9")
    opened = slack.fake.wait("views.open", n + 1)[n].args
    n = len(slack.fake.calls)
    assert slack.close(user, opened["view"], opened["view_id_"]).status == 200
    time.sleep(0.5)
    assert not [c for c in slack.fake.calls[n:] if c.method.startswith("chat.")], "closing says it all"


def test_an_answer_slower_than_slacks_ack_window_still_reaches_the_modal(
    tmp_path: Path, session_index: SessionIndex, fake: FakeSlack
) -> None:
    """Slack takes a submit's acknowledgement for 3 s only: a slower answer is acknowledged with "one
    moment" and then shown with views.update, so the case code and passphrase are never lost."""
    app = start_server(tmp_path, session_index.cache, fake, {"CONDUCTBOT_SLACK_SUBMIT_WAIT": "0"})
    user = "USLOW0001"
    try:
        n = len(fake.of("views.open"))
        app.command(user, "anmäl", channel="CSLOW0001")
        opened = fake.wait("views.open", n + 1)[n].args
        first = app.submit(user, opened["view"], REPORT, opened["view_id_"]).json()
        assert first["response_action"] == "update" and "ögonblick" in text_of(first["view"]).lower()
        (review,) = fake.wait("views.update", where=lambda a: a["view_id"] == opened["view_id_"])
        assert "Fjärrvärme Nord" in text_of(review.args["view"])
        app.submit(user, review.args["view"], None, opened["view_id_"])
        final = fake.wait("views.update", 2, where=lambda a: a["view_id"] == opened["view_id_"])[1].args["view"]
        assert CODE.search(text_of(final)) and PHRASE.search(text_of(final)), text_of(final)
    finally:
        stop_server(app)


@needs_core
def test_a_report_typed_in_the_dm_is_refused_and_the_form_offered(slack: SlackApp) -> None:
    user, dm = "UTYPED001", "DTYPED001"
    slack.dm(user, "/anmäl")
    first = slack.fake.wait("chat.postMessage", where=lambda a: a["channel"] == dm)[-1].args
    assert button(first, "Skriv anmälan")[0]["action_id"] == "open_input", "the form's button"
    slack.dm(user, REPORT)
    again = slack.fake.wait("chat.postMessage", 2, where=lambda a: a["channel"] == dm)[-1].args
    assert button(again, "Skriv anmälan")[0]["action_id"] == "open_input", "refused, the form offered again"
    assert "Fjärrvärme" not in json.dumps(again, ensure_ascii=False)
    # the form from the first message still takes the report
    slack.click(user, first, "Skriv anmälan")
    form = slack.fake.wait("views.open", where=lambda a: dm in a["view"]["private_metadata"])[-1].args
    review = slack.submit(user, form["view"], REPORT, form["view_id_"]).json()
    assert "Fjärrvärme Nord" in text_of(review["view"]) and review["view"]["submit"]["text"] == "Skicka"
    for path, data in _files(slack.home):
        assert "Fjärrvärme".encode() not in data, path


@needs_core
def test_a_form_submitted_after_a_restart_is_still_the_report(
    tmp_path: Path, session_index: SessionIndex, fake: FakeSlack
) -> None:
    app = start_server(tmp_path, session_index.cache, fake)
    user = "URESTART1"
    try:
        n = len(fake.of("views.open"))
        app.command(user, "anmäl", channel="CRESTART1")
        opened = fake.wait("views.open", n + 1)[n].args
        review = app.submit(user, opened["view"], REPORT, opened["view_id_"]).json()
        stop_server(app)
        app = start_server(tmp_path, session_index.cache, fake)
        final = app.submit(user, review["view"], None, opened["view_id_"]).json()
        assert CODE.search(text_of(final["view"])) and PHRASE.search(text_of(final["view"])), final
    finally:
        stop_server(app)
