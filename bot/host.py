"""What posting and scheduling need from the bot, as Protocols, so that neither imports `bot.core`.

`bot.core.Bot` satisfies `Host` structurally; delivery (bot/delivery.py), occurrences
(bot/occurrences.py) and prompts (bot/schedule.py) take a `Host`. This breaks the import cycle
core -> delivery -> schedule -> core, and lets a test pass any object with these attributes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from bot.types import Choice

if TYPE_CHECKING:
    from bot.cases import Cases
    from bot.claims import Claims
    from bot.config import Settings
    from bot.subscriptions import Schedules
    from knowledge.corpus import Corpus


class Sender(Protocol):
    """Posts to an organisation's channel and returns the message's id (its thread).

    `channel` is a name the configuration maps to a place (`whistleblower`), or a place itself:
    `slack:<channel or user id>`, `teams:<conversation id>`, or anything else for the outbox.
    `choices` become buttons where the platform has them. `key` names a post that must not be made twice
    (a scheduled reminder); a sender that can tell whether a post with that key exists has
    `async was_posted(org, channel, key) -> bool`.

    An exception means "not posted": it is retried, honouring the wait the exception carries as
    `retry_after` (seconds) or a `Retry-After` in `headers` or `response.headers` (slack_sdk's
    SlackApiError, aiohttp's ClientResponseError); only a timeout means "maybe posted".
    """

    async def post(
        self,
        org: str,
        channel: str,
        text: str,
        thread: str | None = None,
        choices: tuple[Choice, ...] = (),
        key: str | None = None,
    ) -> str: ...


class HasCorpus(Protocol):
    """The part of the retriever that delivery reads: the corpus (reminders and prompts quote it)."""

    @property
    def corpus(self) -> Corpus: ...


class Host(Protocol):
    """The bot as delivery sees it: settings, the sender, the case and subscription stores, the clock."""

    @property
    def settings(self) -> Settings: ...
    @property
    def sender(self) -> Sender: ...
    @property
    def cases(self) -> Cases: ...
    @property
    def schedules(self) -> Schedules | None: ...
    @property
    def retriever(self) -> HasCorpus: ...
    @property
    def clock(self) -> Callable[[], float]: ...
    @property
    def claims(self) -> Claims: ...
