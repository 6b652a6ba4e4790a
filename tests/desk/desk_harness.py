"""The desk under test: `conductbot serve` with `desk:` configured, on 127.0.0.1, over a data directory
with a report made through `conductbot chat` and desk users made with `conductbot desk add-user`.

Shared by the HTTP security tests and the browser tests in tests/desk.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))

from conftest import Cli, clean_env, split_replies
from slack_harness import free_port, launch, stop_process

CODE = re.compile(r"\bVB-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b")
PASSPHRASE = re.compile(r"\b[a-hj-np-z2-9]{5}(?:-[a-hj-np-z2-9]{5}){4}\b")

OLD_REPORT = "Någon på förrådet tar hem kontorsmaterial varje vecka."  # made ten days ago: its 7 days are over
REPORT = "Enhetschefen Grönqvist på tekniska kontoret attesterar sina egna reseräkningar till Mallorca."
HANDLER, HANDLER_PASS = "handlaren-MARKER-H7", "korrekt häst batteri häftklammer"
HR, HR_PASS = "hr-MARKER-R4", "gröna äpplen i en röd korg"
OTHER, OTHER_PASS = "kommun-handler-MARKER-K2", "en annan kommun har egna nycklar"  # kommun's handler
LOCKED, LOCKED_PASS = "glomsk-MARKER-L9", "den här användaren glömmer"


@dataclass
class DeskServer:
    """The running server, its data directory, and the report made before it started."""

    url: str
    cli: Cli
    proc: Any
    log: Path
    code: str
    phrase: str
    old_code: str

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def chat(self, lines: list[str], *args: str) -> list[str]:
        """`conductbot chat ARGS` over scripted lines, against the server's data directory."""
        r = self.cli.run("chat", *args, stdin="".join(line + "\n" for line in lines))
        assert r.returncode == 0, str(r)
        return split_replies(r.stdout, lines)


def secrets_dir(cli: Cli) -> Path:
    return cli.home.parent / f"{cli.home.name}-secrets"


def add_user(cli: Cli, name: str, passphrase: str, org: str, role: str, key: Path | None = None) -> None:
    args = ["desk", "add-user", "--org", org, "--role", role, "--name", name, "--passphrase-stdin"]
    if key is not None:
        args += ["--secret-key", str(key)]
    r = cli.run(*args, stdin=passphrase + "\n")
    assert r.returncode == 0 and "desk user added" in r.stdout, str(r)


def report(cli: Cli, text: str, env: dict[str, str] | None = None) -> tuple[str, str]:
    """A report through `conductbot chat`: its case code and passphrase."""
    lines = ["/anmäl", text, "Skicka"]
    r = cli.run("chat", "--user", "reporter-MARKER-U1", stdin="\n".join(lines) + "\n", env=env)
    sent = split_replies(r.stdout, lines)
    code, phrase = CODE.search(sent[2]), PASSPHRASE.search(sent[2])
    assert code and phrase, sent
    return code.group(0), phrase.group(0)


def start_desk(tmp: Path, cache: Path, desk: dict[str, Any]) -> DeskServer:
    """A data directory with one report and the desk's users, and the server over it (with -v)."""
    import yaml

    home = tmp / "home"
    cli = Cli(home, cache)
    cli.configure(report_delay_seconds=[0, 0], deliver_every_seconds=0.5, desk=desk)
    key = secrets_dir(cli) / "vasteras.secret"
    kommun_key = tmp / "usb" / "kommun.secret"
    for org, out in (("vasteras", key), ("kommun", kommun_key)):
        r = cli.run("keys", "--org", org, "--out", str(out))
        assert r.returncode == 0, str(r)
    ten_days_ago = dt.datetime.fromtimestamp(time.time() - 10 * 86400, dt.UTC).isoformat(timespec="seconds")
    with ThreadPoolExecutor(4) as pool:  # independent runs, at once: the set-up takes seconds, not tens
        reports = [
            pool.submit(report, cli, OLD_REPORT, {"CONDUCTBOT_NOW": ten_days_ago}),
            pool.submit(report, cli, REPORT),
        ]
        users = [
            pool.submit(add_user, cli, HANDLER, HANDLER_PASS, "vasteras", "handler", key),
            pool.submit(add_user, cli, HR, HR_PASS, "vasteras", "hr"),
            pool.submit(add_user, cli, OTHER, OTHER_PASS, "kommun", "handler", kommun_key),
            pool.submit(add_user, cli, LOCKED, LOCKED_PASS, "vasteras", "hr"),
        ]
        (old, _), (code, phrase) = (f.result() for f in reports)
        for f in users:
            f.result()
    assert yaml.safe_load((home / "config.yaml").read_text())["desk"] == desk
    proc, url, log = launch(tmp, clean_env(home, cache), free_port(), verbose=True)
    return DeskServer(url, cli, proc, log, code, phrase, old)


def stop_desk(server: DeskServer) -> None:
    stop_process(server.proc)
