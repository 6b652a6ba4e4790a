"""Delivery of posts to organisations' channels: anonymous reports, follow-ups and deadline reminders.

A `Sender` posts text to a named channel of an organisation and returns the message's id (its
thread). The terminal default, `OutboxSender`, appends JSON lines to `<home>/outbox/<org>.jsonl`;
the Slack and Teams adapters provide their own senders. `deliver_due` is what `conductbot tick` and
the running server call: it posts what is due and reminds handlers of the legal deadlines.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from bot.types import Choice
from intents.phrases import say

if TYPE_CHECKING:
    from bot.core import Bot

DAY = 86400.0
ACK_DAYS = 7  # acknowledge receipt within 7 days (lag 2021:890, directive 2019/1937)
FEEDBACK_DAYS = 91  # give feedback within 3 months
REMIND_BEFORE_DAYS = {"ack": 2, "feedback": 14}


class Sender(Protocol):
    """Posts to an organisation's channel and returns the message's id (its thread).

    `channel` is a name the configuration maps to a place (`whistleblower`), or a place itself:
    `slack:<channel or user id>`, `teams:<conversation id>`, or anything else for the outbox.
    `choices` become buttons where the platform has them. `key` names a post that must not be made twice
    (a scheduled reminder); a sender that can tell whether a post with that key exists has
    `async was_posted(org, channel, key) -> bool`.
    """

    async def post(
        self,
        org: str,
        channel: str,
        text: str,
        thread: str | None = None,
        choices: tuple[Choice, ...] = (),
        key: str | None = None,
    ) -> str: ...


class OutboxSender:
    """The terminal default: each post is a JSON line in `<home>/outbox/<org>.jsonl`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = asyncio.Lock()

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
        record: dict[str, object] = {"id": msg_id, "channel": channel, "thread": thread, "text": text}
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


async def deliver_due(bot: Bot, now: float | None = None) -> list[str]:
    """Post everything due up to `now`, send due deadline reminders, purge expired cases.

    Returns one line per delivery for the caller to print. A post is removed from the queue only
    after the sender accepted it, so nothing is lost if the process stops half-way.
    """
    now = bot.clock() if now is None else now
    cases = bot.cases
    lang = bot.settings.channel_lang
    done: list[str] = []
    due = await cases.posts.due(now)
    due.sort(key=lambda post: post[3] != "report")  # reports first: their additions join their threads
    for post_id, org, code, kind, payload in due:
        info = await cases.info(code) if code else None
        thread = info.thread if info else None
        if kind != "report" and code and thread is None and await cases.posts.report_pending(code):
            continue  # an addition waits until its report is posted, so that it joins the report's thread
        text = format_post(kind, payload, lang, bot.settings.report_post, info.created if info else None)
        msg_id = await bot.sender.post(org, "whistleblower", text, thread if kind != "report" else None)
        if kind == "report" and code:
            await cases.set_thread(code, msg_id)
        await cases.posts.done(post_id)
        done.append(f"{org}: {kind} {code or ''}".rstrip())
    for info in await cases.list():
        for kind, days, pending in (
            ("ack", ACK_DAYS, info.status == "received"),
            ("feedback", FEEDBACK_DAYS, info.status in ("received", "acknowledged")),
        ):
            deadline = info.created + days * DAY
            if pending and now >= deadline - REMIND_BEFORE_DAYS[kind] * DAY:
                if await cases.reminder_sent(info.code, kind):
                    text = say(
                        "anonymous_report", f"remind_{kind}", lang, code=info.code, date=_date(deadline), days=days
                    )
                    await bot.sender.post(info.org, "whistleblower", text, info.thread)
                    done.append(f"{info.org}: reminder {kind} {info.code}")
    for code in await cases.purge_closed(bot.settings.case_retention_days, now):
        done.append(f"deleted closed case {code}")
    from bot import retention

    await retention.purge(bot, now)
    if bot.schedules is not None:
        from bot import schedule

        done += await schedule.deliver_due(bot, now)
    return done


def _date(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d")
