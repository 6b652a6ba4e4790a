"""Intents recognised by meaning: a message is compared, in the encoder's space, with the example
phrasings each intent keeps in its own data file (`meaning:` in `intents/<name>.yaml`, Swedish and
English), so that a request written in a person's own words, anywhere in a longer message, is
recognised. HR adds phrasings there without code.

The message is embedded once per message, off the event loop, and the same vector serves retrieval.
An intent's score is the mean cosine of its `top` nearest examples; the best intent is taken only when
its score reaches the calibrated threshold and beats the runner-up by the margin (`intents/meaning.yaml`,
calibrated with `scripts/calibrate_intents.py` on a labelled set). The examples' vectors are computed
once per encoder and phrasing and kept in the index cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from intents.phrases import load
from knowledge.encoders import Encoder
from knowledge.yamlio import load as load_yaml

log = logging.getLogger(__name__)

CALIBRATION = Path(__file__).with_name("meaning.yaml")


@dataclass(frozen=True, slots=True)
class Calibration:
    """When the nearest examples decide: `threshold` (per intent, else the default), `margin` over the
    runner-up, and `override` (a larger margin) for overruling an intent the words alone picked."""

    threshold: float
    margin: float
    override: float
    top: int
    per_intent: dict[str, float]
    lexical_only: frozenset[str]  # intents whose meaning never takes a message on its own
    per_intent_override: dict[str, float] = field(default_factory=dict)  # a larger override for these

    @classmethod
    def load(cls, path: Path = CALIBRATION) -> Calibration:
        raw: dict[str, Any] = load_yaml(path.read_text(encoding="utf-8")) or {}
        return cls(
            threshold=float(raw["threshold"]),
            margin=float(raw["margin"]),
            override=float(raw["override"]),
            top=int(raw.get("top", 2)),
            per_intent={str(k): float(v) for k, v in (raw.get("per_intent") or {}).items()},
            lexical_only=frozenset(raw.get("lexical_only") or ()),
            per_intent_override={str(k): float(v) for k, v in (raw.get("per_intent_override") or {}).items()},
        )

    def threshold_for(self, name: str) -> float:
        return self.per_intent.get(name, self.threshold)

    def override_for(self, name: str) -> float:
        return self.per_intent_override.get(name, self.override)


@dataclass(frozen=True, slots=True)
class Sense:
    """What a message means by its nearest examples: every intent's score, best first."""

    ranked: tuple[tuple[str, float], ...]

    @property
    def best(self) -> str:
        return self.ranked[0][0]

    @property
    def score(self) -> float:
        return self.ranked[0][1]

    @property
    def margin(self) -> float:
        return self.ranked[0][1] - self.ranked[1][1] if len(self.ranked) > 1 else self.ranked[0][1]

    def score_of(self, name: str) -> float:
        return dict(self.ranked).get(name, 0.0)

    def confident(self, cal: Calibration) -> str | None:
        """The intent the meaning decides on, or None when it is not clear enough."""
        if self.score >= cal.threshold_for(self.best) and self.margin >= cal.margin:
            return self.best
        return None


def examples(names: tuple[str, ...]) -> dict[str, list[str]]:
    """Each intent's example phrasings, both languages together."""
    out: dict[str, list[str]] = {}
    for name in names:
        block = load(name).get("meaning") or {}
        phrases = [str(p) for lang in ("sv", "en") for p in (block.get(lang) or [])]
        if phrases:
            out[name] = phrases
    return out


class Meaning:
    """The intents' example phrasings embedded, and the nearest of them for a message's vector."""

    def __init__(self, encoder: Encoder, phrases: dict[str, list[str]], cal: Calibration, cache: Path | None) -> None:
        self.encoder = encoder
        self.cal = cal
        self.names = tuple(phrases)
        self._owner = np.array([i for i, n in enumerate(self.names) for _ in phrases[n]], dtype=np.int32)
        texts = [p for n in self.names for p in phrases[n]]
        self._vectors = _cached_vectors(encoder, texts, cache)

    def encode(self, text: str) -> np.ndarray:
        """The message's vector (the retrieval's query vector: the same text the retriever embeds)."""
        return self.encoder.encode_queries([text])[0]

    def sense(self, vector: np.ndarray) -> Sense:
        """Every intent's score for a message vector: the mean of its `top` nearest examples' cosines."""
        cos = self._vectors @ vector.astype(np.float32)
        scores = []
        for i, name in enumerate(self.names):
            mine = np.sort(cos[self._owner == i])[::-1][: self.cal.top]
            scores.append((name, float(mine.mean())))
        return Sense(tuple(sorted(scores, key=lambda s: -s[1])))


def _cached_vectors(encoder: Encoder, texts: list[str], cache: Path | None) -> np.ndarray:
    digest = hashlib.sha256(json.dumps([encoder.name, texts], ensure_ascii=False).encode()).hexdigest()[:16]
    path = cache / f"intent-meaning-{digest}.npy" if cache is not None else None
    if path is not None and path.exists():
        try:
            vectors = np.load(path)
            if vectors.shape == (len(texts), encoder.dim):
                return vectors
        except (OSError, ValueError):
            log.warning("intent example vectors unreadable; computing them again")
    vectors = np.asarray(encoder.encode_queries(texts), dtype=np.float32)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, vectors)
            tmp.replace(path)
            for old in path.parent.glob("intent-meaning-*.npy"):
                if old != path and not old.name.endswith(".tmp.npy"):
                    old.unlink(missing_ok=True)
        except OSError:
            log.warning("intent example vectors not cached (cache folder not writable)")
    return vectors
