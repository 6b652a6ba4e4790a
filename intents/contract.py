"""The intent contract: what the registry may call on an intent, spelled out as Protocols.

Every intent module is an `Intent`; a guided flow (the report, the check) is also a `Flow`, and a
`Resumable` when it can ask its open question again; an intent that offers choices is a `Chooser`; one
that asks a question outside a flow (the "Hjälpte det?" after an answer, the role question) is an
`Asker`, and reads the one short answer that follows. The registry (`intents/registry.py`) lists the
modules explicitly, so a reader can follow a message from `Bot.handle` to the intent that answers it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from bot.core import Context
    from bot.types import Reply


@runtime_checkable
class Intent(Protocol):
    """One thing a person may want: recognised from a message, then answered."""

    NAME: str
    PREFIX: str  # the start of the choice values it offers, or ""

    def matches(self, ctx: Context) -> bool:
        """Lexical evidence: the message names this intent in the intent's own phrase data."""
        ...

    async def handle(self, ctx: Context) -> list[Reply]:
        """The replies when this intent takes the message (also when it was recognised by meaning)."""
        ...


@runtime_checkable
class Certain(Protocol):
    """An intent whose words can leave no doubt (a case code, a passphrase): then no meaning overrules them."""

    def certain(self, ctx: Context) -> bool: ...


@runtime_checkable
class Gated(Protocol):
    """An intent that can take a message recognised by meaning alone only in some cases (the check: where
    the organisation has one; the profile: not a question)."""

    def takes_by_meaning(self, ctx: Context) -> bool: ...


@runtime_checkable
class Flow(Protocol):
    """A guided flow under way in the conversation state (`state["flow"]`)."""

    async def on_flow_text(self, ctx: Context) -> list[Reply] | None:
        """The next step for a typed message, or None when the message is not for the flow."""
        ...


@runtime_checkable
class Resumable(Protocol):
    """A flow that can ask its open question again."""

    async def resume_reply(self, ctx: Context) -> list[Reply]:
        """The flow's open question asked again, after a side question."""
        ...


@runtime_checkable
class Chooser(Protocol):
    """Offers choices whose values start with its PREFIX."""

    async def on_choice(self, ctx: Context, value: str) -> list[Reply]: ...


@runtime_checkable
class Asker(Protocol):
    """Asked a question outside a flow; reads the one answer that follows (`state["pending"]`)."""

    async def on_pending(self, ctx: Context, waiting: dict[str, Any]) -> list[Reply] | None: ...
