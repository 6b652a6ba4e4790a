"""The command line with hostile input: invalid UTF-8, lone surrogates, blank and malformed batch
lines, unknown organisations and roles, and stored text holding control characters."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time

from conftest import REPO, Cli, clean_env


def run_bytes(cli: Cli, args: list[str], stdin: bytes, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
    cli.home.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        cwd=REPO,
        env=clean_env(cli.home, cli.cache),
        timeout=timeout,
    )


def test_batch_keeps_one_answer_per_non_empty_line_whatever_the_lines_hold(cli: Cli) -> None:
    lines = [
        json.dumps({"id": "ok1", "org": "vasteras", "q": "Vad är kränkande särbehandling?"}).encode(),
        b"",  # blank: skipped, no output line
        b'{"id": "bytes", "q": "Vad \xff\xfe \xc3 \xe4r trakasserier?"}',  # invalid UTF-8: replaced
        b'{"id": "sur", "q": "Vad \\ud800 \xc3\xa4r mutor?"}',  # a lone surrogate: that line's error
        b"   ",
        json.dumps({"id": "org", "org": "nowhere", "q": "Hej"}).encode(),
        json.dumps({"id": "role", "role": "boss", "q": "Hej"}).encode(),
        b"[" * 100_000,  # nested too deeply to read
        json.dumps({"id": "ok2", "org": "alingsas", "q": "Is smoking allowed during working hours?"}).encode(),
    ]
    p = run_bytes(cli, ["ask", "--json", "--batch", "-"], b"\n".join(lines) + b"\n")
    out = [json.loads(line) for line in p.stdout.decode().splitlines()]
    assert len(out) == 7, p.stdout.decode() + p.stderr.decode()
    assert [o.get("id") for o in out] == ["ok1", "bytes", "sur", "org", "role", None, "ok2"]
    errors = {o.get("id"): o.get("error", "") for o in out}
    assert not errors["ok1"] and not errors["bytes"] and not errors["ok2"]
    assert "surrogate" in errors["sur"] and "nowhere" in errors["org"] and "boss" in errors["role"]
    assert "line 8" in errors[None]
    assert out[-1]["citations"], out[-1]
    assert p.returncode == 1 and b"Traceback" not in p.stderr


def test_chat_reads_invalid_utf8_with_replacement(cli: Cli) -> None:
    p = run_bytes(cli, ["chat", "--org", "vasteras"], b"Vad \xff\xe4r trakasserier?\nVad \xc3\xa4r mutor?\n")
    assert p.returncode == 0 and b"Traceback" not in p.stderr, p.stderr.decode()
    assert p.stdout.decode().count("> ") >= 2


def test_unknown_organisation_exits_2_with_one_line(cli: Cli) -> None:
    for args in (
        ["eval", "-"],
        ["remind", "add", "medarbetarsamtal", "--org", "nowhere", "--role", "manager"],
        ["unanswered", "--org", "nowhere"],
    ):
        if args[0] == "eval":
            path = cli.home / "set.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps({"q": "Hej", "org": "nowhere"}) + "\n", encoding="utf-8")
            args = ["eval", str(path)]
        r = cli.run(*args)
        assert r.returncode == 2, str(r)
        assert len(r.stderr.strip().splitlines()) == 1 and "nowhere" in r.stderr, str(r)


def test_unanswered_escapes_control_characters(cli: Cli) -> None:
    assert cli.run("unanswered").returncode == 0  # creates the database
    forged = "fråga\n    9  3  vasteras   forged\x1b[31m\u202e"
    with sqlite3.connect(cli.home / "conductbot.sqlite3") as db:
        for asker in ("a1", "a2", "a3"):  # three people: the theme's wording is shown
            db.execute(
                "INSERT INTO question_log(org, role, lang, reason, text, theme, asker, passages, day)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                ("vasteras", "employee", "sv", "abstained", forged, "forg fråg", asker, "[]", time.time()),
            )
    r = cli.run("unanswered")
    assert r.returncode == 0, str(r)
    rows = r.stdout.strip().splitlines()
    assert len(rows) == 2, r.stdout  # the header and one row: the newline did not forge a second
    assert "\x1b" not in r.stdout and "\u202e" not in r.stdout
    assert "\\n" in rows[1] and "\\x1b" in rows[1]
