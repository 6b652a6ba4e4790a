"""Builds the bot from settings: corpus, encoder, retriever, routing, store. The one place that wires
parts together; adapters and the CLI call `build_bot` and nothing else."""

from __future__ import annotations

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
from knowledge.corpus import load_corpus
from knowledge.encoders import load_encoder
from knowledge.retrieval import Retriever
from knowledge.routing import Routing

log = logging.getLogger(__name__)


def build_retriever(settings: Settings, rebuild: bool = False) -> Retriever:
    """Load the corpus and encoder and open (or build) the index."""
    corpus = load_corpus(settings.corpus_dirs or None)
    settings.check_orgs(corpus.orgs())  # a configured organisation with no documents: exit 2, before the index
    encoder = load_encoder(settings.encoder)
    if rebuild and encoder is not None:
        from knowledge.index import DenseIndex

        DenseIndex.load_or_build(corpus, encoder, settings.cache, rebuild=True)
    return Retriever(corpus, encoder, settings.cache)


async def build_bot(
    settings: Settings,
    retriever: Retriever | None = None,
    clock: Any = time.time,
    sender: Sender | None = None,
    memory: bool = False,
) -> Bot:
    """A ready bot for these settings; close it with `await bot.close()`.

    With `memory`, state lives in a throw-away in-memory database (one-off answers: `conductbot ask`).
    """
    if clock is time.time and os.environ.get("CONDUCTBOT_NOW"):
        clock = _fixed_clock(os.environ["CONDUCTBOT_NOW"])
    if retriever is None:
        retriever = build_retriever(settings)
    else:
        settings.check_orgs(retriever.corpus.orgs())
    routing = Routing.load(retriever.corpus, settings.routing_dir)
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
