"""Concept tags of passages and questions, and what an organisation's documents cover.

Every passage of any document is tagged with the domain's concepts (`concepts.yaml`) by its own
words (heading words count double) and, once the dense index is ready, by the encoder: a passage
much closer to a concept's situations than passages are on average is tagged too. A question is
tagged by its words (slang included) and by the encoder's nearest concept. Retrieval then prefers
passages that share the question's concepts, and declines a question whose concept no passage of
the organisation covers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from knowledge.concepts import Concepts
from knowledge.corpus import Passage
from knowledge.text import stem_sv, without_exclusions, words

HEADING = 2.0  # a concept named in the section heading counts this many terms
COVER = {"concern": 1.0, "practical": 2.0}  # tag strength at which a passage covers a concept
DENSE_Z = 3.0  # a passage this many spreads closer to a concept's situations than average is tagged
DENSE_MIN_Z = 2.0  # a question naming no concept gets its nearest one when it stands out this much


@dataclass(slots=True)
class QuestionConcepts:
    """The concepts a question names: index -> strength, from words and from the encoder."""

    words: dict[int, float]
    dense: dict[int, float]
    terms: dict[int, set[str]] = field(default_factory=dict)  # the question's own (non-slang) terms

    def all(self) -> dict[int, float]:
        out = dict(self.dense)
        for k, v in self.words.items():
            out[k] = max(out.get(k, 0.0), v)
        return out


class ConceptIndex:
    """Per passage, per concept: tag strength (terms named; dense tags add one)."""

    def __init__(self, concepts: Concepts, passages: tuple[Passage, ...]) -> None:
        self.concepts = concepts
        n, m = len(passages), len(concepts.concepts)
        self.lexical = np.zeros((n, m), dtype=np.float32)
        self.heading = np.zeros((n, m), dtype=np.float32)  # concepts named in the section heading
        self.terms: list[set[str]] = []  # per passage, the concept terms its own words name
        for row, p in enumerate(passages):
            # what a sentence says the rule is not for does not tag it ("ska inte användas för ... ledarskap")
            text = without_exclusions(p.text)
            found = concepts.terms(f"{p.section}\n{text}", "sv", question=False)
            self.terms.append({concepts.term_text[k] for k in found})
            for ci, v in concepts.match(text, "sv", question=False).items():
                self.lexical[row, ci] += v
            for ci, v in concepts.match(p.section, "sv", question=False).items():
                self.lexical[row, ci] += HEADING * v
                self.heading[row, ci] = v
            if p.en:
                en = f"{p.section_en}\n{without_exclusions(p.en)}"
                for ci, v in concepts.match(en, "en", question=False).items():
                    self.lexical[row, ci] = max(self.lexical[row, ci], v)
        self.tags = self.lexical.copy()
        # per concept, the corpus's own (stemmed) words for it: what a question naming it also matches
        self.vocab: list[set[str]] = [set() for _ in concepts.concepts]
        seen: set[str] = set()
        for p in passages:
            for w in words(f"{p.section} {p.text}"):
                if w not in seen:
                    seen.add(w)
                    for ci in concepts.match(w, "sv", question=False):
                        self.vocab[ci].add(stem_sv(w))
        self.kinds = [c.kind for c in concepts.concepts]
        self.probe_vecs: np.ndarray | None = None
        self.probe_owner = np.zeros(0, dtype=np.int64)
        self._idf()

    def _idf(self) -> None:
        n = max(1, self.tags.shape[0])
        df = (self.tags >= 1.0).sum(axis=0)
        self.idf = np.array([math.log(1 + n / (d + 1)) for d in df], dtype=np.float32)

    def add_dense(self, passage_vecs: np.ndarray, probe_vecs: np.ndarray, owner: list[int]) -> None:
        """Tag passages by the encoder too: a passage whose similarity to a concept's situations stands
        far above the other passages' is about that concept even without its words."""
        self.probe_vecs = probe_vecs
        self.probe_owner = np.asarray(owner, dtype=np.int64)
        if not len(probe_vecs) or not len(passage_vecs):
            return
        sims = passage_vecs @ probe_vecs.T  # (passages, probes)
        m = len(self.concepts.concepts)
        best = np.full((sims.shape[0], m), -1.0, dtype=np.float32)
        for j, ci in enumerate(self.probe_owner):
            best[:, ci] = np.maximum(best[:, ci], sims[:, j])
        mu, sd = best.mean(axis=0), best.std(axis=0) + 1e-6
        z = (best - mu) / sd
        self.tags = self.lexical + (z >= DENSE_Z).astype(np.float32)
        self._idf()

    def question(self, text: str, lang: str, qvec: np.ndarray | None = None) -> QuestionConcepts:
        """The question's concepts by its words and, given its vector, by the nearest situations."""
        named = self.concepts.match(text, lang, question=True)
        dense: dict[int, float] = {}
        if not named and qvec is not None and self.probe_vecs is not None and len(self.probe_vecs):
            sims = self.probe_vecs @ qvec
            m = len(self.concepts.concepts)
            best = np.full(m, -1.0, dtype=np.float64)
            np.maximum.at(best, self.probe_owner, sims)
            valid = best > -1.0
            mu, sd = best[valid].mean(), best[valid].std() + 1e-6
            top = int(np.argmax(best))
            if (best[top] - mu) / sd >= DENSE_MIN_Z and self.kinds[top] != "practical":
                dense[top] = 1.0
        return QuestionConcepts(named, dense, self.concepts.own_terms(text, lang))

    def covered(self, rows: np.ndarray, ci: int, terms: set[str] | None = None, lang: str = "sv") -> bool:
        """True when some passage among `rows` covers the concept in its own words (the encoder's tags
        rank passages but never decide coverage: near is not the same as about).

        A practical matter is a grab-bag (pension, overtime, travel costs): it is covered only when a
        passage names one of the question's own terms for it, not merely another matter of its kind,
        or a section is headed by it (for a question in another language than the passages, by its kind at
        `COVER` strength).
        """
        if not len(rows):
            return False
        if self.kinds[ci] == "practical" and (terms or lang == "sv"):
            # a section headed by the matter covers it ("Sjukskrivning", "Resor i tjänsten"); otherwise a
            # passage must name the question's own term (slang such as "lunch idag" names none). An English
            # question with no Swedish word for its matter is judged by the matter's kind (below): a handbook
            # naming phones twice answers "the company phone", though no word of the question is Swedish
            if float(self.heading[rows, ci].max()) >= 1.0:
                return True
            return bool(terms) and any(terms & self.terms[r] for r in rows)
        return float(self.lexical[rows, ci].max()) >= COVER[self.kinds[ci]]

    def strength(self, rows: np.ndarray, ci: int) -> float:
        """The strongest tag of the concept among these passages."""
        return float(self.tags[rows, ci].max()) if len(rows) else 0.0

    def scores(self, qc: dict[int, float]) -> np.ndarray:
        """Per passage: the idf-weighted share of the question's concepts it is tagged with."""
        out = np.zeros(self.tags.shape[0], dtype=np.float64)
        if not qc:
            return out
        total = 0.0
        for ci, strength in qc.items():
            w = float(self.idf[ci]) * min(strength, 2.0)
            total += w
            out += w * np.minimum(self.tags[:, ci], 2.0) / 2.0
        return out / total if total else out
