"""Core replies as Block Kit: messages with buttons, the form (modal) for secret text, and the App Home.

Pure functions from `Reply` and phrases to Slack JSON; nothing here talks to Slack. A button's value
carries the choice and the conversation it belongs to (`{"v": choice, "c": conversation, "p": place}`),
so a click finds its conversation again wherever the message is (a thread, an ephemeral message, a
modal).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from bot.types import Choice, Reply
from knowledge.yamlio import load as load_yaml

SECTION_MAX = 2900  # Slack allows 3000 characters in a section's text
TEXT_MAX = 3900  # the notification text of a message
BUTTON_TEXT_MAX = 75
MODAL_TITLE_MAX = 24
INPUT_MAX = 3000  # a plain_text_input's max_length
META_MAX = 3000  # a view's private_metadata
VALUE_MAX = 2000  # a button's value
SUBMIT_MAX = 24  # a modal's submit label
VIEW_ID = "conductbot_input"
OPEN_INPUT = "open_input"
CHOICE = re.compile(r"^choice:\d+$")


@cache
def words() -> dict[str, Any]:
    """adapters/slack/slack.yaml."""
    return load_yaml((Path(__file__).with_name("slack.yaml")).read_text(encoding="utf-8"))


def word(key: str, lang: str, /, **values: object) -> Any:
    """One of the Slack front end's phrases; a dotted key reaches into a table."""
    table: Any = words().get(lang) or words()["sv"]
    for part in key.split("."):
        table = table[part]
    return table.format(**values) if values and isinstance(table, str) else table


def escape(text: str) -> str:
    """Plain text as Slack mrkdwn: &, < and > escaped, so nobody can inject mentions or links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(text: str) -> str:
    """Reply text as mrkdwn: escaped, with quoted lines (`> `) kept as Slack quotes."""
    lines = []
    for line in text.splitlines():
        if line.startswith("> ") or line == ">":
            lines.append(">" + escape(line[1:]))
        else:
            lines.append(escape(line))
    return "\n".join(lines)


def _chunks(text: str, size: int = SECTION_MAX) -> list[str]:
    """Text cut into pieces of at most `size` characters, at paragraph or line breaks when possible."""
    out: list[str] = []
    rest = text.strip()
    while len(rest) > size:
        cut = max(rest.rfind("\n\n", 0, size), rest.rfind("\n", 0, size))
        if cut <= 0:
            cut = rest.rfind(" ", 0, size)
        if cut <= 0:
            cut = size
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        out.append(rest)
    return out


def sections(text: str) -> list[dict[str, Any]]:
    return [{"type": "section", "text": {"type": "mrkdwn", "text": part}} for part in _chunks(mrkdwn(text))]


def plain(text: str, limit: int = BUTTON_TEXT_MAX) -> dict[str, Any]:
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def button_value(value: str, conversation: str | None = None, place: str | None = None, token: str = "") -> str:
    """A button's value: the choice, its conversation and place, and the flow's sealed token when it fits."""
    payload: dict[str, str] = {"v": value}
    if conversation:
        payload["c"] = conversation
    if place:
        payload["p"] = place
    plain_value = _dumps(payload)
    if token:
        with_token = _dumps({**payload, "t": token})
        if len(with_token) <= VALUE_MAX:
            return with_token
    return plain_value


def read_value(raw: str) -> dict[str, str]:
    """A button's value back: {"v": choice, "c": conversation?, "p": place?, "t": token?}; a bare string is a choice."""
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return {"v": str(raw)}
    return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {"v": str(raw)}


def metadata(meta: dict[str, str]) -> str:
    """A modal's private_metadata: `meta` as JSON, without its token ("t") when that does not fit.

    Without the token a form still works while the server runs; after a restart the core then
    refuses the submit with a clear message instead of taking it as the report."""
    data = {k: v for k, v in meta.items() if v}
    text = _dumps(data)
    if len(text) > META_MAX:
        text = _dumps({k: v for k, v in data.items() if k != "t"})
    return text


def _dumps(data: dict[str, str]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def token_of(replies: list[Reply]) -> str:
    """The flow's sealed state that the last reply carries (empty when the flow is over)."""
    return str(replies[-1].meta.get("flow_token") or "") if replies else ""


def buttons(
    choices: tuple[Choice, ...], conversation: str | None, place: str | None, offset: int = 0
) -> list[dict[str, Any]]:
    """Choices as actions blocks of at most 25 buttons each."""
    elements = [
        {
            "type": "button",
            "action_id": f"choice:{i + offset}",
            "text": plain(c.label),
            "value": button_value(c.value, conversation, place),
        }
        for i, c in enumerate(choices)
    ]
    return [
        {"type": "actions", "block_id": f"choices-{n}", "elements": elements[n : n + 25]}
        for n in range(0, len(elements), 25)
    ]


def reply_message(reply: Reply, conversation: str | None, place: str | None) -> dict[str, Any]:
    """chat.postMessage arguments (text and blocks) for one reply."""
    blocks = sections(reply.text)
    kind = str(reply.meta.get("input") or "")
    if reply.choices or kind:
        actions = buttons(reply.choices, conversation, place)
        if kind:
            element = {
                "type": "button",
                "action_id": OPEN_INPUT,
                "style": "primary",
                "text": plain(word(f"write.{kind}", reply.lang)),
                "value": button_value(kind, conversation, place, str(reply.meta.get("flow_token") or "")),
            }
            if actions:
                actions[0]["elements"].insert(0, element)
            else:
                actions = [{"type": "actions", "block_id": "choices-0", "elements": [element]}]
        blocks += actions
        if kind:  # what is secret is written in the form, never in the chat
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": word("use_form", reply.lang)}]})
    return {"text": _notification(reply.text), "blocks": blocks}


def post_message(text: str, choices: tuple[Choice, ...] = ()) -> dict[str, Any]:
    """chat.postMessage arguments for a post that is not an answer (reports, reminders, prompts)."""
    blocks = sections(text) + (buttons(choices, None, None) if choices else [])
    return {"text": _notification(text), "blocks": blocks}


def _notification(text: str) -> str:
    text = escape(text.strip())
    return text if len(text) <= TEXT_MAX else text[: TEXT_MAX - 1] + "…"


def chosen_blocks(blocks: list[dict[str, Any]], label: str, lang: str) -> list[dict[str, Any]]:
    """A message's blocks after a click: the buttons replaced by what was chosen (no second click)."""
    kept = [b for b in blocks if b.get("type") != "actions"]
    kept.append(
        {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(word("chosen", lang, label=label))}]}
    )
    return kept


def input_view(
    kind: str, lang: str, meta: dict[str, str], text: str = "", error: str = "", max_chars: int = INPUT_MAX
) -> dict[str, Any]:
    """The form that collects secret text: nothing typed here is kept in the chat history.

    `meta` (conversation "c", place "p", the flow's token "t") goes into the view's private_metadata,
    so that the submit finds its conversation and flow again."""
    blocks = sections(text) if text else []
    if error:
        blocks += [{"type": "context", "elements": [{"type": "mrkdwn", "text": ":warning: " + mrkdwn(error)}]}]
    blocks.append(
        {
            "type": "input",
            "block_id": "text",
            "label": plain(word(f"input_label.{kind}", lang)),
            "hint": plain(word(f"input_hint.{kind}", lang), 150),
            "element": {
                "type": "plain_text_input",
                "action_id": "text",
                "multiline": kind != "passphrase",
                "max_length": min(max_chars, INPUT_MAX),
            },
        }
    )
    return {
        "type": "modal",
        "callback_id": VIEW_ID,
        "notify_on_close": True,
        "private_metadata": metadata({**meta, "k": kind}),
        "title": plain(word(f"modal_title.{kind}", lang), MODAL_TITLE_MAX),
        "submit": plain(word("submit", lang)),
        "close": plain(word("cancel", lang)),
        "blocks": blocks,
    }


def replies_view(replies: list[Reply], lang: str, meta: dict[str, str], kind: str, max_chars: int) -> dict[str, Any]:
    """The form after a step: the replies, a text field again if one is asked for, or their choices.

    The first choice is the modal's own submit button and the others are buttons: a submit is answered
    in the HTTP response (the next view travels back to Slack in the acknowledgement), so what the
    first choice leads to (the case code and passphrase after "send") is never a Web API call.
    A view with nothing more to do has only a close button and does not report its closing.
    """
    token = token_of(replies)
    meta = {"c": meta.get("c", ""), "p": meta.get("p", ""), "t": token}
    last = replies[-1] if replies else None
    ask = str(last.meta.get("input") or "") if last else ""
    if ask:
        text = "\n\n".join(r.text for r in replies[:-1] if not r.meta.get("error"))
        error = "\n\n".join(r.text for r in replies if r.meta.get("error"))
        view = input_view(ask, lang, meta, text if not error else "", error, max_chars)
        if not error and last:
            view["blocks"] = sections(last.text) + view["blocks"]
        return view
    blocks: list[dict[str, Any]] = []
    choices: tuple[Choice, ...] = ()
    for r in replies:
        blocks += sections(r.text)
        choices += r.choices
    final = not choices
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": VIEW_ID,
        "notify_on_close": not final,
        "title": plain(word(f"modal_title.{kind or 'report'}", lang), MODAL_TITLE_MAX),
        "close": plain(word("close" if final else "cancel", lang)),
        "blocks": blocks or sections("…"),
    }
    if choices:
        view["submit"] = plain(choices[0].label, SUBMIT_MAX)
        view["blocks"] += buttons(choices[1:], meta["c"], meta["p"], offset=1)
    view["private_metadata"] = metadata(
        {**meta, "k": kind, "s": choices[0].value if choices else "", "final": "1" if final else ""}
    )
    return view


def working_view(lang: str) -> dict[str, Any]:
    """A modal that says the bot is still working; the answer replaces it (views.update)."""
    return {
        "type": "modal",
        "callback_id": VIEW_ID,
        "notify_on_close": False,
        "private_metadata": metadata({"final": "1"}),
        "title": plain(word("modal_title.report", lang), MODAL_TITLE_MAX),
        "close": plain(word("close", lang)),
        "blocks": sections(word("working", lang)),
    }
