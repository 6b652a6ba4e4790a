"""The dense index: one vector per passage (its Swedish text, and its English rendering when it has one)
and per example question, assembled from the content-addressed vector store.

Building it embeds only passages the store has not seen (`vectors.py`); everything else here is a few
matrix products, done at every start. `hub` holds each passage's mean and spread of similarity to a
set of question-like probes (the corpus's example questions, else the organisation-independent
concept situations): generic passages that resemble every question ("read the code often") are
measured against their own mean at search time, so they stop winning every vague question.
"""

from __future__ import annotations

import numpy as np

from knowledge.corpus import Corpus, Passage
from knowledge.vectors import Progress, VectorStore


def passage_texts(passages: tuple[Passage, ...]) -> tuple[list[str], list[str]]:
    """What the encoder embeds per passage: heading and text, and the English rendering (or '')."""
    sv = [f"{p.section}. {p.text}" for p in passages]
    en = [f"{p.section_en}. {p.en}" if p.en else "" for p in passages]
    return sv, en


class DenseIndex:
    """Passage and example-question vectors of one corpus, with the statistics scores are measured in."""

    def __init__(self, arrays: dict[str, np.ndarray], key: str = "") -> None:
        self.sv, self.en = arrays["sv"], arrays["en"]
        self.q, self.q_rows = arrays["q"], arrays["q_rows"].astype(np.int64)
        self.hub = arrays["hub"]
        # mean and spread of passage and question similarities: scores are compared in these units,
        # so that thresholds hold for any encoder, whatever its cosine range
        self.mu, self.sd, self.qmu, self.qsd = (float(x) for x in arrays["stats"])
        self.key = key

    @staticmethod
    def pending(corpus: Corpus, store: VectorStore) -> int:
        """How many passage texts and questions still have to be embedded for this corpus."""
        sv, en = passage_texts(corpus.passages)
        qs = [q for p in corpus.passages for q in p.questions]
        return store.missing("passage", sv + [t for t in en if t]) + store.missing("query", qs)

    @classmethod
    def build(
        cls, corpus: Corpus, store: VectorStore, probes: list[str] | None = None, progress: Progress | None = None
    ) -> DenseIndex:
        """The index of this corpus: new passages are embedded (and stored), the rest read from the store."""
        sv_t, en_t = passage_texts(corpus.passages)
        with_en = [i for i, t in enumerate(en_t) if t]
        texts = sv_t + [en_t[i] for i in with_en]
        qs = [(row, q) for row, p in enumerate(corpus.passages) for q in p.questions]
        total = store.missing("passage", texts) + store.missing("query", [t for _, t in qs])
        base = 0

        def step(done: int, _n: int) -> None:
            if progress is not None:
                progress(base + done, total)

        allv = store.get("passage", texts, step)
        base = store.embedded
        sv = allv[: len(sv_t)]
        en = sv.copy()  # a passage with no English rendering is matched by its own text only
        for j, i in enumerate(with_en):
            en[i] = allv[len(sv_t) + j]
        q = store.get("query", [t for _, t in qs], step) if qs else np.zeros((0, sv.shape[1]), np.float32)
        store.save()
        if qs:
            sims = np.maximum(sv @ q.T, en @ q.T)
            qq = q @ q.T
            off = qq[~np.eye(len(qs), dtype=bool)] if len(qs) > 1 else np.array([0.0, 1.0])
            qmu, qsd = float(off.mean()), float(off.std())
        else:
            pv = store.get("query", list(probes or []))
            store.save()
            sims = sv @ pv.T if len(pv) else sv @ en.T
            qmu, qsd = 0.0, 1.0
        hub = np.stack([sims.mean(axis=1), sims.std(axis=1)]).astype(np.float32)
        stats = np.array([sims.mean(), max(float(sims.std()), 1e-6), qmu, max(qsd, 1e-6)], np.float32)
        rows = np.array([r for r, _ in qs], dtype=np.int64)
        arrays = {"sv": sv, "en": en, "q": q, "q_rows": rows, "hub": hub, "stats": stats}
        return cls(arrays, corpus.fingerprint)
