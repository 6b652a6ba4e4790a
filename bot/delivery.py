"""Delivery of posts to organisations' channels: anonymous reports, follow-ups and deadline reminders.

A `Sender` (bot/host.py) posts text to a named channel of an organisation and returns the message's
id (its thread). The terminal default, `OutboxSender`, appends JSON lines to
`<home>/outbox/<org>.jsonl`; the Slack and Teams adapters provide their own senders. `deliver_due`
is what `conductbot tick`, the running server and the terminal chat call: it posts what is due and
reminds handlers of the legal deadlines, then delivers reminders and prompts (bot/occurrences.py).

Exactly once across processes and crashes: each post is claimed first (bot/claims.py). A post the
sender refused is retried (backoff, Retry-After) and reported in the returned lines, a queued report
until it is delivered; only a timeout leaves "maybe delivered". Posts to different places are made
concurrently and a failing place stops only its own posts for the round, never the others'.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import secrets
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot import occurrences
from bot.claims import Claim, Claims, attempt
from bot.host import Host, Sender
from bot.types import Choice
from intents.phrases import say

__all__ = ["OutboxSender", "RouterSender", "Sender", "deliver_due", "format_post"]
log = logging.getLogger(__name__)
Job = tuple[str, Callable[[], Awaitable[tuple[list[str], bool]]]]
CONCURRENT_PLACES = 4

DAY = 86400.0
PERSONAL = re.compile(r"^(?:cli:|slack:[UW][A-Z0-9]+$|teams:a:|teams:8:)")
ACK_DAYS = 7  # acknowledge receipt within 7 days (lag 2021:890, directive 2019/1937)
FEEDBACK_DAYS = 91  # give feedback within 3 months
REMIND_BEFORE_DAYS = {"ack": 2, "feedback": 14}


class OutboxSender:
    """The terminal default: each post is a JSON line in `<home>/outbox/<org>.jsonl`."""

    def __init__(self, folder: Path, mask: Callable[[str], str] | None = None) -> None:
        self.folder = folder
        self._lock = asyncio.Lock()
        # a person's place (a terminal user's conversation, a Slack user id, a Teams personal chat) is written
        # as a keyed tag, never as the id itself
        self._mask = mask

    async def post(
        self,
        org: str,
        channel: str,
        text: str,
        thread: str | None = None,
        choices: tuple[Choice, ...] = (),
        key: str | None = None,
    ) -> str:
        msg_id = secrets.token_hex(6)
        shown = self._mask(channel) if self._mask is not None and PERSONAL.match(channel) else channel
        record: dict[str, object] = {"id": msg_id, "channel": shown, "thread": thread, "text": text}
        if choices:
            record["choices"] = [{"label": c.label, "value": c.value} for c in choices]
        if key:
            record["key"] = key
        line = json.dumps(record, ensure_ascii=False)
        async with self._lock:
            await asyncio.to_thread(self._append, self.folder / f"{org}.jsonl", line)
        return msg_id

    async def was_posted(self, org: str, channel: str, key: str) -> bool:
        """True when a post with this key is in the outbox (a send the process did not live to confirm)."""
        path = self.folder / f"{org}.jsonl"
        if not path.exists():
            return False
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        for line in text.splitlines():
            try:
                if json.loads(line).get("key") == key:
                    return True
            except ValueError:
                continue  # a line cut short by a crash is not a post
        return False

    @staticmethod
    def _append(path: Path, line: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)  # readable by the bot's user only
        with os.fdopen(fd, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


class RouterSender:
    """Sends each post through the platform its place names, else through the fallback (the outbox).

    Platforms register themselves when the server mounts them (`register("slack", sender)`); a
    platform's sender gets the place without its prefix. Channel names resolve through
    `Settings.channels` first, so `whistleblower` can live in Slack for one organisation and in Teams
    for another.
    """

    def __init__(self, fallback: Sender, channels: dict[str, dict[str, str]] | None = None) -> None:
        self.fallback = fallback
        self.channels = channels or {}
        self.platforms: dict[str, Sender] = {}

    def register(self, platform: str, sender: Sender) -> None:
        self.platforms[platform] = sender

    def resolve(self, org: str, channel: str) -> tuple[str, str]:
        """(platform, place) of a channel name or place; platform "" means the fallback."""
        target = self.channels.get(org, {}).get(channel, channel)
        platform, sep, place = target.partition(":")
        if sep and platform in self.platforms and place:
            return platform, place
        return "", channel

    async def post(
        self,
        org: str,
        channel: str,
        text: str,
        thread: str | None = None,
        choices: tuple[Choice, ...] = (),
        key: str | None = None,
    ) -> str:
        platform, place = self.resolve(org, channel)
        if platform:
            return await self.platforms[platform].post(org, place, text, thread, choices, key=key)
        return await self.fallback.post(org, channel, text, thread, choices, key=key)

    async def was_posted(self, org: str, channel: str, key: str) -> bool | None:
        """Whether a keyed post exists, where the place's sender can tell (None: it cannot)."""
        platform, place = self.resolve(org, channel)
        sender: Any = self.platforms[platform] if platform else self.fallback
        check = getattr(sender, "was_posted", None)
        return await check(org, place if platform else channel, key) if check else None


def format_post(
    kind: str, payload: dict[str, str], lang: str, mode: str = "notice", received: float | None = None
) -> str:
    """The channel text of a queued post (plain text: each platform's sender escapes markup and mentions).

    By default (`report_post: notice`) the channel gets a notice: the case code, the day it was received
    and the deadlines, never the report, which handlers read off the platform (`conductbot case show`).
    With `report_post: full` the report's text is posted too. Never carries who sent it, when, or from where.
    """
    code = payload["code"]
    if mode != "full":
        day = received if received is not None else 0.0
        return say(
            "anonymous_report",
            f"notice_{kind}",
            lang,
            code=code,
            received=_date(day),
            ack=_date(day + ACK_DAYS * DAY),
            feedback=_date(day + FEEDBACK_DAYS * DAY),
        )
    return say("anonymous_report", f"post_{kind}", lang, code=code, text=payload["text"])


async def deliver_due(bot: Host, now: float | None = None) -> list[str]:
    """Post everything due up to `now`, send due deadline reminders, deliver reminders and prompts,
    purge expired cases. Returns one line per delivery (and per failure) for the caller to print.

    A queued post is removed from the queue only after the sender accepted it (or a timeout left it
    uncertain), so nothing is lost if the process stops half-way.
    """
    now = bot.clock() if now is None else now
    claims = bot.claims
    jobs = await _post_jobs(bot, claims, now) + await _deadline_jobs(bot, claims, now)
    if bot.schedules is not None:
        jobs += await occurrences.jobs(bot, claims, now)
    done = await _run_by_place(jobs)
    for code in await bot.cases.purge_closed(bot.settings.case_retention_days, now):
        done.append(f"deleted closed case {code}")
    await claims.purge()
    from bot import retention

    await retention.purge(bot, now)  # type: ignore[arg-type]
    return done


async def _run_by_place(jobs: list[Job]) -> list[str]:
    """Each place's jobs in order, stopping at its first failure; different places concurrently."""
    groups: dict[str, list[Callable[[], Awaitable[tuple[list[str], bool]]]]] = {}
    for place, job in jobs:
        groups.setdefault(place, []).append(job)
    gate = asyncio.Semaphore(CONCURRENT_PLACES)

    async def run(place: str, group: list[Callable[[], Awaitable[tuple[list[str], bool]]]]) -> list[str]:
        lines: list[str] = []
        async with gate:
            for job in group:
                try:
                    got, ok = await job()
                except Exception as exc:  # one place's trouble is reported, the others go on
                    log.warning("delivery to %s failed: %s", place, type(exc).__name__, exc_info=True)
                    return [*lines, f"{place}: delivery failed ({type(exc).__name__}); retrying next round"]
                lines += got
                if not ok:
                    break
        return lines

    results = await asyncio.gather(*(run(place, group) for place, group in groups.items()))
    return [line for lines in results for line in lines]


async def _post_jobs(bot: Host, claims: Claims, now: float) -> list[Job]:
    """The queued posts (reports first: their additions join their threads), one job per organisation."""
    due = await bot.cases.posts.due(now)
    due.sort(key=lambda post: post[3] != "report")
    jobs: list[Job] = []
    for post in due:

        async def run(post: tuple[int, str, str | None, str, dict[str, Any]] = post) -> tuple[list[str], bool]:
            line, ok = await _deliver_post(bot, claims, *post)
            return ([line] if line else []), ok

        jobs.append((f"{post[1]}/whistleblower", run))
    return jobs


async def _deliver_post(
    bot: Host, claims: Claims, post_id: int, org: str, code: str | None, kind: str, payload: dict[str, Any]
) -> tuple[str | None, bool]:
    cases = bot.cases
    what = f"{org}: {kind} {code or ''}".rstrip()
    info = await cases.info(code) if code else None
    thread = info.thread if info else None
    if kind != "report" and code and thread is None and await cases.posts.report_pending(code):
        return None, True  # an addition waits until its report is posted, so that it joins the report's thread
    claim = await claims.claim(f"post:{post_id}")
    if claim is None:
        return None, True
    if claim.posting:  # a crash during the post: the platform cannot say whether it arrived; never twice
        await cases.posts.done(post_id)
        await claims.finish(claim.key, "uncertain", "crashed while posting", claim.attempts)
        return f"{what} maybe delivered (not resent)", True
    received = info.created if info else None
    text = format_post(kind, payload, bot.settings.channel_lang, bot.settings.report_post, received)
    _crash("before-post")
    outcome = await _attempt(bot, claims, claim, org, text, thread if kind != "report" else None, give_up=False)
    _crash("after-post")
    if outcome.status == "failed":
        return f"{what} not posted ({outcome.error}); retrying in {outcome.retry_at - claims.wall():.0f} s", False
    if outcome.status == "sent" and kind == "report" and code and outcome.message:
        await cases.set_thread(code, outcome.message)
    await cases.posts.done(post_id)
    await claims.finish(claim.key, "done" if outcome.status == "sent" else "uncertain", None, outcome.attempts)
    return what if outcome.status == "sent" else f"{what} maybe delivered (timed out; not resent)", True


async def _deadline_jobs(bot: Host, claims: Claims, now: float) -> list[Job]:
    """Reminders to the handlers of the legal deadlines (acknowledge in 7 days, feedback in 3 months)."""
    jobs: list[Job] = []
    for info in await bot.cases.list():
        for kind, days, pending in (
            ("ack", ACK_DAYS, info.status == "received"),
            ("feedback", FEEDBACK_DAYS, info.status in ("received", "acknowledged")),
        ):
            deadline = info.created + days * DAY
            if not (pending and now >= deadline - REMIND_BEFORE_DAYS[kind] * DAY):
                continue

            async def run(info: Any = info, kind: str = kind, days: int = days, deadline: float = deadline) -> Any:
                key = f"deadline:{info.code}:{kind}"
                claim = await claims.claim(key)
                if claim is None:
                    return [], True
                if not claim.resumed and claim.attempts == 0 and not await bot.cases.reminder_sent(info.code, kind):
                    await claims.finish(key)  # sent before claims existed
                    return [], True
                lang = bot.settings.channel_lang
                text = say("anonymous_report", f"remind_{kind}", lang, code=info.code, date=_date(deadline), days=days)
                what = f"{info.org}: reminder {kind} {info.code}"
                if claim.posting:
                    await claims.finish(key, "uncertain", "crashed while posting", claim.attempts)
                    return [f"{what} maybe delivered (not resent)"], True
                outcome = await _attempt(bot, claims, claim, info.org, text, info.thread, give_up=True)
                if outcome.status == "failed":
                    return [f"{what} not posted ({outcome.error}); retrying"], False
                final = {"sent": "done", "uncertain": "uncertain", "gave_up": "gave_up"}[outcome.status]
                await claims.finish(key, final, outcome.error or None, outcome.attempts)
                said = {"sent": "", "uncertain": " maybe delivered (timed out)", "gave_up": " NOT delivered"}
                return [what + said[outcome.status]], True

            jobs.append((f"{info.org}/whistleblower", run))
    return jobs


async def _attempt(
    bot: Host, claims: Claims, claim: Claim, org: str, text: str, thread: str | None, give_up: bool
) -> Any:
    async def post() -> str:
        return await bot.sender.post(org, "whistleblower", text, thread)

    async def unknown() -> bool | None:
        return None  # these posts carry no key a sender could look for

    outcome = await attempt(claims, claim, post, unknown, float(bot.settings.post_timeout_seconds), give_up)
    if outcome.status == "failed":
        await claims.failed(claim.key, outcome)
    return outcome


def _crash(where: str) -> None:
    if os.environ.get("CONDUCTBOT_TEST_CRASH") == where:
        os._exit(3)  # a test's stand-in for the process dying at this point


def _date(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d")
