"""The everyday-words lexicon: maps what people type (full, drunk, mobbad, bribe) to policy words.

Data lives in `lexicon.yaml`; this module only matches it. A single `said` word matches a question
word by folded Swedish or English stem; a phrase matches as a folded substring of the question.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge import yamlio
from knowledge.text import fold, is_stop, normalize, stem_en, stem_sv, words

BUNDLED_LEXICON = Path(__file__).parent / "lexicon.yaml"
# English administrative words -> Swedish ones, for English questions on documents without renderings
BUNDLED_GLOSSARY = Path(__file__).parent / "glossary.yaml"
BUNDLED_SCOPE = Path(__file__).parent / "scope.yaml"


@dataclass(frozen=True, slots=True)
class Expansion:
    """Policy words a question's word points to, and the question word that triggered them."""

    trigger: str
    means: tuple[str, ...]
    glossary: bool = False  # from the English-Swedish glossary: needed where documents have no English


def _keys(word: str) -> set[str]:
    """The word folded, and its stems when they are long enough not to collide ('farlig' -> 'far'
    would otherwise match 'får'). A stem is keyed with its language: a Swedish stem meets Swedish stems only
    ("planen" -> "plan" is not English "planning" -> "plan")."""
    keys = {fold(word)}
    keys.update(f"{lang}~{s}" for lang, s in (("sv", stem_sv(word)), ("en", stem_en(word))) if len(s) >= 4)
    return keys


class Lexicon:
    """Everyday word -> policy words, loaded from YAML."""

    def __init__(self, entries: list[dict[str, list[str]]], glossary: list[dict[str, list[str]]] | None = None) -> None:
        self._single: dict[str, list[tuple[str, ...]]] = {}
        self._phrases: list[tuple[str, tuple[str, ...]]] = []
        self.surface: set[str] = set()
        self._glossary: set[tuple[str, ...]] = set()
        for e in [*entries, *(glossary or [])]:
            means = tuple(str(m) for m in e.get("means", []))
            if not means:
                continue
            from_glossary = bool(glossary) and e in (glossary or [])
            if from_glossary:
                self._glossary.add(means)
            for said in e.get("said", []) or []:
                s = normalize(str(said)).strip()
                tag, _, rest = s.partition(":")
                only = tag if tag in ("sv", "en") and rest else ""  # "sv:full": in English "full" is not drunk
                ws = words(rest if only else s)
                if len(ws) > 1:
                    self._phrases.append((" " + " ".join(fold(w) for w in ws) + " ", means))
                elif ws:
                    w = ws[0]
                    if not from_glossary:  # (a glossary word is no spelling to correct towards)
                        self.surface.add(fold(w))
                    for key in _keys(w):
                        self._single.setdefault(f"{only}:{key}" if only else key, []).append(means)

    @classmethod
    def load(cls, path: Path | None = None) -> Lexicon:
        """Read a lexicon file (default: the bundled lexicon and glossary)."""
        data = list(yamlio.load((path or BUNDLED_LEXICON).read_text(encoding="utf-8")) or [])
        glossary = None if path else list(yamlio.load(BUNDLED_GLOSSARY.read_text(encoding="utf-8")) or [])
        return cls(data, glossary)

    def expand(self, text: str, lang: str = "") -> list[Expansion]:
        """Every lexicon entry the text triggers, phrases first; words marked for one language ("sv:full")
        only in a text of that language."""
        ws = words(text)
        joined = " " + " ".join(fold(w) for w in ws) + " "
        out: list[Expansion] = []
        for phrase, means in self._phrases:
            if phrase in joined:
                out.append(Expansion(phrase.strip(), means, means in self._glossary))
        for w in ws:
            if is_stop(w):
                continue
            hits: list[tuple[str, ...]] = []
            for key in _keys(w):
                hits.extend(self._single.get(key, []))
                if lang:
                    hits.extend(self._single.get(f"{lang}:{key}", []))
            for means in dict.fromkeys(hits):
                out.append(Expansion(w, means, means in self._glossary))
        return out


class Scope:
    """Words of topics the policies do not cover (`scope.yaml`): practical, service and IT questions."""

    def __init__(self, words_or_phrases: list[str], amount: list[str] | None = None) -> None:
        self._lex = Lexicon([{"means": ["outside"], "said": list(words_or_phrases)}])
        self._amount = tuple(f" {' '.join(words(a))} " for a in amount or ())

    @classmethod
    def load(cls, path: Path | None = None) -> Scope:
        """Read a scope file (default: the bundled one)."""
        data = yamlio.load((path or BUNDLED_SCOPE).read_text(encoding="utf-8")) or {}
        return cls([str(x) for x in data.get("outside", [])], [str(x) for x in data.get("amount", [])])

    def asks_amount(self, text: str) -> bool:
        """True when the question asks for an amount ("hur mycket", "how much")."""
        t = f" {' '.join(words(text))} "
        return any(a in t for a in self._amount)

    def outside(self, text: str) -> bool:
        """True when the question is about a topic the policies leave to others."""
        return bool(self._lex.expand(text))

    def triggers(self, text: str) -> list[str]:
        """The words or phrases of the question that name such a topic."""
        return [e.trigger for e in self._lex.expand(text)]
