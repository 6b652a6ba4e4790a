"""The platform-neutral core: `Bot.handle(Incoming) -> list[Reply]`.

Adapters (terminal, Slack, Teams) call only this. The bot looks up who is asking (profile:
organisation, role, language), the conversation's state (a guided flow in progress), picks the
intent and returns replies. Nothing here imports a chat SDK.

Order of decisions for one message:
1. a clicked choice goes to the intent that offered it (its value starts with the intent's prefix);
2. a guided flow in progress gets the text first and may take it (an answer to its question);
3. otherwise the intents are asked, most specific first; the policy answer is the fallback.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

from cachetools import TTLCache

from bot import limits
from bot.cases import Cases
from bot.claims import Claims
from bot.config import Settings
from bot.host import Sender
from bot.questions import QuestionLog
from bot.store import Profile, Store
from bot.subscriptions import Schedules
from bot.types import ROLES, Incoming, Reply
from bot.work import Busy, Workers
from intents import anonymous_report, registry, smalltalk
from intents.meaning import Meaning, Sense
from intents.phrases import say
from intents.profile import adopt_stated_role
from intents.report_flow import code_in, passphrase_in
from knowledge.retrieval import Retriever, SearchResult
from knowledge.routing import Routing
from knowledge.text import NAME_INSIDE, detect_lang

log = logging.getLogger(__name__)
MEMO_SIZE = 10_000  # conversations with something held in memory at once
MEMO_SECONDS = 1800.0


@dataclass(slots=True)
class Context:
    """Everything an intent needs about one message: who, where, what, and the services."""

    incoming: Incoming
    bot: Bot
    org: str
    role: str | None
    role_known: bool
    lang: str
    profile: Profile
    user_key: str
    conv_key: str
    state: dict[str, Any]
    _search: dict[tuple[str, str], SearchResult] = field(default_factory=dict)
    sense: Sense | None = None  # what the message means by the intents' examples (set by `prefetch`)
    # answers in `lang` whatever the language of the text searched (a held question answered again after
    # "could you explain that in English?")
    fixed_lang: bool = False
    # what retrieval searches for when it is not the whole message: the question after a self-description
    # ("är inte chef längre, tillbaka som socialsekreterare. vad förväntas av mig ...?": not the word "chef")
    asked: str | None = None

    @property
    def text(self) -> str:
        return self.incoming.text.strip()

    @property
    def query(self) -> str:
        """The text the message's own retrieval searches: the question it asks (`asked`), else the message."""
        return self.asked or self.text

    @property
    def answer_role(self) -> str:
        """The role answers are written for: the known role, else the default."""
        return self.role or self.bot.settings.default_role

    def search(self, text: str | None = None) -> SearchResult:
        """Retrieval for the message (or another text), computed once per message.

        `Bot.handle` computes the message's own retrieval in a worker first (`prefetch`), so that
        this is normally a look-up; another text is computed here, on the caller's thread."""
        q = self.query if text is None else text
        key = (q, self.answer_role)
        if key not in self._search:
            found = self.bot.retriever.search(q, self.org, self.answer_role)
            self._search[key] = replace(found, lang=self.lang) if self.fixed_lang else found
        return self._search[key]

    async def prefetch(self) -> None:
        """Retrieval and the intents' meaning for the message, computed off the event loop in the bot's
        bounded worker pool: the message is embedded once, for both."""
        key = (self.query, self.answer_role)
        if self.text and key not in self._search:
            self._search[key], self.sense = await self.bot.workers.run(self._understand, key[0], key[1])

    def _understand(self, text: str, role: str) -> tuple[SearchResult, Sense | None]:
        meaning, retriever = self.bot.meaning, self.bot.retriever
        if meaning is None:
            return retriever.search(text, self.org, role), None
        vector = meaning.encode(retriever.dense_text(text))
        return retriever.search(text, self.org, role, qvec=vector), meaning.sense(vector)


class Bot:
    """One bot over one corpus; dependencies are passed in, nothing is global."""

    def __init__(
        self,
        retriever: Retriever,
        settings: Settings,
        store: Store,
        routing: Routing,
        cases: Cases,
        sender: Sender,
        clock: Any = time.time,
        workers: Workers | None = None,
    ) -> None:
        self.retriever = retriever
        self.meaning: Meaning | None = None  # intents by meaning; None: by their words alone (no encoder)
        self.workers = workers or Workers()
        self.settings = settings
        self.store = store
        self.routing = routing
        self.cases = cases
        self.sender = sender
        self.clock = clock
        # flows whose state must never reach the database (the anonymous report's draft)
        self.ephemeral: dict[str, dict[str, Any]] = {}
        self.schedules: Schedules | None = None  # reminders and prompts (set by bot.runtime)
        self.claims: Claims = Claims(store.db)  # who delivers what, once (bot.runtime opens its table)
        # questions for HR's list: held, reduced, and dropped near a report (bot/questions.py)
        self.questions = QuestionLog(store, settings.question_hold_seconds, clock, known=_vocabulary(retriever))
        # what a conversation needs for a moment and must not store (a question held while the role is
        # asked, the last question answered): memory only, bounded in count and time
        self.memo: TTLCache[str, dict[str, Any]] = TTLCache(maxsize=MEMO_SIZE, ttl=MEMO_SECONDS)
        # `await hook(platform, user_id) -> rows deleted`: what an adapter keeps for a person (bot/forget.py)
        self.forget_hooks: list[Any] = []
        self._closing: list[Any] = []

    def on_close(self, hook: Any) -> None:
        """Run `await hook()` when the bot closes (a platform sender's HTTP session)."""
        self._closing.append(hook)

    async def close(self) -> None:
        for hook in self._closing:
            try:
                await hook()
            except Exception:
                log.warning("a close hook failed", exc_info=True)
        self.workers.close()
        await self.questions.flush(force=True)
        await self.store.close()

    async def context(self, incoming: Incoming) -> Context:
        """Resolve organisation, role and language, and load profile and conversation state."""
        user_key = self.store.pseudonym(incoming.platform, incoming.user)
        conv_key = self.store.pseudonym(incoming.platform, incoming.conversation)
        profile = await self.store.profile(user_key)
        org = incoming.org or profile.org or self.settings.default_org
        state = await self.store.state(conv_key, self.settings.conversation_ttl_minutes * 60)
        # the platform's role, unless the person said otherwise in this conversation (`adopt_stated_role`)
        stated = state.get("stated_role")
        role = (stated if isinstance(stated, str) and stated in ROLES else None) or incoming.role or profile.role
        # the language is judged from a bounded sample, without the names inside it ("I'm a councillor in Västerås")
        text = _without_names(incoming.text.strip()[: limits.max_chars()])
        remembered = self.ephemeral.get(conv_key, {}).get("lang") or state.get("lang") or profile.lang
        guess = detect_lang(text, default="") if text else ""
        flow_lang = self.ephemeral.get(conv_key, {}).get("lang")
        if flow_lang:  # a report being written keeps the language it started in, whatever the report says
            lang = str(flow_lang)
        elif asked := smalltalk.requested_language(text):
            lang = asked  # "could you explain that in English?"
        elif remembered and guess and guess != remembered and len(text.split()) == 1 and state:
            # "ja", "förtroendevald" in a conversation under way in English: one word is no clear signal
            lang = remembered
        elif remembered and len(text.split()) <= 3 and (code_in(text) or passphrase_in(text)):
            lang = remembered  # a case code or a passphrase is in no language
        elif text and (guess or len(text.split()) >= 3 or not remembered):
            lang = guess if guess and len(text.split()) < 3 else self.retriever.language(text, remembered or "sv")
        else:
            lang = remembered or _locale_lang(incoming.locale)
        return Context(incoming, self, org, role, role is not None, lang, profile, user_key, conv_key, state)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Replies to one incoming message."""
        ctx = await self.context(incoming)  # bounded: the language is judged from the first max_chars
        writing_report = bool(ctx.text) and anonymous_report.active(ctx)
        if limits.too_long(incoming.text) and not writing_report:  # a report being written has its own limit
            text = limits.say("too_long", ctx.lang, chars=len(incoming.text))
            return [Reply(text=text, intent="error", lang=ctx.lang, abstained=True)]
        if ctx.org not in self.retriever.corpus.orgs():
            known = ", ".join(self.retriever.corpus.orgs())
            return [
                Reply(
                    text=say("policy_answer", "unknown_org", ctx.lang, org=ctx.org, known=known),
                    intent="error",
                    lang=ctx.lang,
                    abstained=True,
                )
            ]
        before = dict(ctx.state)
        if ctx.text and not incoming.choice and not writing_report:
            if limits.word_too_long(ctx.text):  # retrieval's cost grows with the longest word: not analysed
                text = limits.say("word_too_long", ctx.lang)
                return [Reply(text=text, intent="error", lang=ctx.lang, abstained=True)]
            await adopt_stated_role(ctx)  # "jag är kommunalråd, vad ...": answered for that role
            try:  # retrieval is the CPU-heavy part: done in the worker pool, not on the event loop
                await ctx.prefetch()
            except Busy:
                log.warning("retrieval queue full; a message was answered with 'busy'")
                return [Reply(text=limits.say("busy", ctx.lang), intent="error", lang=ctx.lang, abstained=True)]
        replies = await registry.dispatch(ctx)
        in_report = _in_report(self, ctx, replies)
        if in_report or _offers_report(replies):
            # a report is offered or under way: nothing of this conversation is kept for HR
            self.questions.suppress(ctx.conv_key)
        if not in_report:
            # (in a report the person's rows are not touched, so that no stored time sits next to the case)
            if ctx.state != before:
                await self.store.save_state(ctx.conv_key, ctx.state, owner=ctx.user_key)
            if ctx.text and ctx.lang != ctx.profile.lang:
                # remembered so that a click (which carries no text) is answered in the same language
                ctx.profile = replace(ctx.profile, lang=ctx.lang)
                await self.store.save_profile(ctx.user_key, ctx.profile)
        await self.questions.flush()
        log.debug(
            "handled intent=%s org=%s role=%s lang=%s",
            replies[0].intent if replies else "-",
            ctx.org,
            ctx.role,
            ctx.lang,
        )
        return replies


def _without_names(text: str) -> str:
    """The text without capitalised words inside it (place and organisation names), for telling its language."""
    rest = NAME_INSIDE.sub(" ", text)
    return rest if len(rest.split()) >= 2 else text


def _locale_lang(locale: str | None) -> str:
    return "en" if (locale or "").lower().startswith("en") else "sv"


def _in_report(bot: Bot, ctx: Context, replies: list[Reply]) -> bool:
    """True when this message is part of an anonymous report (writing, reviewing, a login, a follow-up)."""
    if ctx.conv_key in bot.ephemeral or (ctx.incoming.choice or "").startswith("report:"):
        return True
    return any(r.intent == "anonymous_report" for r in replies)


def _offers_report(replies: list[Reply]) -> bool:
    return any(c.value.startswith("report:") for r in replies for c in r.choices)


def _vocabulary(retriever: Retriever) -> Any:
    """Whether a lower-cased word is a word of the documents (redaction keeps those)."""
    from knowledge.text import words

    known = frozenset(w for p in retriever.corpus.passages for w in words(p.text))
    return known.__contains__
