"""The Slack front end: a slack-bolt AsyncApp around `Bot.handle`.

Slack's events, commands and clicks become `Incoming`; replies go back with chat.postMessage (in the
thread, in channels), chat.postEphemeral (private replies in a channel), or into a modal (the
anonymous report's text, which must not sit in the message history). Every request is acknowledged
first and answered after, so Slack always gets its ack within 3 seconds; a retried event
(X-Slack-Retry-Num, same event_id) or a replayed request is acknowledged and dropped, also after a
restart, and what a crash left unanswered is answered when the server starts again (once.py).

The listeners live beside this module, by what they do: events.py (messages, mentions, App Home),
commands.py (the slash command), forms.py (buttons and the modal), identity.py (who is asking);
sender.py posts what is not an answer.
"""

from __future__ import annotations

import asyncio
import logging
import re

from slack_bolt.app.async_app import AsyncApp

from adapters.common.inbox import Inbox
from adapters.slack import blocks as bk
from adapters.slack.commands import COMMAND, Commands
from adapters.slack.events import THREAD_HOURS, Events
from adapters.slack.forms import Forms
from adapters.slack.identity import Identity
from adapters.slack.once import Once
from adapters.slack.sender import SlackSender, web_client
from adapters.slack.where import TTLCache, Where
from bot.config import Settings
from bot.core import Bot
from bot.types import Incoming, Reply
from intents import anonymous_report

log = logging.getLogger(__name__)

__all__ = ["COMMAND", "SlackFrontEnd", "SlackSender", "Where"]

# The bot token scopes each event and Web API method needs: the manifest asks for exactly these.
EVENT_SCOPES = {
    "message.im": "im:history",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "app_mention": "app_mentions:read",
    "app_home_opened": None,
}
METHOD_SCOPES = {
    "chat_postMessage": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_update": "chat:write",
    "conversations_open": "im:write",
    "users_info": "users:read",
    "usergroups_users_list": "usergroups:read",
    "views_open": None,
    "views_update": None,
    "views_publish": None,
}
COMMAND_SCOPE = "commands"


class SlackFrontEnd(Events, Commands, Forms, Identity, Once):
    """One Slack app (one workspace token) in front of one bot."""

    def __init__(
        self,
        bot: Bot,
        settings: Settings,
        token: str,
        signing_secret: str | None,
        api_url: str | None = None,
        socket_mode: bool = False,
        inbox: Inbox | None = None,
    ) -> None:
        self.bot = bot
        self.settings = settings
        self.signing_secret = signing_secret
        self.inbox = inbox
        self.client = web_client(token, api_url)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=signing_secret,
            request_verification_enabled=not socket_mode,
            logger=logging.getLogger("slack_bolt"),
        )
        self.config = settings.slack or {}
        self._threads = TTLCache(THREAD_HOURS * 3600.0)
        self._caches()
        self._locks: dict[str, asyncio.Lock] = {}
        self._register()

    def _register(self) -> None:
        app = self.app
        app.middleware(self._accept)
        app.event("message")(self._owed(self.on_message))
        app.event("app_mention")(self._owed(self.on_mention))
        app.event("app_home_opened")(self._owed(self.on_home))
        app.command(COMMAND)(self._owed(self.on_command))
        app.action(bk.CHOICE)(self.on_choice)
        app.action(bk.OPEN_INPUT)(self.on_open_input)
        app.action(re.compile(r"^home:"))(self.on_home_button)
        app.view_submission(bk.VIEW_ID)(self.on_submit)
        app.view_closed(bk.VIEW_ID)(self.on_closed)

    #: what manifest/slack/manifest.yaml must declare for what `_register` listens to (tests check it)
    EVENTS = ("message.im", "message.channels", "message.groups", "app_mention", "app_home_opened")
    COMMANDS = (COMMAND,)

    async def converse(
        self,
        where: Where,
        team: str | None,
        user: str,
        text: str = "",
        choice: str | None = None,
        form: bool = False,
        flow_token: str = "",
        private: bool = False,
    ) -> list[Reply]:
        """The core's replies to one message, click or form submit (`form`: from the private form, with
        the flow's sealed `flow_token`; `private`: ask Slack nothing that names the person)."""
        org, role, locale = await self.identity(team, user, lookup=not (private or form))
        incoming = Incoming(
            user=user,
            conversation=where.conversation,
            text=text,
            choice=choice,
            org=org,
            role=role,
            locale=locale,
            platform="slack",
            place=where.place,
            personal_place=f"slack:{user}",  # Slack posts to a user id in the app's direct message
            form=form,
            flow_token=flow_token,
        )
        lock = self._locks.setdefault(where.conversation, asyncio.Lock())
        try:
            async with lock:  # one message at a time per conversation, in the order they came
                return await self.bot.handle(incoming)
        except Exception:
            log.exception("the bot failed on a Slack message")  # the traceback carries no message text
            lang = "en" if (locale or "").startswith("en") else "sv"
            return [Reply(text=bk.word("error", lang), intent="error", lang=lang, abstained=True)]
        finally:
            if not lock.locked() and not getattr(lock, "_waiters", None):
                self._locks.pop(where.conversation, None)

    async def send(self, where: Where, user: str, replies: list[Reply]) -> None:
        """Post replies: in the thread in channels, privately (ephemeral) when a reply must stay private."""
        for reply in replies:
            if _secret(reply):  # a guard: a case code with its passphrase is shown in the form only
                reply = Reply(text=bk.word("withheld", reply.lang), intent=reply.intent, lang=reply.lang, private=True)
            msg = bk.reply_message(reply, where.conversation, where.place)
            if reply.private and not where.direct:
                await self.client.chat_postEphemeral(channel=where.channel, user=user, thread_ts=where.thread, **msg)
            else:
                await self.client.chat_postMessage(channel=where.channel, thread_ts=where.thread, **msg)
        if not where.direct and where.thread:
            self._threads.put(where.conversation, True)


def _secret(reply: Reply) -> bool:
    """A reply that must never be a chat message: one that shows a passphrase."""
    return bool(anonymous_report.PASSPHRASE.search(reply.text))
