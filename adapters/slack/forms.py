"""Clicks and forms: buttons in messages, the App Home's buttons, and the modal for secret text.

A button's value carries its choice and conversation (adapters/slack/blocks.py). The modal carries the
conversation, the place and the core's sealed flow state (`flow_token`) in its private_metadata and sends
them back with every submit and click, with `Incoming.form` set. What the core answers to a submit is
the next view, returned in the acknowledgement; nothing of the form is posted to the chat.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from adapters.slack import blocks as bk
from adapters.slack.where import Where
from bot.types import Reply
from intents.phrases import load as load_phrases

log = logging.getLogger(__name__)

SUBMIT_WAIT = 2.3  # seconds the core may take before a submit is acknowledged with "one moment"


class Forms:
    """The click and form listeners of a Slack front end (a mixin of `SlackFrontEnd`)."""

    submit_wait: float = SUBMIT_WAIT

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
        answer = asyncio.ensure_future(
            self.converse(
                where, team, user, text=text, choice=choice, form=True, flow_token=meta.get("t", ""), private=True
            )
        )
        done, _ = await asyncio.wait({answer}, timeout=self.submit_wait)
        if not done:
            # Slack takes the acknowledgement for 3 s only: say "one moment", and show the answer with
            # views.update (the one case where what the form shows travels in a Web API call: better
            # than a case code and passphrase the reporter never sees)
            await ack(response_action="update", view=bk.working_view(_lang_of(view)))
            replies = await answer or [_failed()]
            new = bk.replies_view(replies, replies[0].lang, _form_meta(where), meta.get("k", ""), _max())
            await self.client.views_update(view_id=str(view.get("id") or ""), view=new)
            return
        replies = answer.result()
        errors = [r for r in replies if r.meta.get("error")]
        if errors and field is not None:
            await ack(response_action="errors", errors={"text": errors[0].text[:300]})
            return
        if not replies:
            replies = [_failed()]
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


def _failed() -> Reply:
    return Reply(text=bk.word("error", "sv"), intent="error", private=True)


def _lang_of(view: dict[str, Any]) -> str:
    """The language a modal is written in, from its title (the form's own words)."""
    title = str((view.get("title") or {}).get("text") or "")
    return "en" if title in {bk.word(f"modal_title.{k}", "en") for k in ("report", "passphrase", "addition")} else "sv"


def _form_where(conversation: str | None, place: str | None) -> Where:
    """Where a form belongs: the conversation it was opened from, or one of its own."""
    if not conversation:
        return Where.form()
    if conversation.startswith("form:"):
        return Where(conversation, "", None, "")
    return Where.of(conversation, place)


def _form_meta(where: Where) -> dict[str, str]:
    return {"c": where.conversation, "p": where.place}


def _metadata(view: dict[str, Any]) -> dict[str, str]:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _max() -> int:
    return int(load_phrases("anonymous_report")["max_chars"])
