"""Organisation-independent concepts of the conduct domain (`concepts.yaml`): matching them in text.

A concept (alcohol and drugs, harassment, bribes, sick leave, ...) has Swedish and English words,
question-only slang, and situations. `Concepts.match` finds the concepts a text names: a word matches
a term by its Snowball stem (so inflections match), a `term*` by prefix, a `*term` by suffix, a long
term also as either part of a compound ("alkoholpolicy", "arbetsplatsolyckor"), and a phrase as a run
of such words. Words typed without å/ä/ö match folded terms; a word typed with them is compared as
typed, so "hån" never matches "hand".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge import yamlio
from knowledge.text import fold, is_hedge, is_stop, normalize, stem_en, stem_sv, words

BUNDLED_CONCEPTS = Path(__file__).parent / "concepts.yaml"
KINDS = ("concern", "practical")
AUTO_COMPOUND = 6  # a plain term at least this long also matches as part of a compound
ONE_MENTION = 3  # words: question-only terms of a concept within this run are one mention of it
MIN_AUTO_PREFIX = 4  # ... and as the start of a word when its stem is at least this long
_NON_ASCII = frozenset("åäöéü")


_SWEDISH_LETTERS = re.compile(r"[åäöÅÄÖ]")


@dataclass(frozen=True, slots=True)
class Concept:
    """One concept: what it is called, what kind it is, and the situations that describe it."""

    id: str
    kind: str
    label: dict[str, str]
    situations: tuple[str, ...]
    report: bool = False
    broader: str = ""  # a concept it is part of (gifts -> corruption): its words stand in where none of its own are
    # phrases of a question in which its terms name something else ("min chef" is a person, not leadership)
    not_in: tuple[tuple[str, ...], ...] = ()
    # starts of words, in questions and passages alike, that its terms match but that name something else
    # ("säkerhetsansvarig" is a person to ask, not a matter of safety)
    not_words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Word:
    """One word of a term: its stem for exact matching, its forms for prefix/suffix matching."""

    stem: str
    prefix: str = ""  # match words starting with this (normalized, not folded)
    suffix: str = ""  # match words whose stem ends with this
    head: str = ""  # an exact match must also start with this: English stems collapse too much


def _stem(word: str, lang: str) -> str:
    return stem_en(word) if lang == "en" else stem_sv(word)


def _term_word(raw: str, lang: str, auto: bool = True) -> _Word:
    w = normalize(raw).strip()
    if w.startswith("="):  # this word form only ("=shorts": "in short" is not about clothes)
        base = fold(w[1:])
        return _Word(stem=base, head=base)
    if w.endswith("*"):  # the prefix itself as a word, not its stem ("allowance*" must not match "allowed")
        base = w.rstrip("*")
        return _Word(stem=fold(base), prefix=base, suffix=_stem(base, lang) if len(base) >= AUTO_COMPOUND else "")
    if w.startswith("*"):
        base = w.lstrip("*")
        return _Word(stem=_stem(base, lang), suffix=_stem(base, lang))
    if auto and len(w) >= AUTO_COMPOUND and lang == "sv":
        # the prefix as the term is written (a stem is folded: "hånade" -> "han", and "handläggare" typed with
        # ä must not start with it)
        stem = _stem(w, lang)
        # a stem of three letters starts too many words to stand for the term ("lagligt" -> "lag": "lagret")
        return _Word(stem=stem, prefix=w[: len(stem)] if len(stem) >= MIN_AUTO_PREFIX else "", suffix=stem)
    head = fold(w)[: max(0, len(w) - 3)] if lang == "en" else ""  # "allowance" is not "allowed"
    return _Word(stem=_stem(w, lang), head=head)


_Key = tuple[int, int, int]  # (concept, term, word of the term)


class _Table:
    """Lookup of one language's term words: exact stems, prefixes and compound heads, by word."""

    def __init__(self) -> None:
        self.exact: dict[str, list[_Key]] = {}
        self.prefix: dict[str, list[tuple[str, _Key]]] = {}
        self.suffix: dict[str, list[tuple[str, _Key]]] = {}
        self.short_non_ascii: set[_Key] = set()  # "kön", "slå": typed without å/ä/ö they are other words
        self.heads: dict[_Key, str] = {}
        self.ascii_short: set[_Key] = set()  # "svart": a word typed with å/ä/ö ("svårt") is another word
        self.non_ascii: set[_Key] = set()  # "skälla": in a document, "skall" (shall) is another word
        self.typed: dict[_Key, str] = {}  # the term's word as written, for those with å/ä/ö

    def add(self, tw: _Word, key: _Key, raw: str) -> None:
        if not _NON_ASCII.isdisjoint(raw):
            self.non_ascii.add(key)
            self.typed[key] = raw.strip("*=")
            if len(tw.stem) <= 4:
                self.short_non_ascii.add(key)
        if _NON_ASCII.isdisjoint(raw) and len(raw.strip("*")) < 6:
            self.ascii_short.add(key)
        self.exact.setdefault(tw.stem, []).append(key)
        if tw.head:
            self.heads[key] = tw.head
        if tw.prefix and len(fold(tw.prefix)) >= 3:
            self.prefix.setdefault(fold(tw.prefix)[:3], []).append((tw.prefix, key))
        if tw.suffix and len(tw.suffix) >= 4:
            self.suffix.setdefault(fold(tw.suffix)[-3:], []).append((fold(tw.suffix), key))

    def hits(self, word: str, lang: str) -> frozenset[_Key]:
        stem = _stem(word, lang)
        f = fold(word)
        out = {k for k in self.exact.get(stem, ()) if f.startswith(self.heads.get(k, ""))}
        out.update(self.exact.get(f, ()))
        typed_ascii = _NON_ASCII.isdisjoint(word)
        for p, key in self.prefix.get(f[:3], ()):
            if (f.startswith(fold(p)) if typed_ascii else word.startswith(p)) and len(word) > len(p):
                out.add(key)
        for sfx, key in self.suffix.get(stem[-3:], ()):
            if len(stem) >= len(sfx) + 3 and stem.endswith(sfx):
                # the last part of a compound written with å/ä/ö is compared as written: "sektionsmöteskall"
                # ends in "skall" (shall), not in "skälla"
                if not typed_ascii and key in self.typed and self.typed[key][: len(sfx)] not in word:
                    continue
                out.add(key)
        if typed_ascii:
            out -= self.short_non_ascii
        else:
            out -= self.ascii_short
            # typed with å/ä/ö against a term written with another of them: "lår" (thigh) is not "lärande"
            out = {k for k in out if k not in self.typed or not _clash(word, self.typed[k])}
        return frozenset(out)


def _clash(typed: str, term: str) -> bool:
    """True when two words written with å/ä/ö have different ones of them where they agree folded."""
    for a, b in zip(typed, term, strict=False):
        if fold(a) != fold(b):
            return False
        if a != b and a in _NON_ASCII and b in _NON_ASCII:
            return True
    return False


def _kept(w: str) -> bool:
    """Whether a word of a text (or of a term) is matched: not a letter alone, not a short function word."""
    return len(w) > 1 and (len(w) > 3 or not is_stop(w))


class Concepts:
    """The concepts of the domain and their terms, per language; `match` tags a text with them."""

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        self.concepts: list[Concept] = []
        self._info: dict[tuple[int, int], tuple[bool, int, int]] = {}  # term -> (question only, words, length)
        self.term_text: dict[tuple[int, int], str] = {}
        self.term_lang: dict[tuple[int, int], str] = {}
        self._tables = {"sv": _Table(), "en": _Table()}
        self._cache: dict[tuple[str, str], frozenset[_Key]] = {}
        for ci, e in enumerate(entries):
            kind = str(e.get("kind") or "concern")
            if kind not in KINDS:
                raise ValueError(f"concept {e.get('id')}: kind must be one of {KINDS}")
            self.concepts.append(
                Concept(
                    id=str(e["id"]),
                    kind=kind,
                    label={str(k): str(v) for k, v in dict(e.get("label") or {}).items()},
                    situations=tuple(str(x) for x in e.get("situations") or ()),
                    report=bool(e.get("report")),
                    broader=str(e.get("broader") or ""),
                    not_in=tuple(tuple(fold(w) for w in words(str(x))) for x in e.get("not_in") or ()),
                    not_words=tuple(fold(normalize(str(x))) for x in e.get("not_words") or ()),
                )
            )
            raw_terms = [(lang, False, str(t)) for lang in ("sv", "en") for t in e.get(lang) or ()]
            # question-only words count in questions of either language, unless marked for one ("sv:full": in
            # English "full" is not drunk)
            for t in e.get("ask") or ():
                tag, _, rest = str(t).partition(":")
                marked = tag in ("sv", "en") and bool(rest)
                raw_terms += [(lang, True, rest if marked else str(t)) for lang in ((tag,) if marked else ("sv", "en"))]
            for ti, (lang, ask_only, raw) in enumerate(raw_terms):
                parts = raw.replace("'", " ").split()  # "finder's fee" as the text's words: finder s fee
                tws = [_term_word(x, lang, auto=not ask_only) for x in parts]
                self._info[(ci, ti)] = (ask_only, len(tws), sum(len(t.stem) for t in tws))
                self.term_text[(ci, ti)] = raw
                self.term_lang[(ci, ti)] = lang
                for j, (tw, w) in enumerate(zip(tws, parts, strict=True)):
                    self._tables[lang].add(tw, (ci, ti, j), normalize(w))
        self.by_id = {c.id: i for i, c in enumerate(self.concepts)}

    @classmethod
    def load(cls, path: Path | None = None) -> Concepts:
        """Read a concepts file (default: the bundled one)."""
        data = yamlio.load((path or BUNDLED_CONCEPTS).read_text(encoding="utf-8")) or {}
        return cls(list(data.get("concepts") or []))

    def probes(self) -> tuple[list[str], list[int]]:
        """Every situation sentence and the index of its concept: what the encoder compares with."""
        texts: list[str] = []
        owner: list[int] = []
        for i, c in enumerate(self.concepts):
            for s in c.situations:
                texts.append(s)
                owner.append(i)
        return texts, owner

    def _hits(self, word: str, lang: str) -> frozenset[_Key]:
        key = (word, lang)
        got = self._cache.get(key)
        if got is None:
            if len(self._cache) > 50_000:  # bounded: a flood of distinct words cannot grow it
                self._cache.clear()
            got = self._cache[key] = self._tables[lang].hits(word, lang)
        return got

    def match(self, text: str, lang: str = "sv", question: bool = True) -> dict[int, float]:
        """Concept index -> how many of its distinct terms the text names (see `terms`). An English question
        may name a Swedish policy word ("and what about jäv?"): its words with å/ä/ö are matched in Swedish."""
        out = self._match(text, lang, question)
        if question and lang == "en":
            swedish = " ".join(w for w in text.split() if _SWEDISH_LETTERS.search(w))
            for ci, v in (self._match(swedish, "sv", question) if swedish else {}).items():
                out[ci] = max(out.get(ci, 0.0), v)
        return out

    def _match(self, text: str, lang: str, question: bool) -> dict[int, float]:
        found = self._found(text, lang, question)
        out: dict[int, float] = {}
        if not question:  # a passage counts the distinct terms it has
            for ci, _t in {(ci, self.term_text[(ci, ti)]) for ci, ti in found}:
                out[ci] = out.get(ci, 0.0) + 1.0
            return out
        # a question counts its separate mentions of the concept: "friskvårdsbidrag" is one, though three
        # terms of `allowances` match it, and so is "wellness allowance" (a phrase and a word in it)
        spans: dict[int, list[tuple[int, int]]] = {}
        for (ci, _ti), span in found.items():
            spans.setdefault(ci, []).append(span)
        for ci, ss in spans.items():
            end, n = -1, 0
            for a, b in sorted(ss):
                n += a >= end
                end = max(end, b) if a < end else b
            out[ci] = float(n)
        return out

    def spans(self, text: str, lang: str = "sv") -> dict[int, set[int]]:
        """Per concept, the positions of the question's words that name it."""
        out: dict[int, set[int]] = {}
        for (ci, _ti), (a, b) in self._found(text, lang, True).items():
            out.setdefault(ci, set()).update(range(a, b))
        return out

    def own_terms(self, text: str, lang: str = "sv", passages: str = "sv") -> dict[int, set[str]]:
        """Per concept, the terms a question names that a passage (in language `passages`) could also
        contain: not slang, not the other language's words."""
        out: dict[int, set[str]] = {}
        for ci, ti in self.terms(text, lang, question=True):
            if not self._info[(ci, ti)][0] and self.term_lang[(ci, ti)] == passages:
                out.setdefault(ci, set()).add(self.term_text[(ci, ti)])
        return out

    def asked_only(self, text: str, lang: str = "sv") -> set[int]:
        """The concepts a question names by one question-only word alone ("middag", "dinner", "present"):
        ambiguous words, which may name something else in an organisation's own business."""
        asks: dict[int, bool] = {}
        at: dict[int, set[int]] = {}
        for (ci, ti), (a, b) in self._found(text, lang, True).items():
            asks[ci] = asks.get(ci, True) and self._info[(ci, ti)][0]
            at.setdefault(ci, set()).update(range(a, b))
        # one mention: its terms overlap in one run of words ("vad kostar" and "kostar")
        return {ci for ci, only in asks.items() if only and max(at[ci]) - min(at[ci]) < ONE_MENTION}

    def terms(self, text: str, lang: str = "sv", question: bool = True) -> set[tuple[int, int]]:
        """The (concept, term) pairs the text names.

        A question (`question=True`) is matched with the question-only slang too, and with terms of the
        other language when they are long enough not to be a word of its own language ("mobbing" in a
        Swedish question); a passage only with the terms of its language.
        """
        return set(self._found(text, lang, question))

    def _found(self, text: str, lang: str, question: bool) -> dict[tuple[int, int], tuple[int, int]]:
        """The (concept, term) pairs the text names, each with the words it spans (start, end)."""
        # phrases are matched on all the words ("när kommer lönen", "in i väggen"); a term of one word only
        # on a word that carries meaning (not a letter alone, not a short function word)
        ws = words(text)
        found: dict[tuple[int, int], tuple[int, int]] = {}
        # a question's phrases are matched again with its hedges left out ("det luktar typ gas")
        at = [i for i, w in enumerate(ws) if not is_hedge(w)] if question else []
        runs = [list(range(len(ws)))] + ([at] if len(at) < len(ws) else [])
        for tlang in (lang, "en" if lang == "sv" else "sv") if question else (lang,):
            all_hits = [self._without_not_words(w, self._hits(w, tlang)) for w in ws]
            # a document writes å/ä/ö: its words without them are other words; so is a function word typed
            # without them in a question ("vem skall jag vända mig till" has no "skälla" in it)
            strict = self._tables[tlang].non_ascii
            all_hits = [
                h - strict if _NON_ASCII.isdisjoint(w) and (not question or is_stop(w)) else h
                for h, w in zip(all_hits, ws, strict=True)
            ]
            for run_no, pos in enumerate(runs):
                hits = [all_hits[p] for p in pos]
                for i, h in enumerate(hits):
                    for ci, ti, j in h:
                        if j != 0 or (ci, ti) in found:
                            continue
                        ask_only, n, length = self._info[(ci, ti)]
                        if n == 1 and (run_no or not _kept(ws[pos[i]])):
                            continue
                        if ask_only and not question:
                            continue
                        if tlang != lang and length < 5:
                            continue
                        if i + n <= len(hits) and all((ci, ti, k) in hits[i + k] for k in range(1, n)):
                            found[(ci, ti)] = (pos[i], pos[i + n - 1] + 1)
        if question:
            found = {key: span for key, span in found.items() if not self._inside(ws, key[0], span)}
        return found

    def _without_not_words(self, word: str, hits: frozenset[_Key]) -> frozenset[_Key]:
        """The word's hits less those of concepts for which it is one of their `not_words`."""
        if not hits:
            return hits
        f = fold(word)
        drop = {ci for ci, _, _ in hits if any(f.startswith(n) for n in self.concepts[ci].not_words)}
        return frozenset(k for k in hits if k[0] not in drop) if drop else hits

    def _inside(self, ws: list[str], ci: int, span: tuple[int, int]) -> bool:
        """True when the words at `span` lie within one of the concept's `not_in` phrases in `ws`."""
        folded = [fold(w) for w in ws]
        for ph in self.concepts[ci].not_in:
            for start in range(max(0, span[1] - len(ph)), min(span[0], len(ws) - len(ph)) + 1):
                if tuple(folded[start : start + len(ph)]) == ph:
                    return True
        return False
