"""The Teams bot under test: `conductbot serve` on 127.0.0.1 (CONDUCTBOT_TEAMS=1, no app id), with
activities posted as the Bot Framework sends them and replies going to a local fake connector.

Imported by tests/teams (with tests/fakes on sys.path) and scripts/bench_teams.py.
"""

from __future__ import annotations

import itertools
import json
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from conftest import clean_env
from fake_teams import FakeConnector
from slack_harness import Response, free_port, launch, stop_process

TENANT = "72f988bf-0000-4000-8000-000000000001"
BOT = "28:bemotandeboten"
WHISTLE = "19:whistle0001@thread.tacv2"
MANAGERS = "6a1b2c3d-0000-4000-8000-00000000aaaa"
LEADERS = "6a1b2c3d-0000-4000-8000-00000000bbbb"
_ids = itertools.count(1)


@dataclass
class TeamsApp:
    url: str
    fake: FakeConnector
    home: Path
    proc: subprocess.Popen[bytes]
    log: Path

    def post(self, activity: dict[str, Any] | bytes, headers: dict[str, str] | None = None) -> Response:
        body = activity if isinstance(activity, bytes) else json.dumps(activity).encode()
        req = urllib.request.Request(
            self.url + "/api/messages",
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", **(headers or {})},
        )
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return Response(r.status, r.read().decode(), time.perf_counter() - t0)
        except urllib.error.HTTPError as e:
            return Response(e.code, e.read().decode(), time.perf_counter() - t0)

    def message(
        self,
        user: str,
        text: str = "",
        conversation: str | None = None,
        channel: bool = False,
        value: dict[str, Any] | None = None,
        reply_to: str | None = None,
        locale: str = "sv-SE",
        mention: bool = False,
    ) -> Response:
        return self.post(activity(self.fake.url, user, text, conversation, channel, value, reply_to, locale, mention))

    def invoke(self, user: str, name: str, data: dict[str, Any], conversation: str | None = None) -> Response:
        """An invoke activity (`task/fetch`, `task/submit`: a dialog opened or submitted), as Teams sends it;
        the answer is in the HTTP response."""
        body = activity(self.fake.url, user, conversation=conversation)
        body.pop("text", None)
        body.update({"type": "invoke", "name": name, "value": {"data": data, "context": {"theme": "default"}}})
        return self.post(body)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def activity(
    service_url: str,
    user: str,
    text: str = "",
    conversation: str | None = None,
    channel: bool = False,
    value: dict[str, Any] | None = None,
    reply_to: str | None = None,
    locale: str = "sv-SE",
    mention: bool = False,
) -> dict[str, Any]:
    conv_id = conversation or f"a:personal-{user}"
    body: dict[str, Any] = {
        "type": "message",
        "id": f"1{next(_ids):012d}",
        "timestamp": "2026-11-22T10:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": f"29:{user}", "name": "Someone", "aadObjectId": object_id(user)},
        "conversation": {
            "id": conv_id,
            "conversationType": "channel" if channel else "personal",
            "tenantId": TENANT,
            "isGroup": channel,
        },
        "recipient": {"id": BOT, "name": "Bemötandeboten"},
        "locale": locale,
        "channelData": {"tenant": {"id": TENANT}},
    }
    if mention:
        body["text"] = f"<at>Bemötandeboten</at> {text}"
        body["entities"] = [
            {"type": "mention", "text": "<at>Bemötandeboten</at>", "mentioned": {"id": BOT, "name": "Bemötandeboten"}}
        ]
    else:
        body["text"] = text
    if value is not None:
        body["value"] = value
        body.pop("text", None)
    if reply_to:
        body["replyToId"] = reply_to
    return body


def object_id(user: str) -> str:
    """The person's Entra object id in the test activities."""
    return f"00000000-0000-0000-0000-{user[-12:]:0>12}"


def start_server(
    tmp: Path,
    cache: Path,
    fake: FakeConnector,
    extra_env: dict[str, str] | None = None,
    config: dict | None = None,
    verbose: bool = False,
) -> TeamsApp:
    home = tmp / "home"
    home.mkdir(parents=True, exist_ok=True)
    settings = {
        "channels": {"vasteras": {"whistleblower": f"teams:{WHISTLE}"}},
        "report_delay_seconds": [0, 0],
        "deliver_every_seconds": 0.3,
        "teams": {
            "tenants": {TENANT: "vasteras"},
            "service_url": fake.url,
            "groups": {MANAGERS: "manager", LEADERS: "group_leader"},
        },
        **(config or {}),
    }
    (home / "config.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    port = free_port()
    env = clean_env(home, cache, {"CONDUCTBOT_TEAMS": "1", "GRAPH_API_URL": fake.url, **(extra_env or {})})
    proc, url, log = launch(tmp, env, port, verbose=verbose)
    return TeamsApp(url, fake, home, proc, log)


def stop_server(app: TeamsApp) -> None:
    stop_process(app.proc)
