"""Swedish-aware text handling: tokens, stems, å/ä/ö folding, compounds and language detection.

Everything here is cheap and pure so that the lexical side of retrieval costs well under a
millisecond per question. Stop words and language cues are data (`text.yaml`).

Work is linear in the text and memory bounded, whatever a person sends: words longer than
`MAX_STEM` characters are not stemmed (no policy word is that long) and never enter a cache, and
compounds longer than `MAX_COMPOUND` are not split, so the caches hold at most
`maxsize * MAX_STEM` characters of keys.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path

import snowballstemmer

from knowledge.yamlio import load as load_yaml

_WORD = re.compile(r"[0-9a-zåäöéüæø]+", re.I)
# a capitalised word after another word (or a comma), inside a message: a name ("en kollega, Bengtolof
# Sjöqvist, ...", "I'm a councillor in Västerås"), which says nothing of the topic or the language
NAME_INSIDE = re.compile(r"(?<=\w[ ,] )[A-ZÅÄÖ][\wåäöÅÄÖ-]*|(?<=\w )[A-ZÅÄÖ][\wåäöÅÄÖ-]*")
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u", "æ": "a", "ø": "o"})


@cache
def _data() -> dict[str, frozenset[str]]:
    raw = load_yaml((Path(__file__).parent / "text.yaml").read_text(encoding="utf-8"))
    data = {k: frozenset(str(w).lower() for w in v) for k, v in raw.items()}
    data["stop_folded"] = frozenset(fold(w) for w in data["stop_sv"] | data["stop_en"])
    return data


class WordSet:
    """Listed words matched as typed: exactly, or without å/ä/ö when the typed word has none ("var" for "vår"
    typed on an English keyboard). A word typed with å/ä/ö matches only itself: "vår" (our) is not "var"
    (where). Build it once per list (it folds every word)."""

    __slots__ = ("_exact", "_folded")

    def __init__(self, listed: Iterable[object]) -> None:
        self._exact = frozenset(normalize(str(w)) for w in listed)
        self._folded = frozenset(fold(w) for w in self._exact)

    def __contains__(self, typed: object) -> bool:
        w = normalize(str(typed))
        return w in self._exact or (fold(w) == w and w in self._folded)


def normalize(text: str) -> str:
    """Lower-case NFC text with typographic quotes and dashes made plain."""
    t = unicodedata.normalize("NFC", text).lower()
    return t.replace("’", "'").replace("–", "-").replace("—", "-")


def words(text: str) -> list[str]:
    """The words of a text, lower-cased, without punctuation."""
    return _WORD.findall(normalize(text))


def fold(word: str) -> str:
    """å/ä/ö -> a/a/o, so that 'forsakring' typed on an English keyboard still matches."""
    return word.translate(_FOLD)


_SV = snowballstemmer.stemmer("swedish")
_EN = snowballstemmer.stemmer("english")
MAX_STEM = 48  # longer words are returned folded, not stemmed, and not cached
MAX_COMPOUND = 40  # longer words are not split into compound parts
CACHE_WORDS = 50_000  # per stemmer: at most CACHE_WORDS * MAX_STEM characters of keys


def stem_sv(word: str) -> str:
    """Swedish Snowball stem, folded (a word longer than MAX_STEM only folded)."""
    return _stem_sv(word) if len(word) <= MAX_STEM else fold(word)


def stem_en(word: str) -> str:
    """English Snowball stem (a word longer than MAX_STEM only folded)."""
    return _stem_en(word) if len(word) <= MAX_STEM else fold(word)


@lru_cache(maxsize=CACHE_WORDS)
def _stem_sv(word: str) -> str:
    # Snowball leaves the neuter definite "-et" on some words ("straffet", while "beslutet" -> "beslut"): taken
    # off here, so that "straffet" meets "straff"
    s = _SV.stemWord(word)
    if s == word and len(s) >= 6 and s.endswith("et") and s[-3] not in "aeiouyåäö":
        s = s[:-2]
    return fold(s)


@lru_cache(maxsize=CACHE_WORDS)
def _stem_en(word: str) -> str:
    return fold(_EN.stemWord(word))


def is_stop(word: str) -> bool:
    """A function word in Swedish or English that carries no topic."""
    d = _data()
    return word in d["stop_sv"] or word in d["stop_en"] or fold(word) in d["stop_folded"]


def is_hedge(word: str) -> bool:
    """A word people put inside a phrase without changing it ("luktar typ gas", "kind of broken")."""
    return word in _data()["hedge"]


def is_meta(word: str) -> bool:
    """A word about the documents themselves ('policy', 'koden', 'says'), not about the topic."""
    return word in _data()["meta"]


def content_words(text: str) -> list[str]:
    """The words of a text that carry topic: not stop words, not single letters."""
    return [w for w in words(text) if len(w) > 1 and not is_stop(w)]


def lang_scores(text: str) -> tuple[int, int]:
    """The evidence for Swedish and for English: function words, and å/ä/ö letters counting two."""
    t = normalize(text)
    ws = words(t)
    d = _data()
    sv = sum(1 for w in ws if w in d["cue_sv"]) + 2 * len(re.findall(r"[åäö]", t))
    en = sum(1 for w in ws if w in d["cue_en"])
    return sv, en


def detect_lang(text: str, default: str = "sv") -> str:
    """'sv' or 'en' from letters and function words; ties go to `default`."""
    sv, en = lang_scores(text)
    if sv == en:
        return default
    return "sv" if sv > en else "en"


def split_compound(word: str, vocab: frozenset[str] | set[str], min_part: int = 4) -> list[str]:
    """Split a Swedish compound into two known parts ('drogproblem' -> ['drog', 'problem']).

    Tries every split point, allowing the linking letters 's' and 'e'; a part counts as known when
    its folded stem is in `vocab`. Returns [] when no split leaves two known parts, and for words
    longer than MAX_COMPOUND (so the work per word is bounded).
    """
    if len(word) > MAX_COMPOUND:
        return []
    w = fold(word)
    best: list[str] = []
    for i in range(min_part, len(w) - min_part + 1):
        head, tail = w[:i], w[i:]
        heads = [head]
        if head.endswith(("s", "e")) and len(head) > min_part:
            heads.append(head[:-1])
        t = stem_sv(tail)
        if t not in vocab and tail not in vocab:
            continue
        for h in heads:
            if stem_sv(h) in vocab or h in vocab:
                cand = [stem_sv(h), t]
                if not best or min(len(x) for x in cand) > min(len(x) for x in best):
                    best = cand
    return best


def ngrams(text: str, n: int = 4) -> list[str]:
    """Character n-grams of each folded word padded with spaces: typo- and compound-tolerant."""
    out: list[str] = []
    for w in words(text):
        if is_stop(w):
            continue
        f = f" {fold(w)} "
        if len(f) <= n:
            out.append(f)
        else:
            out.extend(f[i : i + n] for i in range(len(f) - n + 1))
    return out


def unique(items: Iterable[str]) -> list[str]:
    """Items in first-seen order without repeats."""
    return list(dict.fromkeys(items))


def role_head_words() -> dict[str, frozenset[str]]:
    """Per role, the heading words (`text.yaml`: role_head_<role>) that mark a section written for it."""
    prefix = "role_head_"
    return {k.removeprefix(prefix): frozenset(map(fold, v)) for k, v in _data().items() if k.startswith(prefix)}


def role_lead_phrases() -> dict[str, tuple[str, ...]]:
    """Per role, the phrases (`text.yaml`: role_lead_<role>) by which a passage's first words address it,
    folded and padded for a whole-word test."""
    prefix = "role_lead_"
    out: dict[str, tuple[str, ...]] = {}
    for k, v in _data().items():
        if k.startswith(prefix):
            out[k.removeprefix(prefix)] = tuple(f" {fold(normalize(x))} " for x in v)
    return out


_LINK_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])?\s*\[[^\]]+\]\([^)]*\)")


def without_exclusions(text: str) -> str:
    """The text without what its sentences say a rule or channel is not for (`text.yaml` exclusion_cues): from
    the cue to the end of its sentence."""
    cues = _exclusion_cues()
    if not cues.search(text):
        return text
    return cues.sub(" ", text)


@cache
def _exclusion_cues() -> re.Pattern[str]:
    cues = sorted((str(c) for c in _data().get("exclusion_cues") or ()), key=len, reverse=True)
    if not cues:
        return re.compile(r"(?!x)x")
    alts = "|".join(r"\s+".join(map(re.escape, c.split())) for c in cues)
    return re.compile(rf"(?i)\b(?:{alts})\b[^.!?]*", re.S)


def is_frame(section: str) -> bool:
    """A section heading of the document's frame (`text.yaml` frame_sections: "Syfte", "Omfattning",
    "Historik"), not of a rule."""
    return " ".join(words(fold(section))) in _frames()


@cache
def _frames() -> frozenset[str]:
    return frozenset(" ".join(words(fold(str(w)))) for w in _data().get("frame_sections") or ())


def is_navigation(text: str) -> bool:
    """A passage that is mostly a list of links to other pages (a handbook's "in this section" or quick links),
    or one link alone: it points elsewhere and states nothing itself."""
    lines = [line for line in text.splitlines() if line.strip()]
    links = sum(1 for line in lines if _LINK_ITEM.match(line))
    if links == len(lines) == 1:  # one link and nothing else: "[För mer information, se RF:s sida.](http://…)"
        return not _LINK_ITEM.sub("", lines[0]).strip(" .")
    return links >= 2 and links * 2 >= len(lines)
