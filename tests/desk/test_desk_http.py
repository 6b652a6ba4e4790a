"""The desk's security through plain HTTP: an aiohttp client against `conductbot serve` on 127.0.0.1.

No page and no case without a login; nothing across organisations (a handler of one never sees
another's case, HR never sees case content); a stale session (logged out, idle too long) is refused;
a form without the session's CSRF token changes nothing; five wrong passphrases lock the user and the
client; every desk response is `no-store`; and the server's log at DEBUG holds no report text, no
passphrase and no user name.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from conftest import SessionIndex, clean_env
from desk_harness import (
    HANDLER,
    HANDLER_PASS,
    HR,
    HR_PASS,
    LOCKED,
    LOCKED_PASS,
    OLD_REPORT,
    OTHER,
    OTHER_PASS,
    REPORT,
    DeskServer,
    start_desk,
    stop_desk,
)
from slack_harness import free_port, launch, stop_process

IDLE_SECONDS = 5.0
LOCK_SECONDS = 3.0
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
TRIED = "Får jag ta emot gåvor från en leverantör MARKERFRÅGA?"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory, session_index: SessionIndex) -> Iterator[DeskServer]:
    server = start_desk(
        tmp_path_factory.mktemp("desk-http"),
        session_index.cache,
        {"session_idle_minutes": IDLE_SECONDS / 60, "lock_minutes": LOCK_SECONDS / 60},
    )
    yield server
    stop_desk(server)


def client() -> aiohttp.ClientSession:
    # unsafe: the cookie jar keeps cookies of an IP address (127.0.0.1)
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def login(http: aiohttp.ClientSession, url: str, name: str, passphrase: str) -> tuple[int, str, str]:
    """Log in through the form: (status, Location, page text)."""
    async with http.get(url + "/desk/login") as r:
        token = CSRF.search(await r.text()).group(1)  # type: ignore[union-attr]
    form = {"csrf": token, "name": name, "passphrase": passphrase}
    async with http.post(url + "/desk/login", data=form, allow_redirects=False) as r:
        return r.status, r.headers.get("Location", ""), await r.text()


async def page(http: aiohttp.ClientSession, url: str) -> tuple[int, str, str]:
    async with http.get(url, allow_redirects=False) as r:
        assert r.headers.get("Cache-Control") == "no-store", (url, dict(r.headers))
        return r.status, r.headers.get("Location", ""), await r.text()


def status_of(desk: DeskServer) -> str:
    """The case's status as `conductbot case list` prints it."""
    listed = desk.cli.run("case", "list").stdout
    m = re.search(rf"{desk.code}\s+vasteras\s+(\S+)", listed)
    assert m, listed
    return m.group(1)


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, html[:2000]
    return m.group(1)


def test_the_desk_is_off_unless_configured(tmp_path: Path, session_index: SessionIndex) -> None:
    home = tmp_path / "home"
    home.mkdir()
    proc, url, _ = launch(tmp_path, clean_env(home, session_index.cache), free_port())
    try:
        for path in ("/desk", "/desk/login", "/desk/cases"):
            try:
                with urllib.request.urlopen(url + path, timeout=5) as r:
                    status = r.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            assert status == 404, (path, status)
        with urllib.request.urlopen(url + "/healthz", timeout=5) as r:
            assert json.loads(r.read())["desk"] is False
    finally:
        stop_process(proc)


async def test_nothing_is_reachable_without_a_login(desk: DeskServer) -> None:
    base = desk.url
    async with client() as http:
        for path in ("/desk/cases", f"/desk/cases/{desk.code}", "/desk/hr", "/desk/cases/VB-ZZZZ-ZZZZ", "/desk/x"):
            status, where, _ = await page(http, base + path)
            assert status == 303 and where == "/desk/login", (path, status, where)
        async with http.get(base + "/desk", allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Cache-Control"] == "no-store"
        # a made-up cookie is no session
        http.cookie_jar.update_cookies({"desk_session": "A" * 43})
        status, where, _ = await page(http, base + f"/desk/cases/{desk.code}")
        assert status == 303 and where.startswith("/desk/login"), (status, where)
        for path in (f"/desk/cases/{desk.code}/answer", f"/desk/cases/{desk.code}/delete", "/desk/hr/try"):
            async with http.post(base + path, data={"text": "x", "confirm": "yes", "q": "x"}) as r:
                assert r.status == 403 and r.headers["Cache-Control"] == "no-store", (path, r.status)
        # the login page itself: no-store, a strict policy, the login CSRF cookie HttpOnly and SameSite=Strict
        async with http.get(base + "/desk/login") as r:
            assert r.headers["Cache-Control"] == "no-store"
            assert "default-src 'none'" in r.headers["Content-Security-Policy"]
            assert "script-src" not in r.headers["Content-Security-Policy"], "no script is allowed"
            cookie = r.headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/desk" in cookie, cookie
            assert "<script" not in await r.text()
    assert status_of(desk) == "received", "nothing was answered, closed or deleted"


async def test_a_handler_sees_only_their_own_organisation_and_hr_no_case(desk: DeskServer) -> None:
    base = desk.url
    async with client() as http:
        status, where, _ = await login(http, base, HANDLER, HANDLER_PASS)
        assert (status, where) == (303, "/desk/cases"), (status, where)
        cookie = next(c for c in http.cookie_jar if c.key == "desk_session")
        assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/desk", cookie
        assert not cookie["secure"], "plain HTTP on the loopback: not Secure (HTTPS or secure_cookies makes it so)"
        status, _, html = await page(http, base + "/desk/cases")
        assert status == 200 and desk.code in html, html
        status, _, html = await page(http, base + f"/desk/cases/{desk.code}")
        assert status == 200 and REPORT in html, html
    async with client() as http:  # kommun's handler: vasteras's case does not exist for them
        status, where, _ = await login(http, base, OTHER, OTHER_PASS)
        assert (status, where) == (303, "/desk/cases")
        status, _, html = await page(http, base + "/desk/cases")
        assert status == 200 and desk.code not in html, html
        status, _, html = await page(http, base + f"/desk/cases/{desk.code}")
        assert status == 404 and REPORT not in html, status
        token = csrf_of(html)
        for action in ("answer", "ack", "close", "delete"):
            data = {"csrf": token, "text": "Svar från fel kommun", "confirm": "yes"}
            async with http.post(base + f"/desk/cases/{desk.code}/{action}", data=data, allow_redirects=False) as r:
                assert r.status == 404, (action, r.status)
        status, _, _ = await page(http, base + "/desk/hr")
        assert status == 403, "a handler has no HR page"
    async with client() as http:  # HR: no case list, no case, no report text anywhere
        status, where, _ = await login(http, base, HR, HR_PASS)
        assert (status, where) == (303, "/desk/hr")
        for path in ("/desk/cases", f"/desk/cases/{desk.code}"):
            status, _, html = await page(http, base + path)
            assert status == 403 and REPORT not in html and "Rapportören" not in html, (path, status)
        status, _, html = await page(http, base + "/desk/hr")
        assert status == 200 and REPORT not in html and "Grönqvist" not in html
    assert status_of(desk) == "received"
    trail = desk.cli.run("case", "log", desk.code).stdout
    assert "shown" in trail and "via desk" in trail and "replied" not in trail, trail


async def test_a_form_without_the_sessions_csrf_token_changes_nothing(desk: DeskServer) -> None:
    base = desk.url
    async with client() as http, client() as other:
        await login(http, base, HANDLER, HANDLER_PASS)
        await login(other, base, HANDLER, HANDLER_PASS)
        _, _, html = await page(other, base + "/desk/cases")
        foreign = csrf_of(html)  # a token of another session of the same user
        url = base + f"/desk/cases/{desk.code}/answer"
        for token in (None, "", "x" * 43, foreign):
            data = {"text": "Ett förfalskat svar"} | ({} if token is None else {"csrf": token})
            async with http.post(url, data=data, allow_redirects=False) as r:
                assert r.status == 403, (token, r.status)
        # and the login form needs its own token: a login posted from elsewhere is refused
        async with client() as fresh:
            data = {"name": HANDLER, "passphrase": HANDLER_PASS, "csrf": "forged"}
            async with fresh.post(base + "/desk/login", data=data, allow_redirects=False) as r:
                assert r.status == 403 and "desk_session" not in r.headers.get("Set-Cookie", "")
        _, _, html = await page(http, base + f"/desk/cases/{desk.code}")
        assert "Ett förfalskat svar" not in html
    assert status_of(desk) == "received"


async def test_a_stale_session_is_refused(desk: DeskServer) -> None:
    base = desk.url
    async with client() as http:
        await login(http, base, HANDLER, HANDLER_PASS)
        _, _, html = await page(http, base + "/desk/cases")
        token = csrf_of(html)
        old = {c.key: c.value for c in http.cookie_jar}
        async with http.post(base + "/desk/logout", data={"csrf": token}, allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == "/desk/login?m=logged_out"
        http.cookie_jar.update_cookies(old)  # the old cookie, kept by someone after the logout
        status, where, _ = await page(http, base + f"/desk/cases/{desk.code}")
        assert status == 303 and where == "/desk/login?m=login_expired", (status, where)
        http.cookie_jar.update_cookies(old)
        async with http.post(base + f"/desk/cases/{desk.code}/close", data={"csrf": token}) as r:
            assert r.status == 403
    async with client() as http:  # idle longer than session_idle_minutes: gone
        await login(http, base, HANDLER, HANDLER_PASS)
        status, _, _ = await page(http, base + "/desk/cases")
        assert status == 200
        await asyncio.sleep(IDLE_SECONDS + 1.0)
        status, where, _ = await page(http, base + "/desk/cases")
        assert status == 303 and where == "/desk/login?m=login_expired", (status, where)
    assert status_of(desk) == "received"


async def test_five_wrong_passphrases_lock_the_user_and_the_client(desk: DeskServer) -> None:
    base = desk.url
    async with client() as http:
        statuses = [(await login(http, base, LOCKED, f"fel lösenfras nummer {i}"))[0] for i in range(5)]
        assert statuses == [401, 401, 401, 401, 429], statuses
        status, where, html = await login(http, base, LOCKED, LOCKED_PASS)  # the right one, too late
        assert status == 429 and where == "" and "För många felaktiga försök" in html, status
        status, _, _ = await login(http, base, HR, HR_PASS)  # another user from the same client
        assert status == 429, "the client is locked too"
        await asyncio.sleep(LOCK_SECONDS + 0.5)
        status, where, _ = await login(http, base, LOCKED, LOCKED_PASS)
        assert (status, where) == (303, "/desk/hr"), "after the lock the right passphrase works"
    async with client() as http:  # an unknown name is answered as a wrong passphrase
        status, _, html = await login(http, base, "ingen-sadan-MARKER", "vad som helst här")
        assert status == 401 and "Namnet eller lösenfrasen stämmer inte." in html


async def test_a_handler_acknowledges_and_deletes_a_case_and_the_trail_says_so(desk: DeskServer) -> None:
    base, code = desk.url, desk.old_code
    async with client() as http:
        await login(http, base, HANDLER, HANDLER_PASS)
        status, _, html = await page(http, base + "/desk/cases")
        assert "försenat" in html, "the ten-day-old case is overdue"
        _, _, html = await page(http, base + f"/desk/cases/{code.lower()}")  # codes are read in any case
        assert OLD_REPORT in html
        token = csrf_of(html)
        async with http.post(base + f"/desk/cases/{code}/ack", data={"csrf": token}, allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == f"/desk/cases/{code}?done=acknowledged"
        async with http.post(base + f"/desk/cases/{code}/delete", data={"csrf": token}) as r:
            assert r.status == 400 and "Kryssa i rutan" in await r.text(), "deleting needs the confirmation"
        trail = desk.cli.run("case", "log", code).stdout
        assert re.search(r"acknowledged\s+via desk", trail) and "deleted" not in trail, trail
        data = {"csrf": token, "confirm": "yes"}
        async with http.post(base + f"/desk/cases/{code}/delete", data=data, allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == "/desk/cases?done=deleted"
        status, _, html = await page(http, base + f"/desk/cases/{code}")
        assert status == 404 and OLD_REPORT not in html
    assert code not in desk.cli.run("case", "list").stdout
    con = sqlite3.connect(desk.cli.home / "conductbot.sqlite3")  # `case log` knows no deleted case: the table
    trail = con.execute("SELECT action, via FROM case_audit WHERE code=? ORDER BY id", (code,)).fetchall()
    con.close()
    assert trail[-1] == ("deleted", "desk"), trail


async def test_bad_requests_get_error_pages_and_a_tried_question_is_kept_nowhere(desk: DeskServer) -> None:
    base = desk.url
    async with client() as http:
        await login(http, base, HR, HR_PASS)
        _, _, html = await page(http, base + "/desk/hr")
        token = csrf_of(html)
        async with http.post(base + "/desk/hr/try", data={"csrf": token, "q": TRIED, "role": "boss"}) as r:
            tried = await r.text()
            assert r.status == 200 and "Svaret boten skulle ge" in tried and "Bemötandekod" in tried, tried[-3000:]
        async with http.post(base + "/desk/hr/try", data={"csrf": token, "q": "x" * 300_000}) as r:
            assert r.status == 413 and r.headers["Cache-Control"] == "no-store", r.status
        async with http.post(
            base + "/desk/hr/try", data=b"csrf=" + token.encode() + b"&q=%ff%fe", headers={"Content-Type": FORM}
        ) as r:
            assert r.status in (200, 400) and r.headers["Cache-Control"] == "no-store", r.status
        for path in ("/desk/nowhere", "/desk/cases/../hr", "/desk/hr/try"):
            status, _, html = await page(http, base + path)
            assert status in (303, 404, 405) or "Bemötandekod" not in html, (path, status)
    data = b"".join(p.read_bytes() for p in desk.cli.home.rglob("*") if p.is_file())
    assert TRIED.encode() not in data and "MARKERFRÅGA".encode() not in data, "a tried question is not stored"
    log = desk.log_text()
    assert "Traceback" not in log, log[-3000:]


async def test_the_server_log_holds_no_report_text_passphrase_or_user_name(desk: DeskServer) -> None:
    log = desk.log_text()
    assert "desk: a handler of vasteras logged in" in log, "the -v log was captured"
    assert "desk: a login failed" in log
    for needle in (REPORT, "Grönqvist", "Mallorca", desk.phrase, HANDLER, HANDLER_PASS, HR, HR_PASS, OTHER,
                   OTHER_PASS, LOCKED, LOCKED_PASS, "MARKER", "förfalskat", "fel lösenfras", TRIED,
                   "127.0.0.1:"):  # fmt: skip
        if needle == "127.0.0.1:":
            assert log.count(needle) == 1, "only the listening line names an address"
            continue
        assert needle.lower() not in log.lower(), f"{needle!r} is in the server log"
