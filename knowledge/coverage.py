"""Whether an organisation's documents cover what a question is about: the question's concepts against the
concepts the documents' passages name, a practical topic HR lists as outside the policies (`scope.yaml`),
and whether the documents are about a word at all. The retriever ranks passages; this decides, from the
concepts alone, that none of them answers."""

from __future__ import annotations

import numpy as np

from knowledge.index import LexicalIndex
from knowledge.lexicon import Lexicon, Scope
from knowledge.text import content_words, split_compound, stem_en, stem_sv, words
from knowledge.topics import ConceptIndex

MENTIONS_ABOUT = 2  # passages with a practical topic's word that make the documents about it


class Coverage:
    """What the documents of each organisation cover, by the concepts and words of their passages."""

    def __init__(
        self,
        topics: ConceptIndex,
        lex: LexicalIndex,
        lexicon: Lexicon,
        scope: Scope,
        org_rows: dict[str, frozenset[int]],
    ) -> None:
        self.topics = topics
        self.lex = lex
        self.lexicon = lexicon
        self.scope = scope
        self._org_rowset = org_rows

    def serious(self, text: str, lang: str) -> bool:
        """True when the question names serious wrongdoing (a concern one may report) at least as strongly
        as any practical matter: "han fifflar med tidrapporterna" is fraud, not a working-hours question."""
        concepts = self.topics.concepts.concepts
        named = self.topics.concepts.match(text, lang, question=True)
        serious = max((v for ci, v in named.items() if concepts[ci].report), default=0.0)
        practical = max((v for ci, v in named.items() if concepts[ci].kind == "practical"), default=0.0)
        return serious > 0 and serious >= practical

    def outside(self, text: str, org: str) -> bool:
        """True when the question names a practical topic (`scope.yaml`: vacation, pay dates, IT) that the
        organisation's own documents do not mention: a handbook that covers vacation answers it."""
        rows = self._org_rowset[org]
        for trigger in self.scope.triggers(text):
            ws = content_words(trigger) or words(trigger)
            if ws and all(self._mentions(w, rows) for w in ws):
                continue
            # an English word for it ("vacation") counts when the documents are about its Swedish words
            means = [m for exp in self.lexicon.expand(trigger) for m in exp.means]
            if not any(all(self._mentions(w, rows) for w in (content_words(m) or words(m))) for m in means):
                return True
        return False

    def mentions(self, org: str, word: str) -> bool:
        """True when the organisation's documents are about the word (see `_mentions`)."""
        rows = self._org_rowset.get(org)
        return rows is not None and self._mentions(word, rows)

    def _mentions(self, word: str, rows: frozenset[int]) -> bool:
        """True when the documents among `rows` are about the word (its stem, or each part of a compound):
        it heads a section, or two passages or more have it; one passing mention ("personer som söker
        bygglov", in a list of the people the staff meet) does not make the documents answer it."""
        lx = self.lex

        def about(term: str) -> bool:
            heads = {*lx.head.postings.get(term, {}), *lx.head_en.postings.get(term, {})}
            text = {*lx.sv.postings.get(term, {}), *lx.en.postings.get(term, {})}
            return not rows.isdisjoint(heads) or len(rows.intersection(text)) >= MENTIONS_ABOUT

        if about(stem_sv(word)) or about(stem_en(word)):
            return True
        parts = split_compound(word, lx.sv_vocab) if len(word) >= 7 else []
        return bool(parts) and all(about(p) for p in parts)

    def own_terms(self, text: str, terms: dict[int, set[str]], lang: str = "") -> dict[int, set[str]]:
        """The question's terms per concept that a Swedish passage could contain, with the documents' words
        its everyday words stand for (`lexicon.yaml`: "gym" -> friskvård), so English is judged the same."""
        means = " ".join(m for exp in self.lexicon.expand(text, lang) for m in exp.means)
        if not means:
            return terms
        out = {ci: set(ts) for ci, ts in terms.items()}
        for ci, ts in self.topics.concepts.own_terms(means, "sv").items():
            out.setdefault(ci, set()).update(ts)
        return out

    def only_broader(self, words: dict[int, float], rows: np.ndarray, top: list[int]) -> list[int]:
        """The question's one concern when no passage names it and it stands covered only by the concern it is
        part of, which none of the best passages names either: "någon tafsade på mig" where the documents say
        "kränker" once, about personal data, and the best passages are lists of committees."""
        tp = self.topics
        concerns = {ci: v for ci, v in words.items() if tp.kinds[ci] != "practical"}
        if len(concerns) != 1:
            return []
        ci = next(iter(concerns))
        broader = tp.concepts.by_id.get(tp.concepts.concepts[ci].broader)
        if broader is None or tp.covered(rows, ci):
            return []
        return [] if any(tp.lexical[r, broader] > 0 or tp.lexical[r, ci] > 0 for r in top) else [ci]

    def uncovered(
        self,
        words: dict[int, float],
        rows: np.ndarray,
        terms: dict[int, set[str]],
        lang: str,
        spans: dict[int, set[int]] | None = None,
    ) -> list[int]:
        """The question's concepts (named by its words) that decide it is not answered here: all of
        them when none is covered; a practical matter (sick leave, pay dates) when no covered concern
        is named as strongly. Empty when the question is answerable as far as concepts tell."""
        if not words:
            return []
        tp = self.topics
        concepts = tp.concepts

        def is_covered(ci: int) -> bool:
            # a concern the documents do not name is covered by the concern it is part of (a gift card
            # from a client, where the documents speak only of corruption)
            if tp.covered(rows, ci, terms.get(ci), lang):
                return True
            broader = concepts.by_id.get(concepts.concepts[ci].broader)
            return tp.kinds[ci] != "practical" and broader is not None and tp.covered(rows, broader, None, lang)

        covered = {ci: v for ci, v in words.items() if is_covered(ci)}
        if not covered:
            return list(words)
        concerns = {ci: v for ci, v in covered.items() if tp.kinds[ci] != "practical"}
        best_concern = max(concerns.values(), default=0.0)
        at = spans or {}

        def specific(practical: int) -> float:
            # a concern named by the same words as the practical matter ("friskvårdsbidrag": wellness and an
            # allowance), in words the documents have, outweighs it: the passage that has the word answers
            own = [
                v
                for ci, v in concerns.items()
                if at.get(ci, set()) & at.get(practical, set())
                and terms.get(ci)
                and any(terms[ci] & tp.terms[r] for r in rows)
            ]
            return max(own, default=0.0)

        # serious wrongdoing named as strongly as a practical matter decides ("fifflar med tidrapporterna"
        # is fraud, not a question on working hours)
        serious = max((v for ci, v in concerns.items() if concepts.concepts[ci].report), default=0.0)
        return [
            ci
            for ci, v in words.items()
            if ci not in covered
            and tp.kinds[ci] == "practical"
            and v >= best_concern
            and v > serious
            and v > specific(ci)
        ]
