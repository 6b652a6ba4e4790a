"""Privacy by design (issue 11), through the front door: `conductbot chat`, `case`, `forget`, `unanswered`.

What is checked: a reporter's typed addition after a login reaches the case sealed and nowhere else; a
passphrase alone is recognised and never stored; what a person describes just before asking to report is
not kept for HR; the data directory is 0700 and its files 0600; the secret key is never inside it; the
audit trail records handling without anyone's identity; `forget` erases one person; `-v` logs carry no
report text; and the README's privacy section names every table and file the bot writes.
"""

from __future__ import annotations

import re
import sqlite3
import stat
from pathlib import Path

from conftest import REPO, Cli, split_replies

CODE = re.compile(r"\bVB-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b")
PASSPHRASE = re.compile(r"\b[a-hj-np-z2-9]{5}(?:-[a-hj-np-z2-9]{5}){4}\b")


def chat(cli: Cli, lines: list[str], *args: str, verbose: bool = False) -> tuple[str, list[str]]:
    r = cli.run(*(("-v",) if verbose else ()), "chat", *args, stdin="".join(x + "\n" for x in lines))
    assert r.returncode == 0, str(r)
    return r.stderr, split_replies(r.stdout, lines)


def blobs(home: Path) -> dict[str, bytes]:
    return {str(p.relative_to(home)): p.read_bytes() for p in home.rglob("*") if p.is_file()}


def found(needle: str, data: dict[str, bytes]) -> list[str]:
    forms = {needle.encode(), needle.lower().encode(), needle.upper().encode()}
    return [name for name, b in data.items() if any(f in b for f in forms)]


def secret_key(cli: Cli) -> str:
    keys = sorted((cli.home.parent / f"{cli.home.name}-secrets").glob("vasteras-*.secret"))
    assert len(keys) == 1, keys
    return str(keys[0])


def test_a_whole_report_leaves_nothing_readable_and_the_addition_reaches_only_the_case(cli: Cli) -> None:
    cli.configure(report_delay_seconds=[0, 0])
    user = "MARKER-P9X2"
    before = "Chefen Åkerbladh på parkförvaltningen gav jobbet till sin svåger."
    report = "Enhetschefen Åkerbladh gav renoveringen till svågerns firma Kvarnblad Bygg utan upphandling."
    log1, replies = chat(
        cli,
        [before, "kan jag tipsa om det utan att det syns att det är jag?", report, "ok"],
        "--org", "vasteras", "--role", "employee", "--user", user, verbose=True,
    )  # fmt: skip
    assert "Skriv din rapport" in replies[1], replies[1]
    assert "Vill du skicka den?" in replies[2], replies[2]
    code, phrase = CODE.search(replies[3]).group(0), PASSPHRASE.search(replies[3]).group(0)  # type: ignore[union-attr]

    # the reporter logs in elsewhere and simply types the addition: asked once, then added, sealed
    addition = "Det hände i april, fakturan var på 480000 kronor, Kvarnblad skickade den."
    log2, (status, asked, added) = chat(cli, [f"{code} {phrase}", addition, "ja"], "--user", "phone", verbose=True)
    assert "mottaget" in status and "lägga till" in status.lower(), status
    assert "Vill du lägga till det här" in asked and "480000" in asked, asked
    assert f"tillagd i ärende {code}" in added, added

    # a passphrase alone is recognised, the code asked for, nothing stored
    log3, (alone,) = chat(cli, [phrase], "--user", "third", verbose=True)
    assert "ärendekod" in alone.lower() and "hittar jag inget" not in alone, alone

    shown = cli.run("case", "show", code, "--key", secret_key(cli))
    assert shown.returncode == 0, str(shown)
    assert report in shown.stdout and addition in shown.stdout, shown.stdout

    data = blobs(cli.home)
    logs = {"log1": log1.encode(), "log2": log2.encode(), "log3": log3.encode()}
    assert all("handled intent=" in v.decode() for v in logs.values()), "the -v logs were captured"
    outbox = data.get("outbox/vasteras.jsonl", b"").decode()
    assert code in outbox and "mottagen" in outbox, "the channel got the notice"
    for needle in (report, "Kvarnblad", "Åkerbladh", "480000", "svåger", phrase, user):
        assert not found(needle, data), f"{needle!r} stored in {found(needle, data)}"
        assert not found(needle, logs), f"{needle!r} logged in {found(needle, logs)}"
    unanswered = cli.run("unanswered").stdout
    assert "Åkerbladh" not in unanswered and "parkförvaltningen" not in unanswered, unanswered

    # the audit trail: who-less, with what was done and through which channel
    trail = cli.run("case", "log", code).stdout
    for action in ("received", "addition", "shown"):
        assert action in trail, trail
    assert "via cli" in trail and user not in trail and "phone" not in trail, trail


def test_files_are_private_and_the_secret_key_lives_outside(cli: Cli, tmp_path: Path) -> None:
    cli.configure(report_delay_seconds=[0, 0])
    chat(cli, ["/anmäl", "Någon i förrådet tar hem kontorsmaterial varje vecka.", "Skicka", "Vad är mobbning?"])
    assert stat.S_IMODE(cli.home.stat().st_mode) == 0o700
    for p in cli.home.rglob("*"):
        if p.name == "config.yaml":
            continue  # written by the test, not by the bot
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode & 0o077 == 0, f"{p} is {oct(mode)}"
    assert not list(cli.home.rglob("*.secret")), "no secret key inside the data directory"
    # `keys` refuses to write the secret key inside the data directory, and writes it where it is told
    bad = cli.run("keys", "--org", "alingsas", "--out", str(cli.home / "alingsas.secret"))
    assert bad.returncode == 2 and "inside the data directory" in bad.stderr, str(bad)
    good = cli.run("keys", "--org", "alingsas", "--out", str(tmp_path / "usb" / "alingsas.secret"))
    assert good.returncode == 0 and "Move the secret key off this server" in good.stdout, str(good)
    assert stat.S_IMODE((tmp_path / "usb" / "alingsas.secret").stat().st_mode) == 0o600
    # reading a case needs the key
    code = CODE.search(cli.run("case", "list").stdout).group(0)  # type: ignore[union-attr]
    nokey = cli.run("case", "show", code)
    assert nokey.returncode == 2 and "--key" in nokey.stderr, str(nokey)


def test_forget_erases_one_person(cli: Cli) -> None:
    who = "MARKER-F1"
    chat(cli, ["jag är chef i Alingsås", "påminn mig om medarbetarsamtal varje år"], "--user", who)
    chat(cli, ["jag är förtroendevald"], "--user", "someone-else")
    db = cli.home / "conductbot.sqlite3"
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM profiles").fetchone()[0] == 2
    assert con.execute("SELECT count(*) FROM schedules").fetchone()[0] == 1
    con.close()
    r = cli.run("forget", "--user", who)
    assert r.returncode == 0 and "rows deleted" in r.stdout, str(r)
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM profiles").fetchone()[0] == 1, "the other person is kept"
    assert con.execute("SELECT count(*) FROM schedules").fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM conversations WHERE owner IS NOT NULL").fetchone()[0] <= 1
    con.close()


def test_the_readme_names_every_table_and_file_the_bot_writes(cli: Cli) -> None:
    """Keeps the README's privacy section true: a table or file the bot writes must be listed there."""
    cli.configure(report_delay_seconds=[0, 0])
    chat(cli, ["/anmäl", "Kassan på fritids stämmer aldrig.", "Skicka", "Vad är kränkande särbehandling?", "2"])
    chat(cli, ["påminn mig om medarbetarsamtal varje år"], "--org", "alingsas", "--role", "manager")
    desk = cli.run("desk", "add-user", "--org", "vasteras", "--role", "hr", "--name", "hr", "--passphrase-stdin",
                   stdin="en lång lösenfras\n")  # fmt: skip
    assert desk.returncode == 0, str(desk)  # the desk's users table is described too
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Privacy: what is stored", 1)[1].split("\n## ", 1)[0]
    con = sqlite3.connect(cli.home / "conductbot.sqlite3")
    tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    con.close()
    for t in tables:
        if t.startswith("sqlite_"):
            continue
        assert f"`{t}`" in section, f"table {t} is not described in the README's privacy section"
    for p in cli.home.rglob("*"):
        name = p.name
        if p.is_dir() or name.startswith("conductbot.sqlite3") or name == "config.yaml":
            continue
        generic = name.replace("vasteras", "<org>").replace("alingsas", "<org>")
        assert generic in section, f"file {name} is not described in the README's privacy section"
