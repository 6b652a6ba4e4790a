"""The slash command `/bemotande <words>`: its first words pick what starts (adapters/slack/slack.yaml).

The report's words open the modal at once, in a conversation of its own; everything else is answered
in the person's direct message (a command in a channel says so in its acknowledgement).
"""

from __future__ import annotations

from typing import Any

from adapters.slack import blocks as bk
from adapters.slack.where import Where

COMMAND = "/bemotande"


class Commands:
    """The slash command listener of a Slack front end (a mixin of `SlackFrontEnd`)."""

    async def on_command(self, ack: Any, command: dict[str, Any], body: dict[str, Any]) -> None:
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
