"""The desk in a real browser: Debian's Chromium (/usr/bin/chromium) driven by Playwright, headless,
with a fresh profile and nothing downloaded (never `playwright install`).

A case handler logs in with the keyboard, sees the new report with its deadlines (and an older one
overdue), answers it, and the reporter reads the answer in `conductbot chat`; HR's page shows a theme
once three people asked it and not before, with its charts, and answers a tried question; five wrong
passphrases lock a user out. Screenshots of the handler's and HR's pages at 1280 and 390 px wide are
written to CONDUCTBOT_SCREENSHOTS (default: a `screenshots` folder under pytest's temporary directory),
and their paths printed.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import SessionIndex
from desk_harness import (
    HANDLER,
    HANDLER_PASS,
    HR,
    HR_PASS,
    LOCKED,
    LOCKED_PASS,
    OLD_REPORT,
    REPORT,
    DeskServer,
    start_desk,
    stop_desk,
)

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCK_SECONDS = 3.0
WIFI = ("Vad är lösenordet till wifi?", "vad är lösenordet till wifi", "Vad är lösenordet till wifi??")
KS_SV = "Vad är kränkande särbehandling?"
ANSWER = "Tack för din rapport. Vi har börjat granska reseräkningarna och återkommer inom tre veckor."

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed (/usr/bin/chromium): apt-get install -y chromium"
)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (the test extra) is not installed")
expect = sync_api.expect


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory, session_index: SessionIndex) -> Iterator[DeskServer]:
    lock = {"lock_minutes": LOCK_SECONDS / 60}
    server = start_desk(tmp_path_factory.mktemp("desk-browser"), session_index.cache, lock)
    yield server
    stop_desk(server)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A Chromium context with a fresh profile, in Swedish."""
    with tempfile.TemporaryDirectory(prefix="desk-chromium-") as profile, sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=ARGS, locale="sv-SE"
        )
        context.set_default_timeout(15_000)
        yield context
        context.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = os.environ.get("CONDUCTBOT_SCREENSHOTS")
    folder = Path(where) if where else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(page: Any, shots: Path, name: str) -> list[Path]:
    """Full-page screenshots at 1280 and 390 px wide; their paths are printed."""
    paths = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        path = shots / f"desk-{name}-{width}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 10_000, path
        print(f"screenshot: {path}")
        paths.append(path)
    page.set_viewport_size({"width": 1280, "height": 900})
    return paths


def login_with_keyboard(page: Any, url: str, name: str, passphrase: str) -> None:
    """The login form used with the keyboard only: the name field has focus, Tab, Enter."""
    page.goto(url + "/desk/login")
    expect(page.get_by_label("Användarnamn")).to_be_focused()
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Lösenfras")).to_be_focused()
    page.keyboard.type(passphrase)
    page.keyboard.press("Enter")


def utc_day(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d")


def test_a_handler_answers_a_new_report_and_the_reporter_reads_it_in_chat(
    desk: DeskServer, browser: Any, shots: Path
) -> None:
    browser.clear_cookies()  # no session or language left from another test
    page = browser.new_page()
    login_with_keyboard(page, desk.url, HANDLER, HANDLER_PASS)
    expect(page).to_have_url(desk.url + "/desk/cases")
    expect(page.get_by_role("heading", name="Ärenden")).to_be_visible()
    today = time.time()
    new = page.get_by_role("row").filter(has_text=desk.code)
    expect(new).to_contain_text("mottaget")
    expect(new).to_contain_text(utc_day(today + 7 * 86400))  # acknowledge within 7 days
    expect(new).to_contain_text(utc_day(today + 91 * 86400))  # feedback within 3 months
    expect(new).not_to_contain_text("försenat")
    old = page.get_by_role("row").filter(has_text=desk.old_code)
    expect(old).to_contain_text("försenat")  # ten days old and not acknowledged: overdue, said in words
    expect(old).to_contain_text(utc_day(today - 3 * 86400))
    shoot(page, shots, "cases")

    page.get_by_role("link", name=desk.code).click()
    expect(page.get_by_role("heading", name=f"Ärende {desk.code}")).to_be_visible()
    expect(page.get_by_text(REPORT)).to_be_visible()
    assert OLD_REPORT not in page.content()
    page.get_by_label("Svar (krypteras för rapportören").fill(ANSWER)
    page.get_by_role("button", name="Skicka svaret").click()
    expect(page.get_by_role("status")).to_have_text("Svaret är sparat för rapportören.")
    expect(page.locator(".message.handler")).to_contain_text(ANSWER)
    trail = page.locator("table.trail")
    expect(trail).to_contain_text("besvarat")
    expect(trail).to_contain_text("desk")
    shoot(page, shots, "case")

    # the reporter, in the terminal, with the case code and passphrase
    (status,) = desk.chat([f"{desk.code} {desk.phrase}"], "--user", "reporter-phone")
    assert f"Ärende {desk.code}: återkoppling lämnad." in status, status
    assert ANSWER in status, status

    # closing with the keyboard; the reporter sees it closed
    page.get_by_role("button", name="Avsluta ärendet").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Ärendet är avslutat.")
    expect(page.get_by_role("button", name="Skicka svaret")).to_have_count(0)
    (closed,) = desk.chat([f"{desk.code} {desk.phrase}"], "--user", "reporter-phone-2")
    assert f"Ärende {desk.code}: avslutat." in closed, closed
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_text("Du är utloggad.")).to_be_visible()
    page.goto(desk.url + f"/desk/cases/{desk.code}")
    expect(page).to_have_url(desk.url + "/desk/login")
    page.close()


def test_hr_sees_a_theme_once_three_people_asked_it_and_not_before(desk: DeskServer, browser: Any, shots: Path) -> None:
    for i in range(2):  # two people: an unanswered question and a 👎 each
        desk.chat([WIFI[i], KS_SV, "2"], "--org", "vasteras", "--user", f"asker-MARKER-{i}")
    browser.clear_cookies()  # no session or language left from another test
    page = browser.new_page()
    login_with_keyboard(page, desk.url, HR, HR_PASS)
    expect(page).to_have_url(desk.url + "/desk/hr")
    unanswered = page.locator("section", has=page.get_by_role("heading", name="Teman i obesvarade frågor"))
    expect(unanswered).to_contain_text("Inget tema har frågats av 3 personer än.")
    expect(page.locator("#hidden-themes")).to_contain_text("2 teman frågade av färre än 3 personer visas inte.")
    assert "lösenordet" not in page.content().lower()

    desk.chat([WIFI[2], KS_SV, "2"], "--org", "vasteras", "--user", "asker-MARKER-2")  # the third person
    page.reload()
    row = page.locator("#unanswered tr").filter(has_text="lösenordet till wifi")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(0)).to_have_text("3")  # count
    expect(row.locator("td").nth(1)).to_have_text("3")  # people
    down = page.locator("#down tr").filter(has_text="Vi står upp för mänskliga rättigheter")
    expect(down).to_have_count(1)
    expect(page.locator("#hidden-themes")).to_have_count(0)
    charts = page.locator("figure.chart svg")
    expect(charts).to_have_count(4)  # over time, sections cited, shares answered, ratings
    expect(page.locator("figure.chart").nth(1)).to_contain_text("Vi står upp för mänskliga rättigheter")
    expect(page.locator("figure.chart").nth(2)).to_contain_text("besvarade: 3 (50 %)")
    assert "asker-MARKER" not in page.content() and REPORT not in page.content()
    page.get_by_text("Som tabell").first.click()  # each chart's figures as a table too, for screen readers
    this_week = page.locator("details").first.locator("tbody tr").last
    expect(this_week.locator("td")).to_have_text(["3", "3"])

    page.get_by_label("Fråga", exact=True).fill("Får jag ta emot gåvor från en leverantör?")
    page.get_by_label("Frågar som (roll)").select_option("manager")
    page.get_by_role("button", name="Fråga boten").click()
    tried = page.locator("#tried")
    expect(tried).to_contain_text("Svaret boten skulle ge")
    expect(tried.locator("blockquote").first).to_be_visible()
    expect(tried.locator("ol.citations li").first).to_contain_text("Bemötandekod")
    shoot(page, shots, "hr")
    page.goto(desk.url + "/desk/hr")
    expect(page.locator("figure.chart").nth(2)).to_contain_text("besvarade: 3 (50 %)")  # the try was not counted
    page.get_by_role("link", name="English").click()
    expect(page.get_by_role("heading", name="Questions and answers")).to_be_visible()
    expect(page.get_by_role("heading", name="Themes of questions not answered")).to_be_visible()
    page.close()


def test_five_wrong_passphrases_lock_a_user_out(desk: DeskServer, browser: Any) -> None:
    browser.clear_cookies()  # no session or language left from another test
    page = browser.new_page()
    for n in range(5):
        login_with_keyboard(page, desk.url, LOCKED, f"fel lösenfras {n}")
        said = "För många felaktiga försök" if n == 4 else "Namnet eller lösenfrasen stämmer inte."
        expect(page.locator("#login-message")).to_contain_text(said)
    login_with_keyboard(page, desk.url, LOCKED, LOCKED_PASS)
    expect(page.locator("#login-message")).to_contain_text("För många felaktiga försök. Försök igen om en stund.")
    expect(page).to_have_url(desk.url + "/desk/login")
    time.sleep(LOCK_SECONDS + 0.5)
    login_with_keyboard(page, desk.url, LOCKED, LOCKED_PASS)
    expect(page).to_have_url(desk.url + "/desk/hr")
    page.close()
