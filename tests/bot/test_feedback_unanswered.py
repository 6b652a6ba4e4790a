"""Feedback and the unanswered list: every policy answer in chat asks "Hjälpte det? 👍 / 👎"; a 👎 or
an abstention puts the question on `conductbot unanswered`, with counts, as text only: no user id in
the output or anywhere under CONDUCTBOT_HOME; questions older than `unanswered_keep_days` go.

Scripted `conductbot chat` runs and `conductbot unanswered` in the same data directory.
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import Cli, Run, transcript

MARKER = "MARKER-U123"

KS_SV = "Vad är kränkande särbehandling?"
CORRUPTION_EN = "What counts as corruption?"
WIFI_SV = "Vad är lösenordet till wifi?"
CAPITAL_EN = "What is the capital of France?"

ROW = re.compile(r"^\s*(\d+)\s+(\S+)\s+(not answered|👎)\s+(.+?)\s*$")


def unanswered(cli: Cli, *args: str) -> tuple[Run, dict[tuple[str, str, str], int]]:
    """`conductbot unanswered`: the run, and its rows as {(org, why, question): count}."""
    r = cli.run("unanswered", *args)
    assert r.returncode == 0, str(r)
    rows: dict[tuple[str, str, str], int] = {}
    for line in r.stdout.splitlines():
        m = ROW.match(line)
        if m:
            rows[(m.group(2), m.group(3), m.group(4))] = int(m.group(1))
    return r, rows


def all_bytes(home: Path) -> bytes:
    files = [p for p in home.rglob("*") if p.is_file()]
    assert files, f"nothing under {home}"
    return b"".join(p.read_bytes() for p in files)


def test_policy_answers_offer_feedback_and_thumbs_down_and_abstentions_are_listed(cli: Cli) -> None:
    lines = [KS_SV, "2", CORRUPTION_EN, "1", WIFI_SV, "vad är lösenordet till WIFI?", CAPITAL_EN]
    ks, down, corruption, up, wifi1, wifi2, capital = transcript(
        cli, lines, "--org", "vasteras", "--role", "employee", "--user", MARKER
    )
    # a policy answer asks whether it helped, with 👍/👎 as choices, in the question's language
    assert "förnedras och blir behandlad annorlunda" in ks
    assert ks.endswith("Hjälpte det?\n[1] 👍  [2] 👎"), ks
    assert corruption.endswith("Did that help?\n[1] 👍  [2] 👎"), corruption
    assert "Frågan går vidare till HR" in down or "The question goes to HR" in down, down
    assert "Tack, skönt att höra!" in up or "Thanks, good to hear!" in up, up
    # abstentions do not ask for feedback
    for reply in (wifi1, wifi2, capital):
        assert "Hjälpte det?" not in reply and "Did that help?" not in reply and "👍" not in reply, reply

    r, rows = unanswered(cli)
    assert rows.get(("vasteras", "👎", KS_SV.lower())) == 1, r.stdout
    assert rows.get(("vasteras", "not answered", WIFI_SV.lower())) == 2, r.stdout  # same question, twice
    assert rows.get(("vasteras", "not answered", CAPITAL_EN.lower())) == 1, r.stdout
    # a 👍 does not put the question on the list
    assert "corruption" not in r.stdout, r.stdout
    assert len(rows) == 3, r.stdout
    # most frequent first
    first_row = next(line for line in r.stdout.splitlines() if ROW.match(line))
    assert "wifi" in first_row, r.stdout

    # no user id in the output, nor anywhere in the data directory (the SQLite file included)
    assert MARKER.lower() not in r.stdout.lower() and MARKER.lower() not in r.stderr.lower()
    assert (cli.home / "conductbot.sqlite3").is_file()
    data = all_bytes(cli.home)
    assert b"wifi" in data.lower()  # the questions are stored, so the search below can see stored text
    assert MARKER.lower().encode() not in data.lower()
    assert MARKER.encode("utf-16-le") not in data


def test_feedback_thanks_are_in_the_language_of_the_conversation(cli: Cli) -> None:
    """An English question's 👎 is acknowledged in English (the click itself carries no words)."""
    _answer, down = transcript(cli, [CORRUPTION_EN, "2"], "--org", "vasteras", "--role", "employee", "--user", "F2")
    assert "The question goes to HR" in down, down


def test_unanswered_is_per_organisation_and_survives_restarts(cli: Cli) -> None:
    transcript(cli, [WIFI_SV], "--org", "vasteras", "--user", "F3")
    transcript(cli, [WIFI_SV, CAPITAL_EN], "--org", "alingsas", "--user", "F3")
    _r, rows = unanswered(cli)
    assert rows.get(("vasteras", "not answered", WIFI_SV.lower())) == 1, rows
    assert rows.get(("alingsas", "not answered", WIFI_SV.lower())) == 1, rows
    r, only = unanswered(cli, "--org", "alingsas")
    assert set(only) == {
        ("alingsas", "not answered", WIFI_SV.lower()),
        ("alingsas", "not answered", CAPITAL_EN.lower()),
    }, r.stdout


def test_questions_older_than_keep_days_are_not_listed(cli: Cli) -> None:
    transcript(cli, [KS_SV, "2", WIFI_SV], "--org", "vasteras", "--role", "employee", "--user", "F4")
    r, rows = unanswered(cli)
    assert len(rows) == 2, r.stdout  # listed under the default keep time
    cli.configure(unanswered_keep_days=0)
    r, rows = unanswered(cli)
    assert rows == {}, r.stdout
    assert "wifi" not in r.stdout and "kränkande" not in r.stdout
    assert "No unanswered questions." in r.stdout
