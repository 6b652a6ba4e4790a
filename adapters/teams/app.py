"""The Teams front end: Bot Framework activities around `Bot.handle`.

Everything botbuilder-specific lives in adapters/teams/ (Microsoft has archived the Bot Framework SDK
in favour of the Microsoft 365 Agents SDK; a move touches only this folder). Personal chats are one
conversation each; in a channel, each reply chain (`<channel id>;messageid=<root>`) is one.

The anonymous report's text, passphrase and additions are typed into a card form, not into the chat;
the card is then updated in place through the review to the case code, and a last click removes the
code and passphrase from it. No conversation reference is stored for that flow.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from typing import Any

import aiosqlite
from botbuilder.core import TurnContext
from botbuilder.core.cloud_adapter_base import CloudAdapterBase
from botbuilder.schema import Activity

from adapters.teams import cards
from adapters.teams.connector import Connector, Graph
from bot.config import Settings
from bot.core import Bot
from bot.types import ROLES, Choice, Incoming, Reply
from intents import anonymous_report
from intents.phrases import load as load_phrases

log = logging.getLogger(__name__)

CODE = re.compile(r"\bVB-[A-Z0-9]{4}-[A-Z0-9]{4}\b")
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/emea/"


def base_conversation(conversation_id: str) -> str:
    """A channel's conversation id without the reply chain (`;messageid=...`)."""
    return conversation_id.split(";", 1)[0]


class References:
    """Conversation references for proactive messages, in the bot's database (no user names or ids)."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db

    async def setup(self) -> None:
        await self.db.execute(
            "CREATE TABLE IF NOT EXISTS teams_references (conversation TEXT PRIMARY KEY, ref TEXT NOT NULL, "
            "updated REAL NOT NULL)"
        )
        await self.db.commit()

    async def save(self, activity: Activity) -> None:
        conv = activity.conversation
        ref = {
            "service_url": activity.service_url,
            "channel_id": activity.channel_id or "msteams",
            "conversation": {
                "id": base_conversation(conv.id),
                "conversation_type": conv.conversation_type,
                "tenant_id": conv.tenant_id,
                "is_group": conv.is_group,
            },
            "bot": {"id": activity.recipient.id if activity.recipient else None},
        }
        await self.db.execute(
            "INSERT INTO teams_references VALUES (?, ?, ?) ON CONFLICT(conversation) DO UPDATE SET ref=excluded.ref, "
            "updated=excluded.updated",
            (ref["conversation"]["id"], json.dumps(ref), time.time()),
        )
        await self.db.commit()

    async def get(self, conversation: str) -> dict[str, Any] | None:
        async with self.db.execute(
            "SELECT ref FROM teams_references WHERE conversation=?", (base_conversation(conversation),)
        ) as cur:
            row = await cur.fetchone()
        return json.loads(row[0]) if row else None


class TeamsFrontEnd:
    """One Teams bot registration in front of one bot."""

    def __init__(
        self, bot: Bot, settings: Settings, adapter: CloudAdapterBase, app_id: str, connector: Connector
    ) -> None:
        self.bot = bot
        self.settings = settings
        self.adapter = adapter
        self.app_id = app_id
        self.connector = connector
        self.config = settings.teams or {}
        self.references = References(bot.store.db)
        self.graph: Graph | None = None
        self._roles: dict[str, tuple[str | None, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def setup(self) -> None:
        await self.references.setup()

    # ---- a turn -----------------------------------------------------------------------------------

    async def on_turn(self, tc: TurnContext) -> None:
        activity = tc.activity
        if activity.type == "message":
            await self.on_message(tc)
        elif activity.type == "conversationUpdate" and activity.conversation.conversation_type == "personal":
            bot_id = activity.recipient.id if activity.recipient else None
            if any(m.id == bot_id for m in activity.members_added or []):
                await self.references.save(activity)
                await self._reply(activity, cards.message(cards.word("welcome", _lang(activity.locale))))

    async def identity(self, activity: Activity) -> tuple[str | None, str | None]:
        """(organisation, role): the tenant's organisation, and a role from the configured Entra groups the
        person is in (asked of Microsoft Graph, remembered for ten minutes)."""
        tenant = activity.conversation.tenant_id or ((activity.channel_data or {}).get("tenant") or {}).get("id")
        org = (self.config.get("tenants") or {}).get(tenant or "")
        groups: dict[str, str] = {g: r for g, r in (self.config.get("groups") or {}).items() if r in ROLES}
        person = activity.from_property.aad_object_id if activity.from_property else None
        if not groups or not person or self.graph is None:
            return org, None
        cached = self._roles.get(person)
        if cached is not None and cached[1] > time.monotonic():
            return org, cached[0]
        try:
            member_of = await self.graph.member_groups(person, list(groups))
        except Exception as exc:  # no role is better than no answer
            log.warning("Graph group lookup failed: %s", exc)
            return org, None
        order = {r: i for i, r in enumerate(reversed(ROLES))}
        roles = [r for g, r in groups.items() if g in member_of]
        role = min(roles, key=order.__getitem__) if roles else None
        self._roles[person] = (role, time.monotonic() + 600)
        return org, role

    async def on_message(self, tc: TurnContext) -> None:
        activity = tc.activity
        conv = activity.conversation
        in_channel = conv.conversation_type in ("channel", "groupChat")
        value = activity.value if isinstance(activity.value, dict) else None
        if conv.conversation_type == "channel" and not value and await self._handler_reply(tc):
            return
        text, choice = "", None
        if value is not None:
            if value.get("wipe"):
                await self._update(tc, cards.text_card(cards.word("wiped", _lang(activity.locale))))
                return
            if "choice" in value:
                choice = str(value["choice"])
            else:
                text = str(value.get("text") or "")
        else:
            text = (TurnContext.remove_recipient_mention(activity) if in_channel else activity.text) or ""
            text = re.sub(r"</?at>", "", text).strip()
            text, choice = _command(text)
        form = bool(value and value.get("form"))
        org, role = await self.identity(activity)
        incoming = Incoming(
            user=activity.from_property.id if activity.from_property else "",
            conversation=conv.id,
            text=text,
            choice=choice,
            org=org,
            role=role,
            locale=activity.locale,
            platform="teams",
            place=f"teams:{base_conversation(conv.id)}",
            form=value is not None and "choice" not in value,  # text typed in the card form, not in the chat
        )
        replies = await self._handle(incoming, activity.locale)
        secret = form or any(r.intent == anonymous_report.NAME for r in replies)
        if not secret:
            await self.references.save(activity)
        if form and activity.reply_to_id:
            await self._update(tc, self._form_card(replies, conv.id))
            return
        if in_channel and any(r.private for r in replies):
            lang = replies[0].lang if replies else _lang(activity.locale)
            await self._reply(activity, cards.message(cards.word("private_elsewhere", lang)))
            return
        for reply in replies:
            await self._reply(activity, cards.reply_activity(reply, conv.id))

    async def _reply(self, incoming: Activity, body: dict[str, Any]) -> str:
        """Answer an activity in its conversation (in a channel, in its reply chain)."""
        out = {
            **body,
            "from": {"id": incoming.recipient.id if incoming.recipient else self.app_id},
            "conversation": {"id": incoming.conversation.id},
            "channelId": incoming.channel_id or "msteams",
        }
        return await self.connector.send(incoming.service_url, incoming.conversation.id, out, incoming.id)

    async def _handle(self, incoming: Incoming, locale: str | None) -> list[Reply]:
        lock = self._locks.setdefault(incoming.conversation, asyncio.Lock())
        try:
            async with lock:  # one message at a time per conversation
                return await self.bot.handle(incoming)
        except Exception:
            log.exception("the bot failed on a Teams message")  # the traceback carries no message text
            lang = _lang(locale)
            return [Reply(text=cards.word("error", lang), intent="error", lang=lang, abstained=True)]
        finally:
            if not lock.locked() and not getattr(lock, "_waiters", None):
                self._locks.pop(incoming.conversation, None)

    def _form_card(self, replies: list[Reply], conversation: str) -> dict[str, Any]:
        """The form card after a step; once a case code is shown, a button to remove it again."""
        content = cards.reply_card(replies, conversation, form=True, max_chars=_max())
        last = replies[-1] if replies else None
        if last and not last.choices and not last.meta.get("input") and CODE.search(last.text):
            content["content"].setdefault("actions", []).append(
                cards.submit(cards.word("noted", last.lang), {"wipe": 1, "form": 1})
            )
        return content

    async def _update(self, tc: TurnContext, attachment: dict[str, Any]) -> None:
        """Replace the form card in place (the typed text does not stay in it)."""
        incoming = tc.activity
        body = {"type": "message", "attachments": [attachment], "conversation": {"id": incoming.conversation.id}}
        try:
            await self.connector.update(incoming.service_url, incoming.conversation.id, incoming.reply_to_id, body)
        except Exception:
            log.warning("could not update the card", exc_info=True)

    async def _handler_reply(self, tc: TurnContext) -> bool:
        """A whistleblower handler's reply in a case's reply chain: stored for the reporter."""
        activity = tc.activity
        conv = activity.conversation.id
        base = base_conversation(conv)
        if not any(
            places.get("whistleblower") == f"teams:{base}" for places in (self.settings.channels or {}).values()
        ):
            return False
        code = await self.bot.cases.by_thread(conv)
        if code is None:
            return False
        text = re.sub(r"<at>.*?</at>", "", activity.text or "").strip()
        notes = await anonymous_report.handler_reply(self.bot, code, text, self.settings.channel_lang)
        for note in notes:
            await self._reply(activity, cards.message(note))
        return True


class TeamsSender:
    """Proactive posts (reports, reminders, prompts) to a Teams conversation or channel by id."""

    def __init__(self, front: TeamsFrontEnd) -> None:
        self.front = front

    async def post(
        self,
        org: str,
        channel: str,
        text: str,
        thread: str | None = None,
        choices: tuple[Choice, ...] = (),
        key: str | None = None,
    ) -> str:
        front = self.front
        stored = await front.references.get(channel)
        base = base_conversation(channel)
        if stored:
            service_url = stored["service_url"]
            conv = stored["conversation"]
            tenant, kind, bot_id = conv.get("tenant_id"), conv.get("conversation_type"), stored["bot"].get("id")
        else:  # a channel named in the configuration that the bot has not heard from yet
            service_url = front.config.get("service_url") or DEFAULT_SERVICE_URL
            tenants = front.config.get("tenants") or {}
            tenant = next((t for t, o in tenants.items() if o == org), None)
            kind, bot_id = "channel", front.app_id or None
        target = thread if thread and ";messageid=" in thread else (f"{base};messageid={thread}" if thread else channel)
        body = {
            **cards.post_activity(text, choices),
            "from": {"id": bot_id},
            "conversation": {"id": target, "tenantId": tenant, "conversationType": kind},
            "channelId": "msteams",
        }
        new_id = await front.connector.send(service_url, target, body)
        if thread:
            return target
        return f"{base};messageid={new_id}"


def _command(text: str) -> tuple[str, str | None]:
    """A bot command from the Teams command menu (adapters/teams/teams.yaml) as (text, choice)."""
    folded = " ".join(text.casefold().split())
    for entry in cards.words()["commands"]:
        if folded == entry["title"].casefold():
            return str(entry.get("text") or ""), entry.get("choice")
    return text, None


def _lang(locale: str | None) -> str:
    return "en" if (locale or "").lower().startswith("en") else "sv"


def _max() -> int:
    return int(load_phrases("anonymous_report")["max_chars"])
