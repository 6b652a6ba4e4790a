"""Builds the bot from settings: corpus, encoder, retriever. The one place that wires parts together."""

from __future__ import annotations

import logging

from bot.config import Settings
from bot.core import Bot
from knowledge.corpus import load_corpus
from knowledge.encoders import load_encoder
from knowledge.retrieval import Retriever

log = logging.getLogger(__name__)


def build_retriever(settings: Settings, rebuild: bool = False) -> Retriever:
    """Load the corpus and encoder and open (or build) the index."""
    corpus = load_corpus(settings.corpus_dirs or None)
    encoder = load_encoder(settings.encoder)
    if rebuild and encoder is not None:
        from knowledge.index import DenseIndex

        DenseIndex.load_or_build(corpus, encoder, settings.cache, rebuild=True)
    return Retriever(corpus, encoder, settings.cache)


def build_bot(settings: Settings) -> Bot:
    """A ready bot for these settings."""
    return Bot(build_retriever(settings), settings)
