"""The Slack app under test: `conductbot serve` on 127.0.0.1 with its Web API calls going to a local fake.

Imported by tests/slack (with tests/fakes on sys.path) and scripts/bench_slack.py.

Requests are signed as Slack signs them (v0 HMAC-SHA256 of `v0:timestamp:body` with the signing
secret) and shaped as Slack documents them: event callbacks as JSON, slash commands and
interactivity as forms.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import yaml
from conftest import REPO, clean_env
from fake_slack import TEAM, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-test-token"
WHISTLE = "CWHISTLE1"
MANAGERS = "SMANAGERS"
LEADERS = "SLEADERS"
_ids = itertools.count(1)


def free_port() -> int:
    """A free port on 127.0.0.1 below the kernel's ephemeral range (so no outgoing connection takes it); with
    several pytest-xdist workers, one only this worker may pick (its number modulo the worker count is the
    worker's index), so two workers' servers never meet."""
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT") or 1)
    index = int((os.environ.get("PYTEST_XDIST_WORKER") or "gw0").removeprefix("gw") or 0)
    for _ in range(200):
        port = random.randrange(20000 // count, 32000 // count) * count + index
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port for this worker")


def sign(body: bytes, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Response:
    status: int
    body: str
    seconds: float

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class SlackApp:
    """The running server and the fake Slack it talks to."""

    url: str
    fake: FakeSlack
    home: Path
    proc: subprocess.Popen[bytes]
    log: Path

    def post(self, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> Response:
        req = urllib.request.Request(
            self.url + "/slack/events",
            data=body,
            method="POST",
            headers={"Content-Type": content_type, **(headers or {})},
        )
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return Response(r.status, r.read().decode(), time.perf_counter() - t0)
        except urllib.error.HTTPError as e:
            return Response(e.code, e.read().decode(), time.perf_counter() - t0)

    def signed(self, body: bytes, content_type: str, **kw: Any) -> Response:
        extra = kw.pop("headers", {})
        return self.post(body, content_type, {**sign(body, **kw), **extra})

    def event(self, event: dict[str, Any], event_id: str | None = None, retry: int | None = None) -> Response:
        body = {
            "token": "unused",
            "team_id": TEAM,
            "api_app_id": "A0000001",
            "event": {"event_ts": event.get("ts", "1.0"), **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
        }
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return self.signed(json.dumps(body).encode(), "application/json", headers=headers)

    def dm(self, user: str, text: str, **kw: Any) -> Response:
        ts = f"{time.time():.6f}"
        return self.event(
            {"type": "message", "channel": "D" + user[1:], "user": user, "text": text, "ts": ts, "channel_type": "im"},
            **kw,
        )

    def command(self, user: str, text: str, channel: str | None = None) -> Response:
        form = {
            "token": "unused",
            "team_id": TEAM,
            "team_domain": "kommunen",
            "channel_id": channel or "D" + user[1:],
            "channel_name": "directmessage",
            "user_id": user,
            "user_name": "someone",
            "command": "/bemotande",
            "text": text,
            "api_app_id": "A0000001",
            "response_url": f"{self.fake.url}/response/{next(_ids)}",
            "trigger_id": f"trigger.{next(_ids)}",
        }
        return self.signed(urlencode(form).encode(), "application/x-www-form-urlencoded")

    def interact(self, payload: dict[str, Any]) -> Response:
        payload = {"team": {"id": TEAM, "domain": "kommunen"}, "api_app_id": "A0000001", "token": "unused", **payload}
        body = urlencode({"payload": json.dumps(payload)}).encode()
        return self.signed(body, "application/x-www-form-urlencoded")

    def click(self, user: str, message: dict[str, Any], label_part: str, ephemeral: bool = False) -> Response:
        """Click the button whose label contains `label_part` in a posted message (its chat.postMessage args)."""
        el, block = button(message, label_part)
        channel = str(message.get("channel"))
        ts = message.get("ts_") or message.get("ts") or f"{time.time():.6f}"
        container = {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": ephemeral}
        if message.get("thread_ts"):
            container["thread_ts"] = message["thread_ts"]
        return self.interact(
            {
                "type": "block_actions",
                "user": {"id": user, "team_id": TEAM},
                "trigger_id": f"trigger.{next(_ids)}",
                "container": container,
                "channel": {"id": channel},
                "message": {"ts": ts, "text": message.get("text", ""), "blocks": message["blocks"]},
                "response_url": f"{self.fake.url}/response/{next(_ids)}",
                "actions": [
                    {
                        "type": "button",
                        "action_id": el["action_id"],
                        "block_id": block.get("block_id", "b"),
                        "text": el["text"],
                        "value": el["value"],
                        "action_ts": f"{time.time():.6f}",
                    }
                ],
            }
        )

    def submit(self, user: str, view: dict[str, Any], text: str | None, view_id: str = "V0001") -> Response:
        """Submit a modal with `text` in its text field (None: a view without one, e.g. a review's "Skicka")."""
        values = {} if text is None else {"text": {"text": {"type": "plain_text_input", "value": text}}}
        return self.interact(
            {
                "type": "view_submission",
                "user": {"id": user, "team_id": TEAM},
                "trigger_id": f"trigger.{next(_ids)}",
                "view": {
                    **view,
                    "id": view_id,
                    "hash": "h1",
                    "state": {"values": values},
                },
            }
        )

    def close(self, user: str, view: dict[str, Any], view_id: str = "V0001") -> Response:
        return self.interact(
            {
                "type": "view_closed",
                "user": {"id": user, "team_id": TEAM},
                "view": {**view, "id": view_id},
                "is_cleared": False,
            }
        )

    def click_view(self, user: str, view: dict[str, Any], label_part: str, view_id: str = "V0001") -> Response:
        """Click a button inside a modal."""
        el, block = button(view, label_part)
        return self.interact(
            {
                "type": "block_actions",
                "user": {"id": user, "team_id": TEAM},
                "trigger_id": f"trigger.{next(_ids)}",
                "container": {"type": "view", "view_id": view_id},
                "view": {**view, "id": view_id, "hash": "h2"},
                "actions": [
                    {
                        "type": "button",
                        "action_id": el["action_id"],
                        "block_id": block.get("block_id", "b"),
                        "text": el["text"],
                        "value": el.get("value", ""),
                        "action_ts": f"{time.time():.6f}",
                    }
                ],
            }
        )

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def button(blocks_of: dict[str, Any], label_part: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The button (and its block) whose label contains `label_part`, in a message or a view."""
    labels = []
    for block in blocks_of.get("blocks") or []:
        if block.get("type") != "actions":
            continue
        for el in block.get("elements") or []:
            labels.append(el["text"]["text"])
            if label_part.casefold() in el["text"]["text"].casefold():
                return el, block
    raise AssertionError(f"no button {label_part!r} in {labels}")


def text_of(blocks_of: dict[str, Any]) -> str:
    """All text in a message's or view's blocks, and its notification text."""
    parts = [str(blocks_of.get("text") or "")]
    for block in blocks_of.get("blocks") or []:
        t = block.get("text")
        if isinstance(t, dict):
            parts.append(t.get("text", ""))
        for el in block.get("elements") or []:
            if isinstance(el.get("text"), dict):
                parts.append(el["text"].get("text", ""))
            elif isinstance(el.get("text"), str):
                parts.append(el["text"])
    return "\n".join(parts)


def start_server(
    tmp: Path,
    cache: Path,
    fake: FakeSlack,
    extra_env: dict[str, str] | None = None,
    args: list[str] | None = None,
    verbose: bool = False,
) -> SlackApp:
    home = tmp / "home"
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.yaml").write_text(
        yaml.safe_dump(
            {
                "channels": {"vasteras": {"whistleblower": f"slack:{WHISTLE}"}},
                "report_delay_seconds": [0, 0],
                "deliver_every_seconds": 0.3,
                "slack": {
                    "workspaces": {TEAM: "vasteras"},
                    "user_groups": {MANAGERS: "manager", LEADERS: "group_leader"},
                },
            }
        ),
        encoding="utf-8",
    )
    port = free_port()
    env = clean_env(
        home,
        cache,
        {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            **(extra_env or {}),
        },
    )
    proc, url, log = launch(tmp, env, port, args, verbose)
    return SlackApp(url, fake, home, proc, log)


def launch(
    tmp: Path, env: dict[str, str], port: int, args: list[str] | None = None, verbose: bool = False
) -> tuple[Any, str, Path]:
    """Start `conductbot serve` on 127.0.0.1:port (`-v`: logging at DEBUG) and wait until /healthz answers.

    The log is appended to, so that a restart keeps what the first run wrote."""
    log = tmp / "server.log"
    flags = ["-v"] if verbose else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", *flags, "serve", "--host", "127.0.0.1", "--port", str(port), *(args or [])],
        cwd=REPO,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return proc, url, log
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("server did not start:\n" + log.read_text(errors="replace"))
        time.sleep(0.2)


def stop_process(proc: Any) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def stop_server(app: SlackApp) -> None:
    stop_process(app.proc)
