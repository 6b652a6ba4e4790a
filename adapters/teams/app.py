"""The Teams front end: Bot Framework activities around `Bot.handle`.

Activities are the Microsoft 365 Agents SDK's schema (`microsoft_agents.activity.Activity`), checked and
authenticated in adapters/teams/server.py; replies go through the SDK's connector client, with retries
(connector.py). Personal chats are one conversation each; in a channel, each reply chain
(`<channel id>;messageid=<root>`) is one.

The anonymous report's text, passphrase and additions are typed into a dialog (a task module) that a
card's button opens, never into the chat; every later step of the flow (the review, the case code and
passphrase, a login's answers) is the answer to the dialog's `task/submit` invoke, so nothing of it is a
message in the chat's history. No conversation reference is stored for that flow.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

from microsoft_agents.activity import Activity

from adapters.teams import cards
from adapters.teams.connector import Connector
from adapters.teams.graph import Graph
from adapters.teams.references import References, base_conversation
from bot.config import Settings
from bot.core import Bot
from bot.types import ROLES, Choice, Incoming, Reply
from intents import anonymous_report
from intents.phrases import load as load_phrases

log = logging.getLogger(__name__)

FORM_KINDS = ("report", "passphrase", "addition")
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/emea/"


class TeamsFrontEnd:
    """One Teams bot registration in front of one bot."""

    def __init__(self, bot: Bot, settings: Settings, app_id: str, connector: Connector) -> None:
        self.bot = bot
        self.settings = settings
        self.app_id = app_id
        self.connector = connector
        self.config = settings.teams or {}
        self.references = References(bot.store.db, bot.store.pseudonym, bot.cases.keys.local_box)
        self.graph: Graph | None = None
        self._roles: dict[str, tuple[str | None, float]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def setup(self) -> None:
        await self.references.setup()
        if self.references.forget not in self.bot.forget_hooks:
            self.bot.forget_hooks.append(self.references.forget)

    # ---- a turn -----------------------------------------------------------------------------------

    async def on_activity(self, activity: Activity) -> dict[str, Any] | None:
        """One authenticated activity; for an invoke, the body of its answer (None: 200, nothing to do)."""
        if activity.type == "invoke":
            return await self.on_invoke(activity)
        if activity.type == "message":
            await self.on_message(activity)
        elif activity.type == "conversationUpdate" and activity.conversation.conversation_type == "personal":
            bot_id = activity.recipient.id if activity.recipient else None
            if any(m.id == bot_id for m in activity.members_added or []):
                await self.references.save(activity)
                await self._reply(activity, cards.message(cards.word("welcome", _lang(activity.locale))))
        return None

    async def identity(self, activity: Activity, lookup: bool = True) -> tuple[str | None, str | None]:
        """(organisation, role): the tenant's organisation, and a role from the configured Entra groups the
        person is in (asked of Microsoft Graph, remembered for ten minutes; `lookup=False`, in the report's
        dialog: only what is remembered, so that no request names the person)."""
        tenant = activity.conversation.tenant_id or ((activity.channel_data or {}).get("tenant") or {}).get("id")
        org = (self.config.get("tenants") or {}).get(tenant or "")
        groups: dict[str, str] = {g: r for g, r in (self.config.get("groups") or {}).items() if r in ROLES}
        person = activity.from_property.aad_object_id if activity.from_property else None
        if not groups or not person or self.graph is None:
            return org, None
        cached = self._roles.get(person)
        if cached is not None and cached[1] > time.monotonic():
            return org, cached[0]
        if not lookup:
            return org, None
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

    async def on_message(self, activity: Activity) -> None:
        conv = activity.conversation
        in_channel = conv.conversation_type in ("channel", "groupChat")
        value = activity.value if isinstance(activity.value, dict) else None
        if conv.conversation_type == "channel" and not value and await self._handler_reply(activity):
            return
        text, choice = "", None
        if value is not None:
            if value.get("form") or value.get("wipe"):
                # a card form from before the dialogs: replaced, its text not read
                await self._update(activity, cards.text_card(cards.word("form_moved", _lang(activity.locale))))
                return
            if "choice" in value:
                choice = str(value["choice"])
            else:
                text = str(value.get("text") or "")
        else:
            text = (activity.remove_recipient_mention() if in_channel else activity.text) or ""
            text = re.sub(r"</?at>", "", text).strip()
            text, choice = _command(text)
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
        if not any(r.intent == anonymous_report.NAME for r in replies):
            await self.references.save(activity)
        if in_channel and any(r.private for r in replies):
            lang = replies[0].lang if replies else _lang(activity.locale)
            await self._reply(activity, cards.message(cards.word("private_elsewhere", lang)))
            return
        for reply in replies:
            if anonymous_report.PASSPHRASE.search(reply.text):  # a guard: a passphrase only in the dialog
                reply = Reply(text=cards.word("withheld", reply.lang), intent=reply.intent, lang=reply.lang)
            await self._reply(activity, cards.reply_activity(reply, conv.id))

    async def on_invoke(self, activity: Activity) -> dict[str, Any] | None:
        """The report's dialog: `task/fetch` opens it, `task/submit` is each step; the answer is the next
        dialog card, returned in the invoke's response. Other invokes: nothing to do (200, no body)."""
        name = activity.name or ""
        value = activity.value if isinstance(activity.value, dict) else {}
        data = value.get("data") if isinstance(value.get("data"), dict) else {}
        conversation = activity.conversation.id
        token = str(data.get("t") or "")
        if name == "task/fetch":
            kind = str(data.get("open") or "")
            if kind not in FORM_KINDS:
                return None
            return cards.input_dialog(kind, _lang(activity.locale), conversation, token, _max())
        if name != "task/submit" or data.get("close"):
            return None  # an empty answer closes a dialog
        choice = str(data["choice"]) if "choice" in data else None
        text = "" if choice is not None else str(data.get("text") or "")
        org, role = await self.identity(activity, lookup=False)
        incoming = Incoming(
            user=activity.from_property.id if activity.from_property else "",
            conversation=conversation,
            text=text,
            choice=choice,
            org=org,
            role=role,
            locale=activity.locale,
            platform="teams",
            form=True,
            flow_token=token,
        )
        replies = await self._handle(incoming, activity.locale)
        lang = replies[-1].lang if replies else _lang(activity.locale)
        if not replies:
            replies = [Reply(text=cards.word("error", lang), intent="error", lang=lang)]
        kind = str(replies[-1].meta.get("input") or data.get("input") or "report")
        title = cards.word(f"title.{kind if kind in FORM_KINDS else 'report'}", lang)
        return cards.dialog(replies, conversation, lang, title, _max())

    async def _reply(self, incoming: Activity, body: dict[str, Any]) -> str:
        """Answer an activity in its conversation (in a channel, in its reply chain)."""
        out = {
            **body,
            "from": {"id": incoming.recipient.id if incoming.recipient else self.app_id},
            "conversation": {"id": incoming.conversation.id},
            "channelId": str(incoming.channel_id or "msteams"),
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

    async def _update(self, incoming: Activity, attachment: dict[str, Any]) -> None:
        """Replace a card in place."""
        body = {"type": "message", "attachments": [attachment], "conversation": {"id": incoming.conversation.id}}
        try:
            await self.connector.update(
                incoming.service_url, incoming.conversation.id, str(incoming.reply_to_id or ""), body
            )
        except Exception:
            log.warning("could not update the card", exc_info=True)

    async def _handler_reply(self, activity: Activity) -> bool:
        """A whistleblower handler's reply in a case's reply chain: stored for the reporter."""
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
        notes = await anonymous_report.handler_reply(self.bot, code, text, self.settings.channel_lang, via="teams")
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
            **({"from": {"id": bot_id}} if bot_id else {}),  # local mode, a channel not heard from: no id to name
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
