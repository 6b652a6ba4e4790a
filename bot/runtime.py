"""Builds the bot from settings: corpus, encoder, retriever, routing, store. The one place that wires
parts together; adapters and the CLI call `build_bot` and nothing else."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any

from bot import schedule
from bot.cases import Cases
from bot.claims import Claims
from bot.config import Settings
from bot.core import Bot
from bot.delivery import OutboxSender, RouterSender, Sender
from bot.store import Store
from bot.subscriptions import PlaceCipher, Schedules
from intents import registry
from intents.meaning import Calibration, Meaning, examples
from knowledge import orgs
from knowledge.corpus import load_corpus
from knowledge.encoders import load_encoder
from knowledge.retrieval import Retriever
from knowledge.routing import Routing
from knowledge.vectors import Progress, VectorStore

log = logging.getLogger(__name__)


def build_retriever(
    settings: Settings, rebuild: bool = False, background: bool = False, progress: Progress | None = None
) -> Retriever:
    """Load the corpus and encoder and open the index: passages not embedded yet are embedded now, or,
    with `background`, in a thread while the bot already answers lexically."""
    corpus = load_corpus(settings.corpus_dirs or None)
    settings.check_orgs(corpus.orgs())  # a configured organisation with no documents: exit 2, before the index
    encoder = load_encoder(settings.encoder)
    if rebuild and encoder is not None:
        stale = VectorStore.open(settings.cache, encoder).path
        if stale is not None:
            stale.unlink(missing_ok=True)
    return Retriever(corpus, encoder, settings.cache, background=background, progress=progress)


def build_meaning(retriever: Retriever, settings: Settings) -> Meaning | None:
    """The intents' example phrasings embedded with the retrieval's encoder (cached beside the index);
    None when the bot runs without an encoder: intents are then recognised by their words alone."""
    if retriever.encoder is None:
        return None
    return Meaning(retriever.encoder, examples(registry.NAMES), Calibration.load(), settings.cache)


async def build_bot(
    settings: Settings,
    retriever: Retriever | None = None,
    clock: Any = time.time,
    sender: Sender | None = None,
    memory: bool = False,
    background_index: bool = False,
) -> Bot:
    """A ready bot for these settings; close it with `await bot.close()`.

    With `memory`, state lives in a throw-away in-memory database (one-off answers: `conductbot ask`).
    With `background_index`, passages not embedded yet are embedded in a thread while the bot already
    answers lexically (chat, serve); otherwise the bot starts once the index is complete (ask, eval).
    """
    if clock is time.time and os.environ.get("CONDUCTBOT_NOW"):
        clock = _fixed_clock(os.environ["CONDUCTBOT_NOW"])
    if retriever is None:
        retriever = await asyncio.to_thread(build_retriever, settings, False, background_index)
    else:
        settings.check_orgs(retriever.corpus.orgs())
    orgs.register(retriever.corpus.org_info)  # names and aliases from the corpus folders' org.yaml
    routing = Routing.load(retriever.corpus, settings.routing_dir, retriever.topics)
    registry.validate(retriever.corpus)  # intent data citing the corpus fails now, not mid-conversation
    schedule.validate(retriever.corpus)  # so do reminders and prompts
    store = await Store.open(settings.db_path, clock=clock, memory=memory)
    try:
        if not memory:
            await store.purge(settings.unanswered_keep_days, settings.conversation_ttl_minutes * 60)
        cases = await Cases.open(store.db, settings.home, clock=clock)
        outbox = OutboxSender(settings.home / "outbox", mask=lambda place: "person:" + store.pseudonym("place", place))
        sender = sender or RouterSender(outbox, settings.channels)
        bot = Bot(retriever, settings, store, routing, cases, sender, clock=clock)
        bot.meaning = await asyncio.to_thread(build_meaning, retriever, settings)
        places = PlaceCipher(cases.keys.local_box(), lambda place: store.pseudonym("place", place))
        bot.schedules = await Schedules.open(store.db, clock=clock, places=places)
        bot.claims = await Claims.open(store.db)
        return bot
    except BaseException:
        await store.close()  # an open connection's thread would keep the process alive
        raise


def _fixed_clock(value: str) -> Any:
    """CONDUCTBOT_NOW=<ISO time>: the bot believes it is that instant (tests, and rehearsing schedules)."""
    from bot.calendar import parse_instant

    fixed = parse_instant(value)
    return lambda: fixed
