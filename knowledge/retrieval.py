"""Hybrid retrieval: Swedish-aware lexical matching fused with dense multilingual embeddings.

A question becomes a set of *concepts*, one per content word: the word's Swedish and English stems,
a typo correction (rapidfuzz against the corpus vocabulary), compound parts, and the policy words the
lexicon maps it to. A passage's lexical score is the idf-weighted share of concepts it covers; the
dense score is the best cosine against the passage's Swedish text or English rendering. The fused
score decides the ranking; coverage and the dense score together decide whether the organisation's
documents answer the question at all.

Only the asker's organisation's passages are candidates; documents written for another role of the
same organisation are down-weighted, so an elected official is answered from the elected officials'
code first.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from knowledge.concepts import Concepts
from knowledge.corpus import Corpus, Passage
from knowledge.coverage import Coverage
from knowledge.encoders import Encoder, LockedEncoder
from knowledge.index import DenseIndex, FieldIndex, LexicalIndex
from knowledge.lexicon import Lexicon, Scope
from knowledge.text import (
    MAX_STEM,
    NAME_INSIDE,
    content_words,
    detect_lang,
    fold,
    is_frame,
    is_meta,
    is_navigation,
    is_stop,
    normalize,
    role_head_words,
    role_lead_phrases,
    split_compound,
    stem_en,
    stem_sv,
    words,
)
from knowledge.topics import ConceptIndex
from knowledge.vectors import Progress, VectorStore

log = logging.getLogger(__name__)

DENSE_MAX_CHARS = 1000  # about 250 tokens: enough for any question, and a bounded cost
LEAD_WORDS = 12  # a passage's first words, where it says whom it addresses ("Har du dessutom ett uppdrag som chef")
_LONG_RUN = re.compile(rf"\S{{{MAX_STEM + 1},}}")


NAMED_TWICE = 2.0  # mentions of concerns that make the question's other words count half


GLOSSARY_BELOW = 0.5  # share of passages with English renderings under which the glossary is used
# the role whose own passages are not the asker's: an employee's manager, an elected official's group leader
ROLE_ABOVE = {"employee": "manager", "elected": "group_leader"}


@dataclass(slots=True)
class Tuning:
    """Weights and thresholds of the fusion; defaults were tuned on eval/ question sets."""

    w_cover: float = 1.0
    w_qcover: float = 1.3
    w_dense: float = 0.3
    w_qdense: float = 0.25
    w_gram: float = 0.0
    hub: float = 0.5
    meta_weight: float = 0.1
    dense_center: float = 0.0
    qdense_center: float = 2.0
    other_audience: float = 0.7
    frame_prior: float = 0.6  # a passage under a frame heading ("Syfte", "Omfattning", "Historik")
    unknown_weight: float = 1.1
    lexicon_weight: float = 0.8
    fuzzy_weight: float = 0.75
    compound_weight: float = 0.6
    fuzzy_cutoff: float = 84.0
    abstain_below: float = 0.7  # lexical-only runs: the fused score below which the bot abstains
    # whether the documents answer: a logistic model over the best hit's evidence (fit by
    # scripts/fit_abstain.py on the eval/ question sets and three other organisations' documents with
    # blind questions); answer when the sum is >= abst_threshold. abst_outside is set, not fit: a topic
    # HR lists as outside the policies (scope.yaml) needs strong evidence ("Berätta ett skämt")
    abst_bias: float = -0.957
    abst_cov: float = -1.149
    abst_qcov: float = -0.330
    abst_dense: float = 0.583
    abst_qdense: float = 0.447
    abst_unknown: float = -2.563
    abst_outside: float = -3.2
    abst_threshold: float = -0.75
    dense_max_words: float = 99.0
    skip_dense_above: float = 0.7
    skip_dense_margin: float = 0.2
    second_quote_ratio: float = 0.92
    concept_weight: float = 0.7  # a question word naming a concept also matches the corpus's words for it
    w_topic: float = 0.5  # the share of the question's concepts a passage is tagged with
    w_head: float = 0.15  # the share of the question's words in the passage's section heading
    abst_topic: float = 1.134
    abst_agree: float = 1.034
    w_role_head: float = 0.5  # a section whose heading names the asker's role ("... av chefer och ledare")
    # ... and one that addresses the role above the asker's ("Har du dessutom ett uppdrag som chef ..." for an
    # employee) is a little behind: the asker's own expectations come first
    w_other_role_head: float = 0.5
    # a best passage this strong (dense z and lexical coverage) outweighs a concern named by one ambiguous word
    strong_dense: float = 2.0
    strong_cover: float = 0.2


@dataclass(slots=True)
class Hit:
    """One candidate passage and the evidence for it."""

    passage: Passage
    score: float
    coverage: float
    dense: float
    gram: float
    qcoverage: float = 0.0
    qdense: float = 0.0


@dataclass(slots=True)
class SearchResult:
    """Ranked hits for a question, with the question's language and whether to abstain."""

    hits: list[Hit]
    lang: str
    abstain: bool
    confidence: float
    debug: dict[str, object] = field(default_factory=dict)
    concepts: tuple[str, ...] = ()  # the domain concepts the question is about (concepts.yaml ids)
    uncovered: tuple[str, ...] = ()  # ... of which no passage of the organisation covers these


@dataclass(slots=True)
class _Concept:
    word: str
    forms: dict[tuple[str, str], float] = field(default_factory=dict)  # (field, term) -> weight
    scale: float = 1.0


class UnknownOrganisation(KeyError):
    """The organisation has no documents in the corpus."""


class Retriever:
    """Searches one corpus; build once, then `search` is cheap (no I/O)."""

    def __init__(
        self,
        corpus: Corpus,
        encoder: Encoder | None,
        cache_dir: Path | None,
        lexicon: Lexicon | None = None,
        tuning: Tuning | None = None,
        concepts: Concepts | None = None,
        background: bool = False,
        progress: Progress | None = None,
    ) -> None:
        """Index the corpus. With `background`, passages not yet embedded are embedded in a thread
        while `search` already answers lexically; otherwise this waits for the dense index."""
        self.corpus = corpus
        self.encoder = LockedEncoder(encoder) if encoder is not None else None
        self.lexicon = lexicon or Lexicon.load()
        self.scope = Scope.load()
        self.tuning = tuning or Tuning()
        self.lex = LexicalIndex(corpus.passages)
        self.topics = ConceptIndex(concepts or Concepts.load(), corpus.passages)
        self.dense: DenseIndex | None = None
        self.built_index = False
        self.embedded = 0
        self.ready = threading.Event()
        self._rows_by_org: dict[str, np.ndarray] = {}
        self._row_of = {p.id: i for i, p in enumerate(corpus.passages)}
        for org in corpus.orgs():
            mine = [i for i, p in enumerate(corpus.passages) if p.org == org]
            # a list of links to other pages ("Vad du hittar i detta avsnitt") says no rule: never an answer
            rules = [i for i in mine if not is_navigation(corpus.passages[i].text)]
            self._rows_by_org[org] = np.array(rules or mine, dtype=np.int64)
        heads = [fold(normalize(p.section)) for p in corpus.passages]
        leads = [
            " " + " ".join(re.findall(r"\w+", fold(normalize(p.text)))[:LEAD_WORDS]) + " " for p in corpus.passages
        ]
        lead_phrases = role_lead_phrases()

        def for_role(head: str, lead: str, role: str, marks: frozenset[str]) -> float:
            return float(any(m in head for m in marks) or any(x in lead for x in lead_phrases.get(role, ())))

        # 1.0 for a passage whose section heading names the role ("... av chefer och ledare"), or whose
        # first words address it ("Har du dessutom ett uppdrag som chef ...")
        self._role_head = {
            role: np.array([for_role(h, lead, role, marks) for h, lead in zip(heads, leads, strict=True)])
            for role, marks in role_head_words().items()
        }
        self._no_role_head = np.zeros(len(corpus.passages))
        self._org_rowset = {org: frozenset(int(r) for r in rows) for org, rows in self._rows_by_org.items()}
        self.coverage = Coverage(self.topics, self.lex, self.lexicon, self.scope, self._org_rowset)
        self._has_questions = np.array([bool(p.questions) for p in corpus.passages])
        self._frame = np.array([is_frame(p.section) for p in corpus.passages])
        # how much of an organisation's text has English renderings: an English word the documents do not
        # know says nothing about scope when the documents are not in English at all
        self._en_share = {
            org: float(np.mean([bool(corpus.passages[i].en) for i in rows])) for org, rows in self._rows_by_org.items()
        }
        self._fuzzy_vocab = sorted(set(self.lex.surface_sv) | set(self.lex.surface_en) | self.lexicon.surface)
        self._known = frozenset(self._fuzzy_vocab)
        # a word typed with å, ä or ö is Swedish: it is corrected only towards Swedish words ("månader" is
        # not a misspelt "manager")
        self._fuzzy_sv = sorted(set(self.lex.surface_sv) | self.lexicon.surface)
        if encoder is None:
            self.ready.set()
            return
        store = VectorStore.open(cache_dir, self.encoder)
        if background and DenseIndex.pending(corpus, store):
            threading.Thread(target=self._build, args=(store, progress), name="index", daemon=True).start()
        else:
            self._build(store, progress)

    def _build(self, store: VectorStore, progress: Progress | None) -> None:
        """Embed what is missing, then switch searches to the dense index (atomically, by assignment)."""
        try:
            probes, owner = self.topics.concepts.probes()
            dense = DenseIndex.build(self.corpus, store, probes, progress)
            self.topics.add_dense(dense.sv, store.get("query", probes), owner)
            store.save()
            self.embedded = store.embedded
            self.built_index = store.embedded > 0
            self.dense = dense
        except Exception:  # a broken engine leaves the bot answering lexically, never silent
            log.exception("building the dense index failed; answering with lexical retrieval only")
        finally:
            self.ready.set()

    def tagged(self, passage_id: str, concept: str) -> bool:
        """Whether the passage's own words name the concept (or a concept it is part of names it)."""
        concepts = self.topics.concepts
        row = self._row_of.get(passage_id)
        ci = concepts.by_id.get(concept)
        if row is None or ci is None:
            return False
        broader = concepts.by_id.get(concepts.concepts[ci].broader)
        return bool(self.topics.lexical[row, ci] > 0 or (broader is not None and self.topics.lexical[row, broader] > 0))

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait for the dense index (when one is being built); True when it is there or not needed."""
        return self.ready.wait(timeout)

    def organisations(self) -> list[str]:
        """The organisations that have documents."""
        return list(self._rows_by_org)

    # -- question analysis -------------------------------------------------------------------

    def language(self, text: str, default: str = "sv") -> str:
        """'sv' or 'en'; words with no cue are judged by which vocabulary knows more of them, and a tie
        (slang neither knows: "nah not really tbh") is `default`."""
        lang = detect_lang(text, default="")
        if lang:
            return lang
        sv = en = 0
        for w in words(text):
            f = fold(w)
            sv += f in self.lex.surface_sv
            en += f in self.lex.surface_en
        return "en" if en > sv else "sv" if sv > en else default

    def _concepts(self, text: str, lang: str = "sv", glossary: float = 1.0) -> list[_Concept]:
        t = self.tuning
        concepts: dict[str, _Concept] = {}
        # a name inside the message ("en kollega, Bengtolof Sjöqvist, ...") says nothing about the topic: a
        # capitalised word after another word that the documents do not know is not a concept of the question
        names = {fold(n.lower()) for n in NAME_INSIDE.findall(text)} - self._known
        for w in content_words(text):
            if fold(w) in names:
                continue
            c = concepts.setdefault(w, _Concept(w, scale=t.meta_weight if is_meta(w) else 1.0))
            self._add_word_forms(c, w, 1.0)
            if not c.forms and 6 <= len(w) <= MAX_STEM and fold(w) not in self._known:
                swedish = any(ch in "åäö" for ch in w.lower())
                vocab = self._fuzzy_sv if swedish else self._fuzzy_vocab
                m = process.extractOne(fold(w), vocab, scorer=fuzz.ratio, score_cutoff=t.fuzzy_cutoff)
                if m and m[0][:1] == fold(w)[:1]:
                    self._add_word_forms(c, m[0], t.fuzzy_weight, swedish_only=swedish)
            if len(w) >= 7:
                for part in split_compound(w, self.lex.sv_vocab):
                    c.forms.setdefault(("sv", part), t.compound_weight)
            for ci in self.topics.concepts.match(w, lang, question=True):
                for stem, weight in self._concept_vocab(ci):
                    if c.forms.get(("sv", stem), 0.0) < weight:
                        c.forms[("sv", stem)] = weight
        # a concept named by a phrase ("egen firma", "när kommer lönen"): each word of it also matches the
        # corpus's words for the concept, as a concept named by one word does
        ws = words(text)
        for ci, positions in self.topics.concepts.spans(text, lang).items():
            named = [concepts[ws[i]] for i in sorted(positions) if ws[i] in concepts]
            if len(positions) < 2 or not named:
                continue
            for stem, weight in self._concept_vocab(ci):
                for c in named:
                    if c.forms.get(("sv", stem), 0.0) < weight:
                        c.forms[("sv", stem)] = weight
        for exp in self.lexicon.expand(text, lang):
            if exp.glossary and glossary <= 0.0:
                continue  # the documents' own English renderings answer English words
            trig = words(exp.trigger)
            target = next((concepts[x] for x in trig if x in concepts), None)
            if target is None:
                target = concepts.setdefault(exp.trigger, _Concept(exp.trigger))
            for m in exp.means:
                for mw in words(m):
                    key = ("sv", stem_sv(mw))
                    if key[1] in self.lex.sv_vocab and target.forms.get(key, 0.0) < t.lexicon_weight:
                        target.forms[key] = t.lexicon_weight
            if target.forms and len(trig) > 1:
                # the other words of a phrase the lexicon knows ("erbjöd mig") are not unknown words of their own
                for x in trig:
                    if x in concepts and concepts[x] is not target and not concepts[x].forms:
                        del concepts[x]
        return list(concepts.values())

    def _concept_vocab(self, ci: int) -> list[tuple[str, float]]:
        """The corpus's words for a concept the question names, at `concept_weight`; where the corpus has
        none of its own, those of the concept it is part of (a gift from a contractor: the bribery rule), a
        little lower."""
        t = self.tuning
        own = self.topics.vocab[ci]
        if own:
            return [(stem, t.concept_weight) for stem in own]
        concepts = self.topics.concepts
        broader = concepts.by_id.get(concepts.concepts[ci].broader)
        if broader is None:
            return []
        return [(stem, 0.5 * t.concept_weight) for stem in self.topics.vocab[broader]]

    def _with_broader(self, named: dict[int, float], rows: np.ndarray) -> dict[int, float]:
        """The question's concepts, where one that no passage of the organisation is tagged with stands
        for the concept it is part of (a gift card from a client: the passages on corruption)."""
        concepts, out = self.topics.concepts, dict(named)
        for ci, v in named.items():
            broader = concepts.by_id.get(concepts.concepts[ci].broader)
            if broader is not None and self.topics.strength(rows, ci) < 1.0:
                del out[ci]
                out[broader] = max(out.get(broader, 0.0), v)
        return out

    def dense_text(self, text: str) -> str:
        """The text the encoder embeds for a question (see `_dense_query`): callers that embed the
        message for other uses (intent recognition) embed this, and pass the vector to `search`."""
        return self._dense_query(text)

    def _dense_query(self, text: str) -> str:
        """The question as the encoder sees it: long questions lose their function words, since the
        encoder's cost grows with every token and function words carry little of the topic."""
        text = self._without_names(text)
        ws = words(text)
        if len(ws) > self.tuning.dense_max_words:
            text = " ".join(w for w in ws if not is_stop(w)) or text
        # the encoder's tokenizer is slow on very long words, and reads at most 512 tokens anyway
        text = _LONG_RUN.sub(lambda m: m.group(0)[:MAX_STEM], text)
        return text[:DENSE_MAX_CHARS]

    def _without_names(self, text: str) -> str:
        """The text without the names inside it that the documents do not know (see `_concepts`)."""
        out = NAME_INSIDE.sub(lambda m: m.group(0) if fold(m.group(0).lower()) in self._known else "", text)
        return out if out.split() else text

    def _weights(self, concepts: list[_Concept]) -> list[float]:
        """Each concept's weight: the idf of the word itself (text first, then example questions),
        else the mean idf of what it expands to, else the weight of an unknown word."""
        lx, t = self.lex, self.tuning
        out = []
        for c in concepts:
            w = 0.0
            for pair in (("sv", "en"), ("qsv", "qen")):
                fields = {"sv": getattr(lx, pair[0]), "en": getattr(lx, pair[1])}
                own = [fields[f].idf.get(term, 0.0) for (f, term), fw in c.forms.items() if fw >= 1.0]
                if any(own):
                    w = max(own)
                    break
            if not w:
                exp = [
                    lx.sv.idf.get(term, 0.0) or lx.qsv.idf.get(term, 0.0)
                    for (f, term), fw in c.forms.items()
                    if fw < 1.0
                ]
                exp = [x for x in exp if x > 0]
                w = sum(exp) / len(exp) if exp else t.unknown_weight * lx.sv.max_idf
            out.append(c.scale * w)
        return out

    def _coverage(self, concepts: list[_Concept], weights: list[float], fields: dict[str, FieldIndex]) -> np.ndarray:
        """Per passage: the weighted share of the question's concepts found in these fields."""
        out = np.zeros(len(self.corpus.passages), dtype=np.float64)
        total = sum(weights)
        for c, cw in zip(concepts, weights, strict=True):
            best: dict[int, float] = {}
            for (fname, term), fw in c.forms.items():
                for row, sat in fields[fname].postings.get(term, {}).items():
                    v = fw * sat
                    if v > best.get(row, 0.0):
                        best[row] = v
            for row, v in best.items():
                out[row] += cw * v
        return out / total if total > 0 else out

    def _add_word_forms(self, c: _Concept, w: str, weight: float, swedish_only: bool = False) -> None:
        s, e = stem_sv(w), stem_en(w)
        if s in self.lex.sv_vocab:
            c.forms[("sv", s)] = max(weight, c.forms.get(("sv", s), 0.0))
        if e in self.lex.en_vocab and not swedish_only:
            c.forms[("en", e)] = max(weight, c.forms.get(("en", e), 0.0))

    # -- search --------------------------------------------------------------------------------

    def search(
        self, text: str, org: str, role: str | None = None, k: int = 5, qvec: np.ndarray | None = None
    ) -> SearchResult:
        """The best passages of `org` for the question, and whether the documents answer it; `qvec` is
        the question's vector when the caller has embedded `dense_text(text)` already."""
        rows = self._rows_by_org.get(org)
        if rows is None:
            raise UnknownOrganisation(org)
        t = self.tuning
        lang = self.language(text)
        # the English-Swedish glossary counts for documents without English renderings of their own
        concepts = self._concepts(text, lang, glossary=float(self._en_share[org] < GLOSSARY_BELOW))
        lx = self.lex
        weights = self._weights(concepts)
        unknown = sum(w for c, w in zip(concepts, weights, strict=True) if not c.forms) / (sum(weights) or 1.0)
        if lang == "en":
            unknown *= self._en_share[org]
        coverage = self._coverage(concepts, weights, {"sv": lx.sv, "en": lx.en})
        qcoverage = self._coverage(concepts, weights, {"sv": lx.qsv, "en": lx.qen})
        qcoverage = np.where(self._has_questions, qcoverage, coverage)
        heading = self._coverage(concepts, weights, {"sv": lx.head, "en": lx.head_en}) if t.w_head else 0.0
        gram = np.zeros_like(coverage)
        for row, v in lx.gram_scores(text).items():
            gram[row] = v
        dense = np.zeros_like(coverage)
        qdense = np.zeros_like(coverage)
        qraw = np.zeros_like(coverage)
        lexical = t.w_cover * coverage + t.w_qcover * qcoverage + t.w_head * heading
        # whether the words alone decide: a passage's text counts once when it has no example questions
        # standing in for it (else an uncurated passage sharing two words with the question would decide)
        own = t.w_cover * coverage + t.w_qcover * np.where(self._has_questions, qcoverage, 0.0)
        lex_rows = np.sort((own + t.w_head * heading)[rows])[::-1]
        outside = self.coverage.outside(text, org) and not self.coverage.serious(text, lang)
        decisive = (
            not outside
            and len(lex_rows) > 1
            and lex_rows[0] >= t.skip_dense_above
            and lex_rows[0] - lex_rows[1] >= t.skip_dense_margin
        )
        given, qvec = qvec, None
        if self.dense is not None and self.encoder is not None and not decisive:
            qvec = given
            d = self.dense
            if qvec is None:
                qvec = self.encoder.encode_queries([self._dense_query(text)])[0]
            q = qvec
            cos = np.maximum(d.sv @ q, d.en @ q).astype(np.float64)
            mu = t.hub * d.hub[0] + (1 - t.hub) * d.mu
            sd = t.hub * d.hub[1] + (1 - t.hub) * d.sd
            dense = (cos - mu) / sd
            if len(d.q_rows):
                qcos = np.full(len(coverage), -np.inf)
                np.maximum.at(qcos, d.q_rows, (d.q @ q).astype(np.float64))
                qraw = (qcos - d.qmu) / d.qsd
                # a passage with no example questions is judged by its text alone
                qraw = np.where(np.isfinite(qraw), qraw, dense)
                qdense = np.maximum(qraw - t.qdense_center, 0.0)
            else:
                qraw = dense.copy()
        qc = self.topics.question(text, lang, qvec)
        topic = self.topics.scores(self._with_broader(qc.all(), rows))
        sub = rows
        score = lexical[sub] + t.w_gram * gram[sub]
        score = score + t.w_dense * (dense[sub] - t.dense_center) + t.w_qdense * qdense[sub]
        score = score + t.w_topic * topic[sub]
        score = score + t.w_role_head * self._role_head.get(role or "", self._no_role_head)[sub]
        above = ROLE_ABOVE.get(role or "")
        if above and t.w_other_role_head:
            score = score - t.w_other_role_head * self._role_head.get(above, self._no_role_head)[sub]
        prior = np.array([1.0 if self.corpus.passages[i].doc.serves(role) else t.other_audience for i in sub])
        prior = np.where(self._frame[sub], prior * t.frame_prior, prior)
        score = np.where(score > 0, score * prior, score / prior)
        order = np.argsort(-score)[:k]
        hits = [
            Hit(
                self.corpus.passages[sub[i]],
                float(score[i]),
                float(coverage[sub[i]]),
                float(dense[sub[i]]),
                float(gram[sub[i]]),
                float(qcoverage[sub[i]]),
                float(qraw[sub[i]]),
            )
            for i in order
        ]
        confidence = hits[0].score if hits else 0.0
        # whether the words and the meaning agree on the best passage: the top hit is also the best by
        # the dense score alone and by the lexical score alone (a strong signal in documents with no curation)
        agree = 0.0
        if hits and self.dense is not None and len(sub):
            top_row = int(sub[order[0]])
            agree = 0.5 * (int(sub[int(np.argmax(dense[sub]))]) == top_row) + 0.5 * (
                int(sub[int(np.argmax(lexical[sub]))]) == top_row
            )
        spans = self.topics.concepts.spans(text, lang)
        uncovered = self.coverage.uncovered(qc.words, rows, self.coverage.own_terms(text, qc.terms, lang), lang, spans)
        if not uncovered and hits:
            uncovered = self.coverage.only_broader(qc.words, rows, [self._row_of[h.passage.id] for h in hits[:3]])
        if uncovered and hits and hits[0].dense >= t.strong_dense and hits[0].coverage >= t.strong_cover:
            # a concern named only by one ambiguous word ("middag", "present") while a passage answers the
            # question strongly by its words and its meaning: the word named the organisation's own business
            uncovered = [ci for ci in uncovered if ci not in self.topics.concepts.asked_only(text, lang)]
        # a situation told with its matter named twice or more in the domain's words ("erbjöd mig en vecka i
        # hans stuga om dom får bygget"): the rest of its words (places, names, the story) say less of scope
        named_twice = sum(v for ci, v in qc.words.items() if self.topics.kinds[ci] != "practical") >= NAMED_TWICE
        if named_twice:
            unknown *= 0.5
        if not concepts or not hits or uncovered:
            abstain = True
        elif decisive:
            abstain = False
        elif named_twice and max(qc.words.values(), default=0.0) >= NAMED_TWICE and float(topic[sub].max()) >= 1.0:
            abstain = False  # one concern named twice ("slipped me an envelope with cash") that the documents cover
        elif self.dense is None:
            abstain = confidence < t.abstain_below or (outside and confidence < 2 * t.abstain_below)
        else:
            h = hits[0]
            answerable = (
                t.abst_bias
                + t.abst_cov * h.coverage
                + t.abst_qcov * h.qcoverage
                + t.abst_dense * h.dense
                + t.abst_qdense * float(qraw[sub].max())
                + t.abst_unknown * unknown
                + t.abst_outside * outside
                + t.abst_topic * float(topic[sub].max())
                + t.abst_agree * agree
            )
            confidence = answerable
            abstain = answerable < t.abst_threshold
        names = self.topics.concepts.concepts
        # an amount asked of a practical matter that the best passage names without any figure: not answered
        no_amount = ""
        if not abstain and hits and self.scope.asks_amount(text) and not re.search(r"\d", hits[0].passage.text):
            practical = {ci: v for ci, v in qc.words.items() if self.topics.kinds[ci] == "practical"}
            if practical and max(practical.values()) >= max(qc.words.values()):
                abstain, no_amount = True, names[max(practical, key=lambda ci: practical[ci])].id
        debug = {
            "concepts": {c.word: c.forms for c in concepts},
            "unknown": unknown,
            "decisive": decisive,
            "outside": outside,
            "max_qdense": float(qraw[sub].max()) if len(sub) else 0.0,
            "topic": float(topic[sub].max()) if len(sub) else 0.0,
            "agree": agree,
            "topics": {names[k].id: v for k, v in qc.all().items()},
            "labels": {names[k].id: names[k].label for k in qc.all()},
            "no_amount": no_amount,
        }
        found = tuple(names[k].id for k, _ in sorted(qc.all().items(), key=lambda kv: -kv[1]))
        return SearchResult(hits, lang, abstain, confidence, debug, found, tuple(names[k].id for k in uncovered))
