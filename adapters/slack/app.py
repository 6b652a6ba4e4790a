"""The Slack front end: a slack-bolt AsyncApp around `Bot.handle`.

Slack's events, commands and clicks become `Incoming`; replies go back with chat.postMessage (in the
thread, in channels), chat.postEphemeral (private replies in a channel), or into a modal (the
anonymous report's text, which must not sit in the message history). Every request is acknowledged
first and answered after, so Slack always gets its ack within 3 seconds; a retried event
(X-Slack-Retry-Num, same event_id) is acknowledged and dropped.

Conversations: a direct message channel is one conversation (`D123`); a thread in a channel is
another (`C123/1700000000.000100`). The bot answers a channel thread when mentioned, and then
follows the thread for `THREAD_HOURS` without a new mention.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks as bk
from bot.config import Settings
from bot.core import Bot
from bot.types import ROLES, Choice, Incoming, Reply
from intents import anonymous_report
from intents.phrases import load as load_phrases
from knowledge.orgs import org_name

log = logging.getLogger(__name__)

COMMAND = "/bemotande"
THREAD_HOURS = 24
SEEN_EVENTS = 10_000  # event ids remembered for deduplication
CACHE_SECONDS = 3600.0
GROUP_CACHE_SECONDS = 600.0
MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
ROLE_ORDER = {r: i for i, r in enumerate(reversed(ROLES))}  # group_leader first when someone is in several groups


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


@dataclass(frozen=True, slots=True)
class Where:
    """Where a conversation lives: its id, the channel and thread to post in, and its place for later posts."""

    conversation: str
    channel: str
    thread: str | None
    place: str

    @property
    def direct(self) -> bool:
        return self.channel.startswith("D")

    @classmethod
    def of(cls, conversation: str, place: str | None = None) -> Where:
        channel, _, thread = conversation.partition("/")
        return cls(conversation, channel, thread or None, place or f"slack:{channel}")

    @classmethod
    def form(cls) -> Where:
        """A conversation of its own for a form opened without one (the slash command, the App Home): an
        opaque id that names no channel and no person, so that nothing the form sends to Slack does."""
        return cls(f"form:{secrets.token_hex(8)}", "", None, "")

    @classmethod
    def in_channel(cls, channel: str, thread: str | None) -> Where:
        """A DM is one conversation (or a thread in it, if the person used one); a channel thread is one."""
        return cls.of(f"{channel}/{thread}" if thread else channel)


class TTLCache:
    """A small bounded map whose entries expire."""

    def __init__(self, seconds: float, size: int = SEEN_EVENTS) -> None:
        self.seconds = seconds
        self.size = size
        self._data: OrderedDict[str, tuple[float, Any]] = OrderedDict()

    def get(self, key: str) -> Any:
        hit = self._data.get(key)
        if hit is None or hit[0] < time.monotonic():
            self._data.pop(key, None)
            return None
        return hit[1]

    def put(self, key: str, value: Any) -> None:
        self._data[key] = (time.monotonic() + self.seconds, value)
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)


class SlackFrontEnd:
    """One Slack app (one workspace token) in front of one bot."""

    def __init__(
        self,
        bot: Bot,
        settings: Settings,
        token: str,
        signing_secret: str | None,
        api_url: str | None = None,
        socket_mode: bool = False,
    ) -> None:
        self.bot = bot
        self.settings = settings
        kwargs: dict[str, Any] = {"token": token}
        if api_url:
            kwargs["base_url"] = api_url if api_url.endswith("/") else api_url + "/"
        self.client = AsyncWebClient(**kwargs)
        self.app = AsyncApp(
            client=self.client,
            signing_secret=signing_secret,
            request_verification_enabled=not socket_mode,
            logger=logging.getLogger("slack_bolt"),
        )
        self.config = settings.slack or {}
        self._seen = TTLCache(3600.0)
        self._threads = TTLCache(THREAD_HOURS * 3600.0)
        self._locales = TTLCache(CACHE_SECONDS)
        self._groups = TTLCache(GROUP_CACHE_SECONDS, 100)
        self._dms = TTLCache(CACHE_SECONDS)
        self._locks: dict[str, asyncio.Lock] = {}
        self._register()

    # ---- wiring ---------------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.app
        app.middleware(self._dedupe)
        app.event("message")(self.on_message)
        app.event("app_mention")(self.on_mention)
        app.event("app_home_opened")(self.on_home)
        app.command(COMMAND)(self.on_command)
        app.action(bk.CHOICE)(self.on_choice)
        app.action(bk.OPEN_INPUT)(self.on_open_input)
        app.action(re.compile(r"^home:"))(self.on_home_button)
        app.view_submission(bk.VIEW_ID)(self.on_submit)
        app.view_closed(bk.VIEW_ID)(self.on_closed)

    #: what manifest/slack/manifest.yaml must declare for what `_register` listens to (tests check it)
    EVENTS = ("message.im", "message.channels", "message.groups", "app_mention", "app_home_opened")
    COMMANDS = (COMMAND,)

    async def _dedupe(self, req: AsyncBoltRequest, resp: BoltResponse, next: Any) -> BoltResponse:
        """A retried or repeated event (same event_id) is acknowledged and not answered again."""
        event_id = req.body.get("event_id") if isinstance(req.body, dict) else None
        if event_id:
            if self._seen.get(event_id):
                log.info("dropped repeated event (retry %s)", req.headers.get("x-slack-retry-num", ["-"])[0])
                return BoltResponse(status=200, body="", headers={"x-slack-no-retry": "1"})
            self._seen.put(event_id, True)
        return await next()

    # ---- who is asking ----------------------------------------------------------------------------

    async def identity(
        self, team: str | None, user: str, lookup: bool = True
    ) -> tuple[str | None, str | None, str | None]:
        """(organisation, role, locale) of a Slack user: workspace and group mappings, Slack locale.

        `lookup=False` (the report's form) asks Slack nothing that names the person: the locale only
        from the cache (the form's flow keeps its language anyway)."""
        org = (self.config.get("workspaces") or {}).get(team or "")
        return org, await self._role(user), await self._locale(user, lookup)

    async def _locale(self, user: str, lookup: bool = True) -> str | None:
        cached = self._locales.get(user)
        if cached is not None or not lookup:
            return cached or None
        locale = ""
        try:
            resp = await self.client.users_info(user=user, include_locale=True)
            locale = str((resp.get("user") or {}).get("locale") or "")
        except SlackApiError as exc:
            log.warning("users.info failed: %s", exc.response.get("error"))
        self._locales.put(user, locale)
        return locale or None

    async def _role(self, user: str) -> str | None:
        groups: dict[str, str] = self.config.get("user_groups") or {}
        found: list[str] = []
        for group, role in groups.items():
            if role not in ROLES:
                continue
            members = self._groups.get(group)
            if members is None:
                try:
                    resp = await self.client.usergroups_users_list(usergroup=group)
                    members = frozenset(resp.get("users") or ())
                except SlackApiError as exc:
                    log.warning("usergroups.users.list failed: %s", exc.response.get("error"))
                    members = frozenset()
                self._groups.put(group, members)
            if user in members:
                found.append(role)
        return min(found, key=ROLE_ORDER.__getitem__) if found else None

    async def direct_channel(self, user: str) -> str:
        """The bot's direct message channel with a person."""
        cached = self._dms.get(user)
        if cached:
            return str(cached)
        resp = await self.client.conversations_open(users=user)
        channel = str(resp["channel"]["id"])
        self._dms.put(user, channel)
        return channel

    # ---- the core ---------------------------------------------------------------------------------

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

    # ---- events -----------------------------------------------------------------------------------

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
        notes = await anonymous_report.handler_reply(self.bot, code, body, self.settings.channel_lang)
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
        view = bk.home_view(lang, org_name(org, lang), role or profile.role, lang)
        await self.client.views_publish(user_id=user, view=view)

    # ---- the slash command ------------------------------------------------------------------------

    async def on_command(self, ack: Any, command: dict[str, Any]) -> None:
        user = str(command["user_id"])
        team = command.get("team_id")
        here = str(command.get("channel_id") or "")
        text, choice, modal = _command_words(str(command.get("text") or ""))
        trigger = command.get("trigger_id")
        if modal and trigger:
            # the report: straight into a modal of its own; no direct message is opened, and nothing
            # sent to Slack names the person or the channel the command was typed in
            await ack()
            where = Where.form()
            replies = await self.converse(where, team, user, text=text, choice=choice, private=True)
            await self._open_form(trigger, where, replies, always=True)
            return
        if here.startswith("D"):
            await ack()
        else:  # said at once, before anything slow, so that Slack gets its ack in time
            await ack(text=bk.word("answered_in_dm", await self._lang(user)))
        dm = await self.direct_channel(user)
        where = Where.of(dm, f"slack:{here or dm}")
        replies = await self.converse(where, team, user, text=text, choice=choice)
        if await self._open_form(trigger, where, replies):
            return
        await self.send(where, user, replies)

    async def _lang(self, user: str) -> str:
        store = self.bot.store
        profile = await store.profile(store.pseudonym("slack", user))
        locale = self._locales.get(user) or ""
        return profile.lang or ("en" if str(locale).startswith("en") else "sv")

    # ---- buttons ----------------------------------------------------------------------------------

    async def on_choice(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        value = bk.read_value(str(action.get("value") or ""))
        user = str(body["user"]["id"])
        team = (body.get("team") or {}).get("id")
        label = str((action.get("text") or {}).get("text") or "")
        view = body.get("view")
        if body.get("container", {}).get("type") == "view" and view and view.get("type") == "modal":
            meta = _metadata(view)
            where = _form_where(meta.get("c") or value.get("c"), meta.get("p"))
            replies = await self.converse(
                where, team, user, choice=value["v"], form=True, flow_token=meta.get("t", ""), private=True
            )
            lang = replies[0].lang if replies else "sv"
            new = bk.replies_view(replies, lang, _form_meta(where), meta.get("k", ""), _max())
            await self.client.views_update(view_id=view["id"], hash=view.get("hash"), view=new)
            return
        where = self._where_of_click(body, value)
        replies = await self.converse(where, team, user, choice=value["v"])
        if value.get("c"):  # a reply to this person; a shared post (a prompt's pulse) keeps its buttons unmarked
            await self._mark_chosen(body, label, replies[0].lang if replies else "sv")
        if not await self._open_form(body.get("trigger_id"), where, replies):
            await self.send(where, user, replies)
        if value["v"].startswith("profile:"):
            await self.publish_home(user, team)

    def _where_of_click(self, body: dict[str, Any], value: dict[str, str]) -> Where:
        if value.get("c"):
            return Where.of(value["c"], value.get("p"))
        container = body.get("container") or {}
        channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
        if channel.startswith("D"):
            return Where.of(channel)
        thread = container.get("thread_ts") or container.get("message_ts")
        return Where.in_channel(channel, str(thread) if thread else None)

    async def _mark_chosen(self, body: dict[str, Any], label: str, lang: str) -> None:
        """Replace the clicked message's buttons with what was chosen, so nobody clicks twice."""
        message = body.get("message")
        container = body.get("container") or {}
        if not message:
            return
        new_blocks = bk.chosen_blocks(message.get("blocks") or [], label, lang)
        try:
            if container.get("is_ephemeral"):
                url = body.get("response_url")
                if url:
                    await self._respond(
                        url, {"replace_original": True, "blocks": new_blocks, "text": message.get("text", "")}
                    )
            else:
                await self.client.chat_update(
                    channel=container.get("channel_id"),
                    ts=message["ts"],
                    blocks=new_blocks,
                    text=message.get("text", ""),
                )
        except SlackApiError as exc:
            log.warning("could not update the clicked message: %s", exc.response.get("error"))

    async def _respond(self, url: str, payload: dict[str, Any]) -> None:
        from slack_sdk.webhook.async_client import AsyncWebhookClient

        await AsyncWebhookClient(url).send_dict(payload)

    async def on_home_button(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        user = str(body["user"]["id"])
        team = (body.get("team") or {}).get("id")
        key = str(action.get("action_id", "")).partition(":")[2]
        if key == "report" and body.get("trigger_id"):
            where = Where.form()
            replies = await self.converse(where, team, user, choice="report:start", private=True)
            await self._open_form(body.get("trigger_id"), where, replies, always=True)
            return
        where = Where.of(await self.direct_channel(user))
        if key == "fqc":
            replies = await self.converse(where, team, user, choice="fqc:start")
        else:
            replies = await self.converse(where, team, user, text="profil")
        await self.send(where, user, replies)

    # ---- the form for secret text -----------------------------------------------------------------

    async def on_open_input(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        value = bk.read_value(str(action.get("value") or ""))
        user = str(body["user"]["id"])
        where = _form_where(value.get("c"), value.get("p"))
        lang = await self._lang(user)
        meta = {**_form_meta(where), "t": value.get("t", "")}
        view = bk.input_view(value["v"], lang, meta, max_chars=_max())
        await self.client.views_open(trigger_id=body["trigger_id"], view=view)

    async def _open_form(self, trigger: str | None, where: Where, replies: list[Reply], always: bool = False) -> bool:
        """When the last reply asks for secret text (or `always`) and there is a trigger: a modal."""
        if not trigger or not replies or not (always or replies[-1].meta.get("input")):
            return False
        lang = replies[-1].lang
        kind = str(replies[-1].meta.get("input") or "report")
        view = bk.replies_view(replies, lang, _form_meta(where), kind, _max())
        await self.client.views_open(trigger_id=trigger, view=view)
        return True

    async def on_submit(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        """A modal's submit: typed text, or the view's first choice. Whatever the core answers is shown in
        the modal, in the acknowledgement itself, and never posted to the chat."""
        meta = _metadata(view)
        user = str(body["user"]["id"])
        team = (body.get("team") or {}).get("id")
        values = (view.get("state") or {}).get("values") or {}
        field = values.get("text") if isinstance(values, dict) else None
        text = ""
        if isinstance(field, dict) and isinstance(field.get("text"), dict):
            text = str(field["text"].get("value") or "")
        choice = None if field else (meta.get("s") or None)
        where = _form_where(meta.get("c"), meta.get("p"))
        replies = await self.converse(
            where, team, user, text=text, choice=choice, form=True, flow_token=meta.get("t", ""), private=True
        )
        errors = [r for r in replies if r.meta.get("error")]
        if errors and field is not None:
            await ack(response_action="errors", errors={"text": errors[0].text[:300]})
            return
        if not replies:
            replies = [Reply(text=bk.word("error", "sv"), intent="error", private=True)]
        lang = replies[0].lang
        new = bk.replies_view(replies, lang, _form_meta(where), meta.get("k", ""), _max())
        await ack(response_action="update", view=new)

    async def on_closed(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        """A modal closed before the end: the core forgets the flow; nothing is posted (closing says it)."""
        await ack()
        meta = _metadata(view)
        if meta.get("final"):
            return
        user = str(body["user"]["id"])
        team = (body.get("team") or {}).get("id")
        where = _form_where(meta.get("c"), meta.get("p"))
        await self.converse(
            where, team, user, choice="report:cancel", form=True, flow_token=meta.get("t", ""), private=True
        )


class SlackSender:
    """Posts reports, reminders and prompts to a Slack channel (or a user's DM, by user id)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(
        self,
        org: str,
        channel: str,
        text: str,
        thread: str | None = None,
        choices: tuple[Choice, ...] = (),
        key: str | None = None,
    ) -> str:
        thread_ts = thread.rpartition("/")[2] if thread else None
        resp = await self.client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, **bk.post_message(text, choices)
        )
        return f"{resp.get('channel') or channel}/{resp['ts']}"


def _command_words(text: str) -> tuple[str, str | None, bool]:
    """The slash command's text as (text, choice, open a form)."""
    folded = " ".join(text.strip().casefold().split())
    best: tuple[int, dict[str, Any]] | None = None
    for entry in bk.words()["command"]:
        for w in entry["words"]:
            w = str(w).casefold()
            if folded == w or (w and folded.startswith(w + " ")):
                if best is None or len(w) > best[0]:
                    best = (len(w), entry)
    if best is None:
        return text.strip(), None, False
    entry = best[1]
    said = str(entry.get("text") or "")
    if entry.get("typed") and text.strip():
        said = text.strip()
    return said, entry.get("choice"), bool(entry.get("modal"))


def _form_where(conversation: str | None, place: str | None) -> Where:
    """Where a form belongs: the conversation it was opened from, or one of its own."""
    if not conversation:
        return Where.form()
    if conversation.startswith("form:"):
        return Where(conversation, "", None, "")
    return Where.of(conversation, place)


def _form_meta(where: Where) -> dict[str, str]:
    return {"c": where.conversation, "p": where.place}


def _secret(reply: Reply) -> bool:
    """A reply that must never be a chat message: one that shows a passphrase."""
    return bool(anonymous_report.PASSPHRASE.search(reply.text))


def _metadata(view: dict[str, Any]) -> dict[str, str]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _max() -> int:
    return int(load_phrases("anonymous_report")["max_chars"])
