"""Anonymous reports to the whistleblower function (issue 4), through the front door.

Every test drives the real `conductbot` command in a fresh data directory: scripted `conductbot chat`
transcripts for the reporter, `conductbot case ...` for the case handlers, and `conductbot tick --now`
as the clock the tests control (a case's creation time is the real clock at the moment it is sent, so
the `--now` values are computed from the current time). The terminal deployment posts to the local
outbox, `<home>/outbox/<org>.jsonl`, which stands in for the whistleblower channel.

What is checked, beyond the transcripts: nothing is stored before the report is confirmed; the
reporter's identity appears in no byte of the data directory, the logs or the posts; report text,
additions, answers and the passphrase are not in the SQLite files (main, -wal, -shm); bad input is
refused with a clear message and leaves nothing behind; deadline reminders and retention fire once,
at the right time.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from conftest import DOC_EMPLOYEES, REPO, Cli, Run, clean_env, split_replies

CODE = re.compile(r"\bVB-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b")
PASSPHRASE = re.compile(r"\b[a-hj-np-z2-9]{5}(?:-[a-hj-np-z2-9]{5}){4}\b")
WEB_FORM = "vasteras.se/visselblåsarfunktion"
DAY = 86400.0

ROUTING_SV = "Jag misstänker korruption i Västerås, vem ska jag vända mig till?"
ROUTING_EN = "I suspect corruption in Västerås, who do I report it to?"
OFFER_SV = "Anonym rapport via boten"
OFFER_EN = "Anonymous report via the bot"


# -- helpers -------------------------------------------------------------------------------------


def talk(cli: Cli, lines: list[str], *args: str, verbose: bool = False) -> tuple[Run, list[str]]:
    """`conductbot [-v] chat ARGS` over scripted lines: the run and the reply to each line."""
    pre = ("-v",) if verbose else ()
    r = cli.run(*pre, "chat", *args, stdin="".join(line + "\n" for line in lines))
    assert r.returncode == 0, str(r)
    return r, split_replies(r.stdout, lines)


def admin(cli: Cli, *args: str, verbose: bool = False, ok: bool = True) -> Run:
    """`conductbot [-v] ARGS` (case, tick, keys); asserts success unless `ok` is False."""
    r = cli.run(*(("-v",) if verbose else ()), *args)
    if ok:
        assert r.returncode == 0, str(r)
    return r


def tick(cli: Cli, at: float | None = None, verbose: bool = False) -> list[str]:
    """`conductbot tick [--now ISO]`: the lines it printed."""
    args = ["tick"] + (["--now", iso(at)] if at is not None else [])
    return admin(cli, *args, verbose=verbose).stdout.strip().splitlines()


def iso(ts: float) -> str:
    """A timestamp as an ISO time with a time zone, as `tick --now` takes it."""
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds")


def utc_day(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d")


def sent(reply: str) -> tuple[str, str]:
    """The case code and passphrase that a "sent" reply shows."""
    code, phrase = CODE.search(reply), PASSPHRASE.search(reply)
    assert code and phrase, f"no case code and passphrase in:\n{reply}"
    return code.group(0), phrase.group(0)


def outbox(cli: Cli, org: str = "vasteras") -> list[dict[str, Any]]:
    path = cli.home / "outbox" / f"{org}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def secret_key(cli: Cli, org: str = "vasteras") -> str:
    """The function's secret key file a first report made: outside the data directory, never inside it."""
    folder = cli.home.parent / f"{cli.home.name}-secrets"
    keys = sorted(folder.glob(f"{org}-*.secret"))
    assert len(keys) == 1, f"one secret key for {org} in {folder}: {keys}"
    assert not list(cli.home.rglob("*.secret")), "no secret key inside the data directory"
    assert keys[0].stat().st_mode & 0o777 == 0o600, oct(keys[0].stat().st_mode)
    return str(keys[0])


def case_codes(cli: Cli) -> list[str]:
    return CODE.findall(admin(cli, "case", "list").stdout)


def db_files(home: Path) -> dict[str, bytes]:
    """Every byte of the SQLite database and its -wal / -shm companions that exist now."""
    return {p.name: p.read_bytes() for p in sorted(home.glob("conductbot.sqlite3*")) if p.is_file()}


def home_files(home: Path) -> dict[str, bytes]:
    """Every byte of every file under the data directory."""
    return {str(p.relative_to(home)): p.read_bytes() for p in sorted(home.rglob("*")) if p.is_file()}


def where(needle: str, blobs: dict[str, bytes]) -> list[str]:
    """The names of the blobs holding `needle` (UTF-8, case-insensitive via lower/upper forms)."""
    forms = {needle, needle.lower(), needle.upper()}
    return [name for name, blob in blobs.items() if any(f.encode() in blob for f in forms)]


def query(home: Path, sql: str) -> list[tuple[Any, ...]]:
    """A read-only query on the bot's database."""
    con = sqlite3.connect(f"file:{home / 'conductbot.sqlite3'}?mode=ro", uri=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


class LiveChat:
    """`conductbot chat` kept running, so the database's -wal and -shm files can be read mid-conversation."""

    def __init__(self, cli: Cli, *args: str, verbose: bool = False) -> None:
        self.p = subprocess.Popen(
            [sys.executable, "-m", "bot", *(("-v",) if verbose else ()), "chat", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            cwd=REPO,
            env=clean_env(cli.home, cli.cache),
        )
        self._out: list[str] = []
        self._err: list[str] = []
        self._lock = threading.Lock()
        for stream, sink in ((self.p.stdout, self._out), (self.p.stderr, self._err)):
            threading.Thread(target=self._pump, args=(stream, sink), daemon=True).start()

    def _pump(self, stream: Any, sink: list[str]) -> None:
        for line in iter(stream.readline, ""):
            with self._lock:
                sink.append(line)

    def text(self) -> str:
        with self._lock:
            return "".join(self._out)

    def errors(self) -> str:
        with self._lock:
            return "".join(self._err)

    def say(self, line: str, expect: str, timeout: float = 60) -> str:
        """Type a line and wait until the reply holds `expect`; the reply."""
        start = len(self.text())
        assert self.p.stdin is not None
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.text()[start:]
            if expect in got:
                time.sleep(0.3)  # let the turn's bookkeeping (deliver_due) finish
                return self.text()[start:]
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no {expect!r} after {line!r}:\n{self.text()}\n{''.join(self._err)}")

    def close(self) -> int:
        assert self.p.stdin is not None
        self.p.stdin.close()
        rc = self.p.wait(timeout=60)
        time.sleep(0.1)  # the pumps read the last lines
        return rc


def concurrently(*calls: Any) -> list[Any]:
    """Run independent CLI steps at the same time (each is its own process); their results, in order."""
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(c) for c in calls]
        return [f.result() for f in futures]


def send_report(cli: Cli, text: str, *args: str, user: str = "reporter") -> tuple[str, str]:
    """A reporter's whole Swedish flow (/anmäl, text, Skicka): the case code and passphrase."""
    _, replies = talk(cli, ["/anmäl", text, "Skicka"], "--user", user, *args)
    return sent(replies[2])


# -- 1. the whole flow in the terminal ---------------------------------------------------------------


def test_swedish_flow_from_a_routing_answer(cli: Cli) -> None:
    report = "Min chef tar emot mutor från en leverantör i upphandlingen av skolmat."
    lines = [ROUTING_SV, OFFER_SV, report, "Skicka"]
    r, (routing, intro, review, thanks) = talk(cli, lines, "--user", "anna")

    assert "visselblåsarfunktion" in routing and f"{OFFER_SV}" in routing, routing
    assert re.search(r"\[\d+\] Anonym rapport via boten", routing), routing

    # before anything is typed: what it is for, what not, the platform's admins, the web form
    assert "korruption" in intro and "inte för synpunkter på ledarskap" in intro, intro
    assert "administratörer kan se att någon har pratat med boten" in intro, intro
    assert "Det mest anonyma sättet är att använda Västerås stads visselblåsarfunktion" in intro, intro
    assert WEB_FORM in intro, intro
    assert "Inget sparas innan du skickar" in intro, intro
    assert "Skriv din rapport" in intro and "[1] Avbryt" in intro, intro

    # review shows the text back and offers send, rewrite, discard
    assert "Vill du skicka den?" in review and f"> {report}" in review, review
    assert "Skicka" in review and "Skriv om" in review and "Kasta" in review, review
    assert not CODE.search(review)

    code, phrase = sent(thanks)
    assert f"ärende {code}" in thanks and f"lösenfras: {phrase}" in thanks, thanks
    assert "visas bara den här gången" in thanks and "7 dagar" in thanks and "3 månader" in thanks, thanks
    assert r.stdout.count(phrase) == 1, "the passphrase is shown exactly once"

    listed = admin(cli, "case", "list").stdout
    assert CODE.findall(listed) == [code], listed
    assert "received" in listed and phrase not in listed, listed


def test_english_flow_by_command_and_the_offer_in_english(cli: Cli) -> None:
    report = "The head of procurement accepts gifts from a supplier before each contract."
    lines = [ROUTING_EN, "report anonymously", "x" * 9000, report, "Send"]
    _, (routing, intro, too_long, review, thanks) = talk(cli, lines, "--user", "bo")

    assert re.search(r"\[\d+\] Anonymous report via the bot", routing), routing
    assert "not for views on leadership" in intro and "corruption" in intro, intro
    assert "administrators may be able to see that someone talked to the bot" in intro, intro
    assert "The most anonymous way is to use the City of Västerås whistleblower function" in intro, intro
    assert WEB_FORM in intro, intro
    assert "too long" in too_long and "9000" in too_long and "8000" in too_long, too_long
    assert f"> {report}" in review and "Send" in review and "Discard" in review, review
    code, phrase = sent(thanks)
    assert f"case {code}" in thanks and f"passphrase: {phrase}" in thanks, thanks
    # the reporter comes back in English, from another conversation
    codes, (_, (status,)) = concurrently(
        lambda: case_codes(cli), lambda: talk(cli, [f"Any news on my case {code} {phrase}?"], "--user", "bo-phone")
    )
    assert codes == [code]
    assert f"Case {code}: received." in status and "No answers" in status, status


def test_the_intro_cites_the_passages_it_rests_on(cli: Cli) -> None:
    """`ask --json` shows what the chat cannot: the intro's citations (the code of conduct's passage)."""
    answers = cli.batch([{"id": "sv", "q": "/anmäl"}, {"id": "en", "q": "report anonymously"}])
    for a, lang in zip(answers, ("sv", "en"), strict=True):
        assert a["intent"] == "anonymous_report" and a["lang"] == lang, a
        assert a["citations"], a
        first = a["citations"][0]
        assert first["doc"] == DOC_EMPLOYEES, a["citations"]
        assert "Västerås stad har en visselblåsarfunktion" in first["text"], first
        assert any("inte användas för generella synpunkter" in c["text"] for c in a["citations"]), a["citations"]
        assert WEB_FORM in a["text"]


def test_discard_and_cancel_leave_nothing_behind(cli: Cli) -> None:
    drafts = [
        "Utkast ett om gnuförfalskning.",
        "Utkast två om ödlebokföring.",
        "Draft three about owlbribes.",
        "Draft four about lemurfraud.",
        "Utkast fem om myskoxfusk.",
    ]
    lines = [
        "/anmäl", drafts[0], "Kasta", "Ja, kasta den",
        "/anmäl", drafts[1], "avbryt",
        "report anonymously", drafts[2], "Discard", "Yes, discard it",
        "report anonymously", drafts[3], "cancel",
        "/anmäl", drafts[4], "Skriv om", "avbryt",
    ]  # fmt: skip
    _, replies = talk(cli, lines, "--user", "cecilia")
    # discarding asks first (nothing is sent either way); the confirmation discards
    assert "Vill du kasta rapporten?" in replies[2] and "kastad" not in replies[2], replies[2]
    assert "Rapporten är kastad. Inget har sparats." in replies[3], replies[3]
    assert "Avbrutet. Inget har sparats." in replies[6], replies[6]
    assert "Do you want to discard the report?" in replies[9], replies[9]
    assert "The report is discarded. Nothing was stored." in replies[10], replies[10]
    assert "Cancelled. Nothing was stored." in replies[13], replies[13]
    assert "Skriv din rapport" in replies[16] and "Avbrutet" in replies[17], replies[16:]
    assert not any(CODE.search(r) for r in replies), "no case code was handed out"

    listed, ticked = concurrently(lambda: admin(cli, "case", "list"), lambda: tick(cli, time.time() + 400 * DAY))
    assert "No cases." in listed.stdout
    assert ticked == ["nothing due"]
    assert not (cli.home / "outbox").exists() or not any((cli.home / "outbox").iterdir())
    files = home_files(cli.home)
    for d in drafts:
        for word in (d, d.split()[-1].rstrip(".")):
            assert not where(word, files), f"{word!r} left behind in {where(word, files)}"
    for table in ("cases", "case_messages", "pending_posts"):
        assert query(cli.home, f"SELECT count(*) FROM {table}") == [(0,)], table


def test_no_whistleblower_function_in_alingsas_and_kommun(cli: Cli) -> None:
    (_, (cmd, routing, cmd_en)), (_, (k_en, k_sv)) = concurrently(
        lambda: talk(
            cli,
            ["/anmäl", "Jag misstänker korruption, vem ska jag vända mig till?", "report anonymously"],
            "--org", "alingsas", "--user", "dora",
        ),
        lambda: talk(cli, ["report anonymously", "/anmäl"], "--org", "kommun", "--user", "erik"),
    )  # fmt: skip
    assert "Alingsås kommun" in cmd and "nämner ingen visselblåsarfunktion" in cmd, cmd
    assert "kan inte ta emot en anonym rapport" in cmd, cmd
    assert OFFER_SV not in routing and WEB_FORM not in routing, routing
    assert "Alingsås Municipality" in cmd_en and "name no whistleblower function" in cmd_en, cmd_en

    assert "names no whistleblower function" in k_en or "name no whistleblower function" in k_en, k_en
    assert "nämner ingen visselblåsarfunktion" in k_sv, k_sv
    for reply in (cmd, routing, cmd_en, k_en, k_sv):
        assert not CODE.search(reply) and "Skriv din rapport" not in reply and "Write your report" not in reply
    assert "No cases." in admin(cli, "case", "list").stdout


# -- 2. delivery after a random delay -----------------------------------------------------------------


def test_report_is_posted_once_after_the_random_delay(cli: Cli) -> None:
    cli.configure(report_delay_seconds=[600, 1200])
    report = "Fakturor från Firma Exempel AB attesteras av den som beställt."
    t0 = time.time()
    code, phrase = send_report(cli, report)

    assert tick(cli) == ["nothing due"]  # right after sending: still waiting
    assert outbox(cli) == []

    assert tick(cli, t0 + 30 * 60) == [f"vasteras: report {code}"]
    posts = outbox(cli)
    assert len(posts) == 1, posts
    post = posts[0]
    assert set(post) == {"id", "channel", "thread", "text"}, post
    assert post["channel"] == "whistleblower" and post["thread"] is None and post["id"], post
    assert post["text"].startswith(f"Anonymous report {code} mottagen"), post
    # by default the channel gets a notice with the deadlines, never the report or the passphrase
    assert report not in post["text"] and phrase not in post["text"], post
    assert "Bekräfta mottagandet senast" in post["text"] and "conductbot case show" in post["text"], post

    assert tick(cli, t0 + 31 * 60) == ["nothing due"]
    assert len(outbox(cli)) == 1, "a delivered report is not posted again"

    # an organisation that opts in to `report_post: full` gets the text in the channel too
    cli.configure(report_delay_seconds=[600, 1200], report_post="full")
    code2, phrase2 = send_report(cli, report, user="reporter-2")
    assert tick(cli, time.time() + 30 * 60) == [f"vasteras: report {code2}"]
    full = outbox(cli)[-1]["text"]
    assert full.startswith(f"Anonymous report {code2}") and report in full and phrase2 not in full, full


# -- 3. follow-up by the reporter and by a handler ----------------------------------------------------


def test_follow_up_by_reporter_and_handler(cli: Cli) -> None:
    cli.configure(report_delay_seconds=[600, 1200])
    report = "Kassan på fritidsgården stämmer aldrig på fredagar."
    t0 = time.time()
    code, phrase = send_report(cli, report, user="reporter-desk")
    assert tick(cli, t0 + 30 * 60) == [f"vasteras: report {code}"]
    report_post = outbox(cli)[0]

    # the reporter, from another conversation: a wrong passphrase and an unknown code say the same
    # thing; then code and passphrase in two steps. Meanwhile the handler reads the case with the
    # local secret key.
    wrong = "aaaaa-bbbbb-ccccc-ddddd-eeeee"
    (_, (bad, unknown, ask, status)), shown = concurrently(
        lambda: talk(cli, [f"{code} {wrong}", f"VB-ZZZZ-ZZZZ {phrase}", code, phrase], "--user", "reporter-phone"),
        lambda: admin(cli, "case", "show", code, "--key", secret_key(cli)).stdout,
    )
    assert "Koden eller lösenfrasen stämmer inte." in bad and report not in bad, bad
    assert unknown == bad, (unknown, bad)
    assert f"Skriv lösenfrasen för ärende {code}" in ask, ask
    assert f"Ärende {code}: mottaget." in status and "Inga svar från visselblåsarfunktionen än." in status, status
    assert "[1] Lägg till information" in status, status
    assert code in shown and report in shown and "received" in shown, shown

    answer = "Tack för din rapport. Vi har påbörjat en utredning av kassahanteringen."
    replied = admin(cli, "case", "reply", code, answer).stdout
    assert "feedback_given" in replied, replied

    # the reporter reads the answer and adds information
    addition = "Det gäller även kiosken på sommarlovet."
    _, (status, add, added) = talk(cli, [f"{code} {phrase}", "Lägg till information", addition], "--user", "r3")
    assert f"Ärende {code}: återkoppling lämnad." in status, status
    assert "Svar från visselblåsarfunktionen" in status and answer in status, status
    assert "Inga svar" not in status, status
    assert "Skriv informationen" in add, add
    assert f"informationen är tillagd i ärende {code}" in added, added

    lines = tick(cli, time.time() + 30 * 60)
    assert lines == [f"vasteras: addition {code}"], lines
    posts = outbox(cli)
    assert len(posts) == 2, posts
    assert posts[1]["thread"] == report_post["id"], "the addition is a reply in the report's thread"
    assert posts[1]["text"].startswith(f"Anonymous report {code}: ny information"), posts[1]
    assert addition not in posts[1]["text"], "the channel gets a notice of the addition, not its text"
    assert answer not in json.dumps(posts, ensure_ascii=False), "a handler's answer is not posted back"

    # closed: the reporter still sees the status but cannot add; deleted: gone at once
    assert "closed" in admin(cli, "case", "close", code).stdout
    _, (closed,) = talk(cli, [f"{code} {phrase}"], "--user", "r5")
    assert f"Ärende {code}: avslutat." in closed and "Lägg till information" not in closed, closed
    assert "deleted" in admin(cli, "case", "delete", code).stdout
    listed, (_, (gone,)) = concurrently(
        lambda: admin(cli, "case", "list").stdout, lambda: talk(cli, [f"{code} {phrase}"], "--user", "r6")
    )
    assert "No cases." in listed, listed
    assert "stämmer inte" in gone, gone


def test_wrong_passphrases_are_rate_limited(cli: Cli) -> None:
    code, phrase = send_report(cli, "Någon tar bensin från kommunens mack.")
    wrongs = [f"{code} {w * 5}-{w * 5}-{w * 5}-{w * 5}-{w * 5}" for w in "abcde"]
    _, replies = talk(cli, [*wrongs, f"{code} {phrase}"], "--user", "guesser")
    for r in replies[:5]:
        assert "stämmer inte" in r, r
    assert "För många felaktiga försök" in replies[5], replies[5]
    assert "mottaget" not in replies[5], replies[5]
    # still locked in a new process and another conversation
    _, (again,) = talk(cli, [f"{code} {phrase}"], "--user", "reporter-2")
    assert "För många" in again and "mottaget" not in again, again


def test_an_early_addition_waits_for_its_report_and_joins_its_thread(cli: Cli) -> None:
    """Added information that falls due before its report must not be posted first, outside the thread.

    With the default window (60-1800 s) an addition made right after sending often draws a shorter
    delay than the report did; fixed delays make that case certain here.
    """
    cli.configure(report_delay_seconds=[1500, 1500])
    t0 = time.time()
    code, phrase = send_report(cli, "Rapporten om förrådet.")
    cli.configure(report_delay_seconds=[60, 60])
    _, (_, _, added) = talk(cli, [f"{code} {phrase}", "Lägg till information", "Tillägg om nycklarna."])
    assert "tillagd" in added, added
    tick(cli, t0 + 30 * 60)
    posts = outbox(cli)
    assert len(posts) == 2, posts
    (report,) = [p for p in posts if p["text"].startswith(f"Anonymous report {code} mottagen")]
    (addition,) = [p for p in posts if p["text"].startswith(f"Anonymous report {code}: ny information")]
    assert addition["thread"] == report["id"], f"the addition is not in the report's thread: {posts}"
    assert posts.index(report) < posts.index(addition), f"the addition was posted before its report: {posts}"


# -- 4. anonymity: the marker identity is nowhere ----------------------------------------------------


def test_the_reporter_identity_is_in_no_byte_anywhere(cli: Cli) -> None:
    """The whole flow as user MARKER-U7F3Q9 (conversation "cli:MARKER-U7F3Q9"), every process with -v.

    The data directory is searched while each chat is still running (so the SQLite -wal and -shm
    files are there) and again at the end; so are every process's stdout and stderr and the posts.
    """
    marker = "MARKER-U7F3Q9"
    user = ("--user", marker)
    cli.configure(report_delay_seconds=[60, 120])
    report = "Leverantören bjuder inköparen på resor varje vår."
    blobs: dict[str, bytes] = {}
    logs: dict[str, str] = {}

    def snapshot(label: str) -> None:
        blobs.update({f"{label}:{name}": data for name, data in home_files(cli.home).items()})

    t0 = time.time()
    chat = LiveChat(cli, *user, verbose=True)
    try:
        assert OFFER_SV in chat.say(ROUTING_SV, OFFER_SV)
        chat.say(OFFER_SV, "Skriv din rapport")
        chat.say(report, "Vill du skicka den?")
        code, phrase = sent(chat.say("Skicka", "lösenfras"))
        snapshot("chat1")
    finally:
        assert chat.close() == 0
    logs.update({"chat1.stdout": chat.text(), "chat1.stderr": chat.errors()})

    for name, args in (
        ("tick1", ("tick", "--now", iso(t0 + 30 * 60))),
        ("reply", ("case", "reply", code, "Vi har tagit emot rapporten.")),
        ("show", ("case", "show", code, "--key", secret_key(cli))),
    ):
        r = admin(cli, *args, verbose=True)
        logs.update({f"{name}.stdout": r.stdout, f"{name}.stderr": r.stderr})

    chat = LiveChat(cli, *user, verbose=True)
    try:
        assert "stämmer inte" in chat.say("VB-ZZZZ-ZZZZ aaaaa-bbbbb-ccccc-ddddd-eeeee", "stämmer inte")
        chat.say("Hur fungerar visselblåsning?", "\n\n")
        assert "återkoppling lämnad" in chat.say(f"{code} {phrase}", "Lägg till information")
        chat.say("Lägg till information", "Skriv informationen")
        chat.say("Resorna går till Mallorca.", "tillagd")
        snapshot("chat2")
    finally:
        assert chat.close() == 0
    logs.update({"chat2.stdout": chat.text(), "chat2.stderr": chat.errors()})
    r = admin(cli, "tick", "--now", iso(time.time() + 30 * 60), verbose=True)
    logs.update({"tick2.stdout": r.stdout, "tick2.stderr": r.stderr})
    snapshot("end")

    posts = outbox(cli)
    assert len(posts) == 2 and posts[0]["text"].startswith(f"Anonymous report {code}"), posts
    assert "Mallorca" not in posts[1]["text"] and code in posts[1]["text"], posts
    for post in posts:
        assert set(post) == {"id", "channel", "thread", "text"}, post
    blobs["posts"] = json.dumps(posts, ensure_ascii=False).encode()
    blobs.update({name: text.encode() for name, text in logs.items()})

    # the search reads what it claims to: the live database files, the logs, the posts
    for name in ("chat1:conductbot.sqlite3-wal", "chat2:conductbot.sqlite3-shm", "end:conductbot.sqlite3",
                 "end:keys/vasteras.public", "end:outbox/vasteras.jsonl"):  # fmt: skip
        assert name in blobs, sorted(blobs)
    assert all("handled intent=" in logs[f"{n}.stderr"] for n in ("chat1", "chat2")), "-v logs were captured"
    assert "chat1:conductbot.sqlite3-wal" in where(code, blobs) and "posts" in where(code, blobs)

    for needle in (marker, f"cli:{marker}", "U7F3Q9"):
        assert not where(needle, blobs), f"{needle!r} found in {where(needle, blobs)}"
    # nor are the passphrase or the report's words in the logs or the database files
    for needle in (phrase, report, "Mallorca"):
        leaks = [n for n in where(needle, blobs) if n.endswith(".stderr") or "conductbot.sqlite3" in n]
        assert not leaks, f"{needle!r} found in {leaks}"


# -- 5. encryption at rest ---------------------------------------------------------------------------


def test_report_text_and_passphrase_are_not_in_the_database_files(cli: Cli) -> None:
    cli.configure(report_delay_seconds=[60, 120])
    words = ("zebrafink", "kvartalsfaktura")
    report = "Enhetschefen för zebrafink-projektet fördubblar varje kvartalsfaktura till sin egen firma."
    chat = LiveChat(cli, "--user", "ewa")
    try:
        chat.say("/anmäl", "Skriv din rapport")
        review = chat.say(report, "Vill du skicka den?")
        assert report in review
        during_review = db_files(cli.home)
        assert "conductbot.sqlite3-wal" in during_review, sorted(during_review)  # the process is running
        assert query(cli.home, "SELECT count(*) FROM cases") == [(0,)], "nothing stored before confirming"
        for w in words:
            assert not where(w, during_review), f"the draft's {w!r} is in {where(w, during_review)}"

        code, phrase = sent(chat.say("Skicka", "lösenfras"))
        while_running = db_files(cli.home)
        assert "conductbot.sqlite3-wal" in while_running, sorted(while_running)
        assert any(code.encode() in b for b in while_running.values()), "the snapshot holds the new case"
    finally:
        assert chat.close() == 0
    after_exit = db_files(cli.home)
    assert tick(cli, time.time() + 30 * 60) == [f"vasteras: report {code}"]
    answer = "Vi granskar pelikanbudgeten."
    admin(cli, "case", "reply", code, answer)
    _, (_, _, added) = talk(cli, [f"{code} {phrase}", "Lägg till information", "Även snöleopardkontot berörs."])
    assert "tillagd" in added
    after_tick = db_files(cli.home)

    for label, files in (("sent", while_running), ("closed", after_exit), ("ticked", after_tick)):
        for needle in (*words, phrase, "pelikanbudgeten", "snöleopardkontot"):
            assert not where(needle, files), f"{label}: {needle!r} is readable in {where(needle, files)}"
    shown = admin(cli, "case", "show", code, "--key", secret_key(cli)).stdout
    assert report in shown and answer in shown and "snöleopardkontot" in shown, shown

    (pass_hash,) = query(cli.home, f"SELECT pass_hash FROM cases WHERE code='{code}'")[0]
    pass_hash = pass_hash.decode() if isinstance(pass_hash, bytes) else pass_hash
    assert pass_hash.startswith("$argon2id$"), pass_hash[:40]
    assert phrase not in pass_hash


# -- 6. bad input ------------------------------------------------------------------------------------


def test_bad_input_is_refused_and_nothing_is_half_stored(cli: Cli) -> None:
    huge = ("Lång rapport om jättefusk i förvaltningen. " * 2400)[:100_000]
    bad = {
        "long": huge,
        "bell": "Larmet\x07 gick på kontoret.",
        "ansi": "Se \x1b[31mrött\x1b[0m i rapporten.",
        "bidi": "Fakturan \u202eavgöra\u202c gäller.",
        "channel": "<!channel> titta på detta.",
        "here": "@here någon stjäl.",
        "user": "Fråga <@U123> om saken.",
        "teams": "<at>Alla</at> läs detta.",
    }
    lines = ["/anmäl", *bad.values(), "avbryt"]
    _, replies = talk(cli, lines, "--user", "fia")
    r = dict(zip(bad, replies[1:-1], strict=True))
    assert "för lång" in r["long"] and "100000" in r["long"], r["long"][:300]  # the message limit (or 8000)
    assert huge[:200] not in r["long"], "the refused text is not echoed back"
    for k in ("bell", "ansi", "bidi"):
        assert "kontrolltecken" in r[k], (k, r[k])
    for k in ("channel", "here", "user", "teams"):
        assert "omnämnanden" in r[k], (k, r[k])
    for k, reply in r.items():
        assert "Vill du skicka den?" not in reply and not CODE.search(reply), (k, reply)
    assert "Avbrutet" in replies[-1]

    assert "No cases." in admin(cli, "case", "list").stdout
    files = home_files(cli.home)
    for needle in ("jättefusk", "Larmet", "rött", "titta på detta", "någon stjäl", "Fråga", "läs detta"):
        assert not where(needle, files), f"{needle!r} stored in {where(needle, files)}"

    # after a refusal the flow still takes a good report; markup is accepted as text (each platform's
    # sender escapes it: tests/slack checks that no markup reaches Slack)
    markup = "<b>fet</b> & co"
    _, (_, refused, review, thanks) = talk(cli, ["/anmäl", "@channel kolla", markup, "1"], "--user", "fia")
    assert "omnämnanden" in refused
    assert f"> {markup}" in review and "[1] S" in review, review  # [1] Skicka / Send
    code, _ = sent(thanks)
    assert case_codes(cli) == [code]
    assert tick(cli, time.time() + 31 * 60) == [f"vasteras: report {code}"]
    (post,) = outbox(cli)
    assert markup not in post["text"] and code in post["text"], post
    assert markup in admin(cli, "case", "show", code, "--key", secret_key(cli)).stdout, "stored as written"

    # harmless Unicode is welcome: emoji sequences, soft hyphens and zero-width spaces (normalised)
    kind = "Kollegan 👩‍💻 fakturerar dub\u00adbelt via sin firma\u200b varje månad."
    _, (_, review2, thanks2) = talk(cli, ["/anmäl", kind, "Skicka"], "--user", "fia2")
    assert "Vill du skicka den?" in review2 and "👩‍💻" in review2, review2
    code2, _ = sent(thanks2)
    stored = admin(cli, "case", "show", code2, "--key", secret_key(cli)).stdout
    assert "Kollegan 👩‍💻 fakturerar dubbelt via sin firma varje månad." in stored, stored


def test_typing_the_send_label_sends_the_reviewed_report(cli: Cli) -> None:
    """A Swedish flow: typing "Skicka" at the review sends the draft, whatever words the draft holds.

    The review must offer its choices in the flow's language; if it switched to the language guessed
    from the report text, "Skicka" would no longer match a shown label and would replace the draft.
    """
    draft = "<b>fet</b> & co"
    _, (intro, review, thanks) = talk(cli, ["/anmäl", draft, "Skicka"], "--user", "gert")
    assert "Skriv din rapport" in intro, intro
    assert "Vill du skicka den?" in review and "[1] Skicka" in review, review
    code, _ = sent(thanks)
    assert draft in admin(cli, "case", "show", code, "--key", secret_key(cli)).stdout


def test_asking_to_discard_in_a_sentence_at_review_asks_first_then_discards(cli: Cli) -> None:
    lines = ["report anonymously", "The caretaker Olvar Qwint sells the school's copper pipes to a scrapyard.",
             "actually no. discard it", "yes"]  # fmt: skip
    _, replies = talk(cli, lines, "--user", "hedda")
    assert "Do you want to discard the report?" in replies[2], replies[2]
    assert "The report is discarded. Nothing was stored." in replies[3], replies[3]
    assert not any(CODE.search(r) for r in replies), "nothing was sent"
    assert b"Qwint" not in b"".join(f.read_bytes() for f in cli.home.rglob("*") if f.is_file())


def test_a_reporter_asking_how_to_read_answers_is_asked_for_code_and_passphrase_not_a_new_report(cli: Cli) -> None:
    lines = ["hi, I sent in a report a while ago, how do I see if someone answered?", "VB-9TXC-3MKQ",
             "lingonberry-tractor-ninety"]  # fmt: skip
    _, replies = talk(cli, lines, "--user", "ivar")
    assert "case code (VB-XXXX-XXXX) and the passphrase" in replies[0], replies[0]
    assert "Write your report" not in replies[0]
    assert "Type the passphrase for case VB-9TXC-3MKQ" in replies[1], "in the conversation's language"
    assert "passphrase is wrong" in replies[2], replies[2]


def test_a_case_code_typed_where_the_report_was_expected_is_a_login(cli: Cli) -> None:
    _, replies = talk(cli, ["/anmäl", "VB-7HQW-2KDM"], "--user", "jonna")
    assert "lösenfrasen för ärende VB-7HQW-2KDM" in replies[1], replies[1]
    assert "Vill du skicka den?" not in replies[1], "a case code is not taken as the report"


def test_a_code_without_its_prefix_and_a_passphrase_typed_with_spaces_open_the_case(cli: Cli) -> None:
    code, phrase = send_report(cli, "Vaktmästaren kör privata ärenden med kommunens bil.")
    bare = code.removeprefix("VB-").lower()
    spaced = phrase.upper().replace("-", " ")
    # a wrong passphrase, then the right one typed with spaces: "try again" means the next words are a try
    _, (ask, wrong, opened) = talk(cli, [bare, "blå kanin stege", spaced], "--user", "nils")
    assert f"lösenfrasen för ärende {code}" in ask, ask
    assert "stämmer inte" in wrong, wrong
    assert f"Ärende {code}: mottaget." in opened, opened
    # a sentence after a wrong try is read as a message: asking how it works is told how
    lines = [f"case {code} passphrase tulip-gravel-monsoon", "hm, did i copy the passphrase wrong? how does this work"]
    _, (bad, how) = talk(cli, lines, "--user", "nils-2")
    assert "passphrase is wrong" in bad, bad
    assert "case code (VB-XXXX-XXXX) and the passphrase" in how, how
    # four letters and four letters with no digit are words, not a code
    _, (words,) = talk(cli, ["TACK-SMAK"], "--user", "nils-3")
    assert "lösenfras" not in words, words


# -- 7. deadlines and retention, with a controlled clock ---------------------------------------------


def test_deadline_reminders_fire_once_and_stop_when_handled(cli: Cli) -> None:
    cli.configure(report_delay_seconds=[0, 0])
    t0 = time.time()
    _, replies = talk(cli, ["/anmäl", "Ärende A om bilpoolen.", "Skicka", "/anmäl", "Ärende B om kaffekassan.",
                            "Skicka"], "--user", "gun")  # fmt: skip
    t1 = time.time()
    a, _ = sent(replies[2])
    b, _ = sent(replies[5])
    posts = outbox(cli)  # delay 0: the chat itself posted both reports
    heads = [p["text"].split("\n")[0] for p in posts]
    assert [h.split(" mottagen")[0] for h in heads] == [f"Anonymous report {a}", f"Anonymous report {b}"], posts
    thread_a = posts[0]["id"]
    admin(cli, "case", "reply", b, "Tack, vi återkommer.")  # B: feedback given at once

    assert tick(cli, t0 + 4 * DAY) == ["nothing due"]  # reminders start two days before the deadline
    assert tick(cli, t1 + 6 * DAY) == [f"vasteras: reminder ack {a}"]
    ack = outbox(cli)[-1]
    assert ack["thread"] == thread_a, ack
    assert "bekräfta mottagandet" in ack["text"] and a in ack["text"] and "7 dagar" in ack["text"], ack
    assert any(utc_day(t + 7 * DAY) in ack["text"] for t in (t0, t1)), ack
    assert tick(cli, t1 + 6 * DAY + 3600) == ["nothing due"], "the ack reminder is sent once"

    assert "acknowledged" in admin(cli, "case", "ack", a).stdout
    assert tick(cli, t1 + 80 * DAY) == [f"vasteras: reminder feedback {a}"]
    fb = outbox(cli)[-1]
    assert fb["thread"] == thread_a, fb
    assert "återkoppling" in fb["text"] and "3 månader" in fb["text"] and a in fb["text"], fb
    assert tick(cli, t1 + 81 * DAY) == ["nothing due"], "the feedback reminder is sent once"
    assert not any(b in p["text"] for p in outbox(cli)[2:]), "a case with feedback given is not reminded"

    admin(cli, "case", "reply", a, "Utredningen är klar.")
    assert tick(cli, t1 + 95 * DAY) == ["nothing due"]
    assert len(outbox(cli)) == 4


def test_closed_cases_are_deleted_after_the_retention_period(cli: Cli) -> None:
    cli.configure(report_delay_seconds=[0, 0], case_retention_days=30)
    _, replies = talk(cli, ["/anmäl", "Ett öppet ärende.", "Skicka", "/anmäl", "Ett ärende som stängs.", "Skicka"])
    keep, _ = sent(replies[2])
    gone, _ = sent(replies[5])
    assert "closed" in admin(cli, "case", "close", gone).stdout
    closed_at = time.time()

    early = tick(cli, closed_at + 29 * DAY)
    assert not any("deleted" in line for line in early), early
    assert sorted(case_codes(cli)) == sorted([keep, gone]), "not deleted before 30 days"
    lines = tick(cli, closed_at + 31 * DAY)
    assert f"deleted closed case {gone}" in lines, lines
    assert not any(keep in line and "deleted" in line for line in lines), "an open case is kept"
    assert case_codes(cli) == [keep]
    assert query(cli.home, f"SELECT count(*) FROM case_messages WHERE code='{gone}'") == [(0,)]
