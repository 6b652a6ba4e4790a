"""Slack events: direct messages, mentions and thread replies in channels, the App Home tab.

The bot answers a channel thread when mentioned, and then follows the thread for `THREAD_HOURS`
without a new mention. A reply in a case's thread in the whistleblower channel is a handler's answer:
stored for the reporter, never answered as a question.
"""

from __future__ import annotations

import re
from typing import Any

from adapters.slack import blocks as bk
from adapters.slack.home import home_view
from adapters.slack.where import TTLCache, Where
from bot.config import Settings
from bot.core import Bot
from intents import anonymous_report
from knowledge.orgs import org_name

THREAD_HOURS = 24
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


class Events:
    """The event listeners of a Slack front end (a mixin of `SlackFrontEnd`)."""

    bot: Bot
    settings: Settings
    _threads: TTLCache

    async def on_message(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("subtype") or event.get("bot_id") or not event.get("user"):
            return  # edits, joins, bots (ourselves included)
        channel = str(event.get("channel") or "")
        text = str(event.get("text") or "")
        thread = event.get("thread_ts")
        user = str(event["user"])
        if event.get("channel_type") == "im":
            where = Where.in_channel(channel, thread)
        elif thread:
            if await self._handler_reply(channel, str(thread), text):
                return
            where = Where.in_channel(channel, str(thread))
            if not self._threads.get(where.conversation) or MENTION.search(text):
                return  # not a thread the bot is in, or a mention (app_mention answers that)
        else:
            return
        replies = await self.converse(where, body.get("team_id"), user, text=text)
        await self.send(where, user, replies)

    async def on_mention(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("bot_id") or not event.get("user"):
            return
        channel = str(event.get("channel") or "")
        if channel.startswith("D"):
            return  # a mention in a direct message arrives as a message event too
        thread = str(event.get("thread_ts") or event.get("ts"))
        if await self._handler_reply(channel, thread, str(event.get("text") or "")):
            return
        where = Where.in_channel(channel, thread)
        text = MENTION.sub("", str(event.get("text") or "")).strip()
        user = str(event["user"])
        self._threads.put(where.conversation, True)
        replies = await self.converse(where, body.get("team_id"), user, text=text)
        await self.send(where, user, replies)

    async def _handler_reply(self, channel: str, thread: str, text: str) -> bool:
        """A whistleblower handler's reply in a case's thread: stored for the reporter, never answered."""
        if not any(
            places.get("whistleblower") == f"slack:{channel}" for places in (self.settings.channels or {}).values()
        ):
            return False
        code = await self.bot.cases.by_thread(f"{channel}/{thread}")
        if code is None:
            return False
        body = MENTION.sub("", text).strip()
        notes = await anonymous_report.handler_reply(self.bot, code, body, self.settings.channel_lang, via="slack")
        for note in notes:
            await self.client.chat_postMessage(channel=channel, thread_ts=thread, text=bk.escape(note))
        return True

    async def on_home(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab") not in (None, "home"):
            return
        await self.publish_home(str(event["user"]), body.get("team_id"))

    async def publish_home(self, user: str, team: str | None) -> None:
        org, role, locale = await self.identity(team, user)
        store = self.bot.store
        profile = await store.profile(store.pseudonym("slack", user))
        org = org or profile.org or self.settings.default_org
        lang = profile.lang or ("en" if (locale or "").startswith("en") else "sv")
        view = home_view(lang, org_name(org, lang), role or profile.role, lang)
        await self.client.views_publish(user_id=user, view=view)
