"""Indexes over the passages: a Swedish/English lexical index (here) and the dense index (`dense.py`).

The lexical index is rebuilt at start (a few milliseconds for a municipality's policies). The dense
index is assembled from embeddings cached per passage by content (`vectors.py`), so only new or
edited passages are embedded.
"""

from __future__ import annotations

import logging
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from knowledge.corpus import Passage
from knowledge.text import content_words, detect_lang, fold, ngrams, split_compound, stem_en, stem_sv

log = logging.getLogger(__name__)
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
        parts: dict[str, list[str]] = {}  # a word's compound parts, split once however often it occurs
        for ws in sv_words:
            c: Counter[str] = Counter(stem_sv(w) for w in ws)
            for w in ws:
                if len(w) >= 8:
                    if w not in parts:
                        parts[w] = split_compound(w, self.sv_vocab)
                    for part in parts[w]:
                        c[part] += COMPOUND_TF
            sv_terms.append(c)
        self.sv = _field(sv_terms)
        self.en = _field([Counter(stem_en(w) for w in ws) for ws in en_words])
        # the section headings alone: a handbook's heading ("Semester", "Sjukdom") says what it is about
        self.head = _field([Counter(stem_sv(w) for w in content_words(p.section)) for p in passages])
        self.head_en = _field([Counter(stem_en(w) for w in content_words(p.section_en)) for p in passages])
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


from knowledge.dense import DenseIndex  # noqa: E402  (re-exported: where callers look for it)

__all__ = ["DenseIndex", "FieldIndex", "LexicalIndex", "en_text", "sv_text"]
