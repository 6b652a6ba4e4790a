"""The platform-neutral core: `Bot.handle(Incoming) -> list[Reply]`.

Adapters (terminal, Slack, Teams) call only this. The bot resolves who is asking (organisation and
role), picks the intent and returns replies; it never imports a chat SDK.
"""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.types import Incoming, Reply
from intents import policy_answer
from intents.phrases import say
from knowledge.retrieval import Retriever

log = logging.getLogger(__name__)


class Bot:
    """One bot over one corpus; dependencies are passed in, nothing is global."""

    def __init__(self, retriever: Retriever, settings: Settings) -> None:
        self.retriever = retriever
        self.settings = settings

    def resolve(self, incoming: Incoming) -> tuple[str, str]:
        """The organisation and role to answer for."""
        return (incoming.org or self.settings.default_org, incoming.role or self.settings.default_role)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Replies to one incoming message."""
        org, role = self.resolve(incoming)
        text = incoming.text.strip()
        lang = self.retriever.language(text) if text else _locale_lang(incoming.locale)
        if org not in self.retriever.corpus.orgs():
            known = ", ".join(self.retriever.corpus.orgs())
            return [
                Reply(
                    text=say(policy_answer.NAME, "unknown_org", lang, org=org, known=known),
                    intent="error",
                    lang=lang,
                    abstained=True,
                )
            ]
        if not text:
            return [Reply(text=say(policy_answer.NAME, "empty", lang), intent="help", lang=lang, abstained=True)]
        result = self.retriever.search(text, org, role)
        log.debug(
            "answer org=%s role=%s lang=%s abstain=%s confidence=%.3f",
            org,
            role,
            result.lang,
            result.abstain,
            result.confidence,
        )
        return [policy_answer.answer(result, org, role, self.retriever.tuning.second_quote_ratio)]


def _locale_lang(locale: str | None) -> str:
    return "en" if (locale or "").lower().startswith("en") else "sv"
