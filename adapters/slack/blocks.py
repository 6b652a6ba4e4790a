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

import yaml

from bot.types import Choice, Reply

SECTION_MAX = 2900  # Slack allows 3000 characters in a section's text
TEXT_MAX = 3900  # the notification text of a message
BUTTON_TEXT_MAX = 75
MODAL_TITLE_MAX = 24
INPUT_MAX = 3000  # a plain_text_input's max_length
VIEW_ID = "conductbot_input"
OPEN_INPUT = "open_input"
CHOICE = re.compile(r"^choice:\d+$")


@cache
def words() -> dict[str, Any]:
    """adapters/slack/slack.yaml."""
    return yaml.safe_load((Path(__file__).with_name("slack.yaml")).read_text(encoding="utf-8"))


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


def button_value(value: str, conversation: str | None = None, place: str | None = None) -> str:
    payload: dict[str, str] = {"v": value}
    if conversation:
        payload["c"] = conversation
    if place:
        payload["p"] = place
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def read_value(raw: str) -> dict[str, str]:
    """A button's value back: {"v": choice, "c": conversation?, "p": place?}; a bare string is a choice."""
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        return {"v": str(raw)}
    return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {"v": str(raw)}


def buttons(choices: tuple[Choice, ...], conversation: str | None, place: str | None) -> list[dict[str, Any]]:
    """Choices as actions blocks of at most 25 buttons each."""
    elements = [
        {
            "type": "button",
            "action_id": f"choice:{i}",
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
                "value": button_value(kind, conversation, place),
            }
            if actions:
                actions[0]["elements"].insert(0, element)
            else:
                actions = [{"type": "actions", "block_id": "choices-0", "elements": [element]}]
        blocks += actions
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
    kind: str, lang: str, metadata: dict[str, str], text: str = "", error: str = "", max_chars: int = INPUT_MAX
) -> dict[str, Any]:
    """The form that collects secret text: nothing typed here is kept in the chat history."""
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
        "private_metadata": json.dumps({**metadata, "k": kind}, separators=(",", ":")),
        "title": plain(word(f"modal_title.{kind}", lang), MODAL_TITLE_MAX),
        "submit": plain(word("submit", lang)),
        "close": plain(word("cancel", lang)),
        "blocks": blocks,
    }


def replies_view(
    replies: list[Reply], lang: str, metadata: dict[str, str], kind: str, max_chars: int
) -> dict[str, Any]:
    """The form after a step: the replies, their buttons, and a text field again if one is asked for.

    A view with nothing more to do (the report was sent) has only a close button and does not report
    its closing.
    """
    last = replies[-1] if replies else None
    ask = str(last.meta.get("input") or "") if last else ""
    if ask:
        text = "\n\n".join(r.text for r in replies[:-1] if not r.meta.get("error"))
        error = "\n\n".join(r.text for r in replies if r.meta.get("error"))
        view = input_view(ask, lang, metadata, text if not error else "", error, max_chars)
        if not error:
            view["blocks"] = sections(last.text) + view["blocks"] if last else view["blocks"]
        return view
    blocks: list[dict[str, Any]] = []
    choices: tuple[Choice, ...] = ()
    for r in replies:
        blocks += sections(r.text)
        choices += r.choices
    blocks += buttons(choices, metadata.get("c"), metadata.get("p"))
    final = not choices
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": VIEW_ID,
        "notify_on_close": not final,
        "private_metadata": json.dumps({**metadata, "k": kind, "final": "1" if final else ""}, separators=(",", ":")),
        "title": plain(word(f"modal_title.{kind or 'report'}", lang), MODAL_TITLE_MAX),
        "close": plain(word("close" if final else "cancel", lang)),
        "blocks": blocks or sections("…"),
    }
    return view


def home_view(lang: str, org_name: str, role: str | None, profile_lang: str) -> dict[str, Any]:
    """The App Home tab: what the bot does, the person's profile, and buttons to start."""
    role_name = word(f"roles.{role}", lang) if role else word("home_role_unknown", lang)
    profile = word("home_profile", lang, org=escape(org_name), role=role_name, lang=word(f"langs.{profile_lang}", lang))
    labels = word("home_buttons", lang)
    return {
        "type": "home",
        "blocks": [
            {"type": "header", "text": plain(word("home_title", lang), 150)},
            {"type": "section", "text": {"type": "mrkdwn", "text": word("home_intro", lang).strip()}},
            {"type": "section", "text": {"type": "mrkdwn", "text": word("home_can", lang).strip()}},
            {"type": "divider"},
            {"type": "section", "text": {"type": "mrkdwn", "text": profile}},
            {
                "type": "actions",
                "block_id": "home",
                "elements": [
                    {"type": "button", "action_id": f"home:{key}", "text": plain(labels[key]), "value": key}
                    for key in ("fqc", "report", "profile")
                ],
            },
        ],
    }
