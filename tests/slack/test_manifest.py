"""manifest/slack/manifest.yaml declares what the adapter listens to and asks for exactly the scopes
the Web API methods it calls need."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from adapters.slack import app as slack_app
from adapters.slack.server import PATH

REPO = Path(__file__).resolve().parents[2]
MANIFEST = yaml.safe_load((REPO / "manifest" / "slack" / "manifest.yaml").read_text(encoding="utf-8"))


def _methods_called() -> set[str]:
    source = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "adapters" / "slack").glob("*.py"))
    return set(re.findall(r"\bclient\.(\w+)\(", source))


def test_events_commands_and_interactivity_match_the_adapter() -> None:
    settings = MANIFEST["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == set(slack_app.SlackFrontEnd.EVENTS)
    commands = MANIFEST["features"]["slash_commands"]
    assert [c["command"] for c in commands] == list(slack_app.SlackFrontEnd.COMMANDS)
    assert settings["interactivity"]["is_enabled"] is True
    for url in (settings["event_subscriptions"]["request_url"], settings["interactivity"]["request_url"]):
        assert url.endswith(PATH)
    assert all(c["url"].endswith(PATH) for c in commands)
    assert "socket_mode_enabled" in settings
    home = MANIFEST["features"]["app_home"]
    assert home["home_tab_enabled"] and home["messages_tab_enabled"] and not home["messages_tab_read_only_enabled"]
    assert MANIFEST["features"]["bot_user"]["display_name"]
    assert len(MANIFEST["display_information"]["long_description"]) >= 175  # Slack's minimum


def test_scopes_are_exactly_what_is_used() -> None:
    called = _methods_called()
    assert called, "found the Web API calls"
    unknown = called - set(slack_app.METHOD_SCOPES)
    assert not unknown, f"methods without a declared scope: {unknown}"
    needed = {slack_app.METHOD_SCOPES[m] for m in called} | {
        slack_app.EVENT_SCOPES[e] for e in slack_app.SlackFrontEnd.EVENTS
    }
    needed = {s for s in needed if s} | {slack_app.COMMAND_SCOPE}
    assert set(MANIFEST["oauth_config"]["scopes"]["bot"]) == needed
