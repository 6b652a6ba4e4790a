"""Indexes over the passages: a Swedish/English lexical index and a dense index cached on disk.

The lexical index is rebuilt at start (a few milliseconds for a municipality's policies). The dense
index costs seconds to embed, so it is stored under the cache directory with a key made of the
corpus fingerprint, the encoder's name and the index format; any change makes a new key, and an
unchanged corpus and encoder reuse the stored vectors.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from knowledge.corpus import Corpus, Passage
from knowledge.encoders import Encoder
from knowledge.text import content_words, detect_lang, fold, ngrams, split_compound, stem_en, stem_sv

log = logging.getLogger(__name__)
INDEX_FORMAT = "5"
K1, B = 1.2, 0.6
COMPOUND_TF = 0.5


def sv_text(p: Passage) -> str:
    """What the Swedish side of the lexical index sees: the section heading and the text."""
    return f"{p.section}\n{p.text}"


def en_text(p: Passage) -> str:
    """What the English side sees: the English heading and the English rendering of the passage."""
    return f"{p.section_en}\n{p.en}"


@dataclass(slots=True)
class FieldIndex:
    """Inverted index of one field: term -> {passage row: BM25-saturated tf, capped at 1}, with idf."""

    postings: dict[str, dict[int, float]]
    idf: dict[str, float]
    max_idf: float


def _field(term_lists: list[Counter[str]]) -> FieldIndex:
    n = len(term_lists)
    lens = [sum(c.values()) for c in term_lists]
    avg = (sum(lens) / n) if n else 1.0
    df: Counter[str] = Counter()
    for c in term_lists:
        df.update(c.keys())
    idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
    postings: dict[str, dict[int, float]] = defaultdict(dict)
    for row, c in enumerate(term_lists):
        norm = K1 * (1 - B + B * lens[row] / (avg or 1.0))
        for t, tf in c.items():
            postings[t][row] = min(1.0, tf * (K1 + 1) / (tf + norm))
    return FieldIndex(dict(postings), idf, max(idf.values(), default=1.0))


class LexicalIndex:
    """Stemmed Swedish and English fields, compound parts, and character n-grams, per passage."""

    def __init__(self, passages: tuple[Passage, ...]) -> None:
        sv_words = [content_words(sv_text(p)) for p in passages]
        en_words = [content_words(en_text(p)) for p in passages]
        self.sv_vocab: frozenset[str] = frozenset(stem_sv(w) for ws in sv_words for w in ws)
        self.en_vocab: frozenset[str] = frozenset(stem_en(w) for ws in en_words for w in ws)
        self.surface_sv: dict[str, str] = {fold(w): w for ws in sv_words for w in ws}
        self.surface_en: dict[str, str] = {fold(w): w for ws in en_words for w in ws}
        sv_terms: list[Counter[str]] = []
        for ws in sv_words:
            c: Counter[str] = Counter(stem_sv(w) for w in ws)
            for w in ws:
                if len(w) >= 8:
                    for part in split_compound(w, self.sv_vocab):
                        c[part] += COMPOUND_TF
            sv_terms.append(c)
        self.sv = _field(sv_terms)
        self.en = _field([Counter(stem_en(w) for w in ws) for ws in en_words])
        q_sv: list[Counter[str]] = []
        q_en: list[Counter[str]] = []
        for p in passages:
            csv: Counter[str] = Counter()
            cen: Counter[str] = Counter()
            for q in p.questions:
                ws = content_words(q)
                if detect_lang(q) == "en":
                    cen.update({stem_en(w) for w in ws})
                else:
                    csv.update({stem_sv(w) for w in ws})
                for w in ws:
                    (self.surface_en if detect_lang(q) == "en" else self.surface_sv).setdefault(fold(w), w)
            q_sv.append(csv)
            q_en.append(cen)
        self.qsv = _field(q_sv)
        self.qen = _field(q_en)
        self.sv_vocab = self.sv_vocab | frozenset(self.qsv.idf)
        self.en_vocab = self.en_vocab | frozenset(self.qen.idf)
        grams = [Counter(ngrams(sv_text(p)) + ngrams(en_text(p))) for p in passages]
        gdf: Counter[str] = Counter()
        for g in grams:
            gdf.update(g.keys())
        n = len(passages)
        self.gram_idf = {g: math.log(1 + n / d) for g, d in gdf.items()}
        self.gram_postings: dict[str, dict[int, float]] = defaultdict(dict)
        for row, g in enumerate(grams):
            vec = {t: tf * self.gram_idf[t] for t, tf in g.items()}
            norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
            for t, v in vec.items():
                self.gram_postings[t][row] = v / norm

    def gram_scores(self, text: str) -> dict[int, float]:
        """Cosine of character n-gram TF-IDF vectors between the text and every passage."""
        q = Counter(ngrams(text))
        vec = {t: tf * self.gram_idf[t] for t, tf in q.items() if t in self.gram_idf}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out: dict[int, float] = defaultdict(float)
        for t, v in vec.items():
            for row, pv in self.gram_postings[t].items():
                out[row] += v / norm * pv
        return out


class DenseIndex:
    """Vectors per passage (Swedish text, English rendering) and per example question, cached on disk.

    `hub` holds each passage's mean and spread of similarity to all example questions: generic
    passages that resemble every question ("read the code often") are measured against their own
    mean at search time, so they stop winning every vague question.
    """

    def __init__(self, arrays: dict[str, np.ndarray], key: str) -> None:
        self.sv, self.en = arrays["sv"], arrays["en"]
        self.q, self.q_rows = arrays["q"], arrays["q_rows"].astype(np.int64)
        self.hub = arrays["hub"]
        # mean and spread of passage and question similarities: scores are compared in these units,
        # so that thresholds hold for any encoder, whatever its cosine range
        self.mu, self.sd, self.qmu, self.qsd = (float(x) for x in arrays["stats"])
        self.key = key

    @staticmethod
    def texts(passages: tuple[Passage, ...]) -> tuple[list[str], list[str]]:
        sv = [f"{p.section}. {p.text}" for p in passages]
        en = [f"{p.section_en}. {p.en}" if p.en else f"{p.section}. {p.text}" for p in passages]
        return sv, en

    @staticmethod
    def cache_key(corpus: Corpus, encoder: Encoder) -> str:
        h = hashlib.sha256(f"{INDEX_FORMAT}\0{encoder.name}\0{corpus.fingerprint}".encode())
        for p in corpus.passages:
            h.update(p.id.encode() + b"\0")
        return h.hexdigest()[:20]

    @classmethod
    def build(cls, corpus: Corpus, encoder: Encoder, key: str) -> DenseIndex:
        """Embed every passage and example question (seconds; done once per corpus and encoder)."""
        sv_t, en_t = cls.texts(corpus.passages)
        sv = encoder.encode_passages(sv_t).astype(np.float32)
        en = encoder.encode_passages(en_t).astype(np.float32)
        qs = [(row, q) for row, p in enumerate(corpus.passages) for q in p.questions]
        if qs:
            q = encoder.encode_queries([t for _, t in qs]).astype(np.float32)
            sims = np.maximum(sv @ q.T, en @ q.T)
            hub = np.stack([sims.mean(axis=1), sims.std(axis=1)]).astype(np.float32)
            qq = q @ q.T
            off = qq[~np.eye(len(qs), dtype=bool)] if len(qs) > 1 else np.array([0.0, 1.0])
            qmu, qsd = float(off.mean()), float(off.std())
        else:
            q = np.zeros((0, sv.shape[1]), np.float32)
            sims = sv @ en.T
            hub = np.stack([sims.mean(axis=1), sims.std(axis=1)]).astype(np.float32)
            qmu, qsd = 0.0, 1.0
        stats = np.array([sims.mean(), max(float(sims.std()), 1e-6), qmu, max(qsd, 1e-6)], np.float32)
        rows = np.array([r for r, _ in qs], dtype=np.int64)
        return cls({"sv": sv, "en": en, "q": q, "q_rows": rows, "hub": hub, "stats": stats}, key)

    @classmethod
    def load_or_build(
        cls, corpus: Corpus, encoder: Encoder, cache_dir: Path, rebuild: bool = False
    ) -> tuple[DenseIndex, bool]:
        """The cached index for this corpus and encoder, building (and storing) it when missing.

        Returns the index and whether it was built now.
        """
        key = cls.cache_key(corpus, encoder)
        path = cache_dir / f"dense-{key}.npz"
        if path.exists() and not rebuild:
            try:
                with np.load(path) as z:
                    arrays = {k: z[k] for k in ("sv", "en", "q", "q_rows", "hub", "stats")}
                if arrays["sv"].shape[0] == len(corpus.passages):
                    return cls(arrays, key), False
            except (OSError, ValueError, KeyError):
                log.warning("index cache %s is unreadable; rebuilding it", path)
        index = cls.build(corpus, encoder, key)
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".npz.tmp")
            with os.fdopen(fd, "wb") as fh:
                np.savez(
                    fh,
                    sv=index.sv,
                    en=index.en,
                    q=index.q,
                    q_rows=index.q_rows,
                    hub=index.hub,
                    stats=np.array([index.mu, index.sd, index.qmu, index.qsd], np.float32),
                )
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("could not store the index cache in %s: %s", cache_dir, exc)
        return index, True
