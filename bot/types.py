"""The platform-neutral message types that cross the one seam, `Bot.handle(Incoming) -> list[Reply]`.

Small frozen dataclasses: adapters translate Slack events, Teams activities and terminal lines into
`Incoming`, and render `Reply` back into Block Kit, Adaptive Cards or terminal text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Role = Literal["employee", "manager", "elected", "group_leader"]
ROLES: tuple[str, ...] = ("employee", "manager", "elected", "group_leader")
Lang = Literal["sv", "en"]


@dataclass(frozen=True, slots=True)
class Incoming:
    """One message from a person: free text, or the value of a choice they clicked."""

    user: str
    conversation: str
    text: str = ""
    choice: str | None = None
    org: str | None = None
    role: str | None = None
    locale: str | None = None
    platform: str = "cli"
    # where a later post to this conversation goes (a reminder, a prompt): `slack:<channel>`,
    # `teams:<conversation id>`; empty for the terminal, whose posts go to the outbox
    place: str = ""
    # where posts meant for this person alone go (their reminders): `slack:<user id>` for a direct
    # message; empty means `place`
    personal_place: str = ""
    # True when the text comes from the private form (Slack modal submission, Teams card form or dialog
    # submit), never from a message that stays in the chat history
    form: bool = False
    # the opaque sealed copy of a flow's state that the last reply carried in `meta["flow_token"]`;
    # the form sends it back so that a form submitted after a restart is still understood
    flow_token: str = ""


@dataclass(frozen=True, slots=True)
class Choice:
    """A button the person can click; `value` comes back as `Incoming.choice`."""

    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Citation:
    """A verbatim policy passage an answer rests on, with where it stands."""

    doc: str
    title: str
    section: str
    text: str
    score: float
    passage_id: str = ""
    org: str = ""

    def as_json(self) -> dict[str, object]:
        """The stable JSON shape of the batch contract."""
        return {
            "doc": self.doc,
            "title": self.title,
            "section": self.section,
            "text": self.text,
            "score": round(self.score, 4),
            "id": self.passage_id,
        }


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot says: text, optional choices and citations, and whether it must stay private."""

    text: str
    choices: tuple[Choice, ...] = ()
    citations: tuple[Citation, ...] = ()
    private: bool = False
    intent: str = ""
    lang: str = "sv"
    abstained: bool = False
    meta: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
