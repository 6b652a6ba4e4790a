"""Core replies as Teams activities: plain messages, and Adaptive Cards (1.5) for choices and forms.

Pure functions from `Reply` and phrases to Bot Framework JSON; nothing here talks to Teams. A card
button's data carries the choice and the conversation (`{"choice": ..., "c": ...}`); a form's submit
carries what it asks for (`{"input": "report", "text": <typed>}`) and the flow's sealed state
(`"t"`, the core's `meta["flow_token"]`).

Secret text (the anonymous report, a passphrase, an addition) is written in a Teams dialog (a task
module): the chat gets only a card with a button that opens it (`task/fetch`), and every step after
that (the review, the case code and passphrase, a login's answers) is the answer to a `task/submit`
invoke, so none of it is ever a message in the chat's history or a call to the connector.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from bot.types import Choice, Reply
from knowledge.yamlio import load as load_yaml

CARD = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
INPUT_MAX = 4000


@cache
def words() -> dict[str, Any]:
    """adapters/teams/teams.yaml."""
    return load_yaml(Path(__file__).with_name("teams.yaml").read_text(encoding="utf-8"))


def word(key: str, lang: str, /, **values: object) -> Any:
    table: Any = words().get(lang) or words()["sv"]
    for part in key.split("."):
        table = table[part]
    return table.format(**values) if values and isinstance(table, str) else table


# Characters Teams' renderers read as Markdown (links, images, emphasis, code), written as entities so
# that they show as typed: a report's "[klicka här](https://...)" or "![](https://...)" renders nothing.
MARKUP = {"[": "&#91;", "]": "&#93;", "!": "&#33;", "*": "&#42;", "_": "&#95;", "~": "&#126;", "`": "&#96;"}
_MARKUP = str.maketrans(MARKUP)


def escape(text: str) -> str:
    """Plain text safe in a Teams XML message: no HTML, no <at> mention, no Markdown can be injected."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").translate(_MARKUP)


def xml(text: str) -> str:
    """Text as a Teams message in the XML (HTML subset) format: everything escaped, so that it shows as
    plain text; line breaks kept, quoted paragraphs (`> `) as block quotes."""
    out = []
    for para in text.strip().split("\n\n"):
        lines = para.splitlines()
        if lines and all(line.startswith(">") for line in lines):
            out.append("<blockquote>" + "<br>".join(escape(line[1:].lstrip()) for line in lines) + "</blockquote>")
        else:
            out.append("<br>".join(escape(line) for line in lines))
    return "<br><br>".join(p for p in out if p)


def text_message(text: str) -> dict[str, Any]:
    """A message activity with `text` shown as typed."""
    return {"type": "message", "text": xml(text), "textFormat": "xml"}


def _blocks(text: str) -> list[dict[str, Any]]:
    """Text as TextBlocks; quoted policy passages in an emphasised container."""
    body: list[dict[str, Any]] = []
    for para in text.strip().split("\n\n"):
        lines = para.splitlines()
        if not lines:
            continue
        if all(line.startswith(">") for line in lines):
            # quoted text may be someone's own words (a report, a handler's answer): a TextRun, which
            # renders no Markdown, rather than a TextBlock, which would render links and images
            quote = "\n".join(line[1:].lstrip() for line in lines)
            body.append(
                {
                    "type": "Container",
                    "style": "emphasis",
                    "items": [
                        {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": quote, "isSubtle": True}]}
                    ],
                }
            )
        else:
            body.append({"type": "TextBlock", "text": "\n\n".join(lines), "wrap": True})
    return body


def card(body: list[dict[str, Any]], actions: list[dict[str, Any]]) -> dict[str, Any]:
    """An Adaptive Card attachment."""
    content: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": SCHEMA,
        "version": "1.5",
        "body": body,
        "msteams": {"width": "Full"},
    }
    if actions:
        content["actions"] = actions
    return {"contentType": CARD, "content": content}


def submit(title: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Action.Submit", "title": title, "data": data}


def choice_actions(choices: tuple[Choice, ...], conversation: str, form: bool) -> list[dict[str, Any]]:
    extra = {"form": 1} if form else {}
    return [submit(c.label, {"choice": c.value, "c": conversation, **extra}) for c in choices]


def reply_activity(reply: Reply, conversation: str) -> dict[str, Any]:
    """One reply as an activity: a message shown as typed, or a card when there are choices or a form to open."""
    kind = str(reply.meta.get("input") or "")
    if not reply.choices and not kind:
        return text_message(reply.text)
    if not kind:
        return {"type": "message", "attachments": [reply_card([reply], conversation, False)]}
    # what the reply asks for is written in a dialog; the chat gets the button that opens it
    token = str(reply.meta.get("flow_token") or "")
    opener = submit(
        word(f"open.{kind}", reply.lang),
        {"msteams": {"type": "task/fetch"}, "open": kind, "c": conversation, "t": token},
    )
    body = [*_blocks(reply.text), {"type": "TextBlock", "text": word("use_form", reply.lang), "wrap": True}]
    actions = [opener, *choice_actions(reply.choices, conversation, False)]
    return {"type": "message", "attachments": [card(body, actions)]}


def dialog(
    replies: list[Reply], conversation: str, lang: str, title: str, max_chars: int = INPUT_MAX
) -> dict[str, Any]:
    """A `task/fetch` or `task/submit` answer: the dialog shows the replies, a text field if the last one
    asks for one, and their choices; with nothing left to do, a close button."""
    token = str(replies[-1].meta.get("flow_token") or "") if replies else ""
    body: list[dict[str, Any]] = []
    choices: tuple[Choice, ...] = ()
    for r in replies:
        if r.meta.get("error"):
            body.append({"type": "TextBlock", "text": r.text, "wrap": True, "color": "Attention"})
        else:
            body += _blocks(r.text)
        choices += r.choices
    kind = str(replies[-1].meta.get("input") or "") if replies else ""
    actions: list[dict[str, Any]] = []
    if kind:
        body.append(_text_input(kind, lang, max_chars))
        actions.append(submit(word(f"submit.{kind}", lang), {"input": kind, "c": conversation, "t": token}))
    actions += [submit(c.label, {"choice": c.value, "c": conversation, "t": token}) for c in choices]
    if not actions:
        actions.append(submit(word("close", lang), {"close": 1}))
    return {
        "task": {
            "type": "continue",
            "value": {"title": title, "height": "large", "width": "medium", "card": card(body, actions)},
        }
    }


def input_dialog(kind: str, lang: str, conversation: str, token: str, max_chars: int = INPUT_MAX) -> dict[str, Any]:
    """The dialog a chat card's button opens: the text field for what the flow waits for."""
    body = [{"type": "TextBlock", "text": word(f"hint.{kind}", lang), "wrap": True}, _text_input(kind, lang, max_chars)]
    actions = [submit(word(f"submit.{kind}", lang), {"input": kind, "c": conversation, "t": token})]
    content = card(body, actions)
    return {
        "task": {
            "type": "continue",
            "value": {"title": word(f"title.{kind}", lang), "height": "large", "width": "medium", "card": content},
        }
    }


def _text_input(kind: str, lang: str, max_chars: int) -> dict[str, Any]:
    return {
        "type": "Input.Text",
        "id": "text",
        "label": word(f"input_label.{kind}", lang),
        "isMultiline": kind != "passphrase",
        "isRequired": True,
        "maxLength": min(max_chars, INPUT_MAX),
    }


def reply_card(replies: list[Reply], conversation: str, form: bool, max_chars: int = INPUT_MAX) -> dict[str, Any]:
    """Replies as one card: their texts, a text field if the last asks for one, their choices."""
    body: list[dict[str, Any]] = []
    choices: tuple[Choice, ...] = ()
    for r in replies:
        if r.meta.get("error"):
            body.append({"type": "TextBlock", "text": r.text, "wrap": True, "color": "Attention"})
        else:
            body += _blocks(r.text)
        choices += r.choices
    last = replies[-1] if replies else None
    kind = str(last.meta.get("input") or "") if last else ""
    actions: list[dict[str, Any]] = []
    lang = last.lang if last else "sv"
    if kind:
        body.append(_text_input(kind, lang, max_chars))
        actions.append(submit(word(f"submit.{kind}", lang), {"input": kind, "c": conversation, "form": 1}))
    actions += choice_actions(choices, conversation, form)
    return card(body, actions)


def message(text: str) -> dict[str, Any]:
    """A plain text message."""
    return text_message(text)


def text_card(text: str) -> dict[str, Any]:
    return card(_blocks(text), [])


def post_activity(text: str, choices: tuple[Choice, ...] = ()) -> dict[str, Any]:
    """A post that is not an answer (reports, reminders, prompts)."""
    if not choices:
        return text_message(text)
    return {"type": "message", "attachments": [card(_blocks(text), choice_actions(choices, "", False))]}
