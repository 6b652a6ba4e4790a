"""Swedish words, to tell a word that a PDF export split ("värde grunden") from two words that belong apart.

Evidence comes from a Swedish word-frequency table (the `wordfreq` package, offline) and from the
organisation's own vocabulary (every word of the document being imported and of the organisation's
corpus files). Two parts are joined only when the joined word is Swedish and more likely than the
phrase: `log f(ab) > log f(a) + log f(b) + PHRASE_BONUS` (adjacent words co-occur far more often than
chance, hence the bonus). A compound the table lacks ("verksamhetsnära") counts as a word when its
first part is a bound form that hardly stands alone ("verksamhets") and its last part is a word that
is not a function word ("och" in "utvecklings och förändringskraft" is not joined).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+")
PHRASE_BONUS = 2.0  # log10: how much more often than chance two words stand next to each other
DOC_WORD_LOGF = -6.5  # a word the organisation itself writes counts as at least this frequent
COMPOUND_LOGF = -8.0  # a compound built from a bound first part and a word
BOUND_MAX_ZIPF = 3.5  # a first part rarer than this as a word of its own is a bound form ("arbets")
FUNCTION_MIN_ZIPF = 6.0  # words this frequent ("och", "att", "med") are never the last part of a compound
MIN_PART = 2


def _wordfreq():  # type: ignore[no-untyped-def]
    try:
        import wordfreq
    except ImportError:  # the optional extra is missing: only the organisation's own words count
        return None
    return wordfreq


class Vocabulary:
    """Word evidence for joining: the frequency table plus the organisation's own words."""

    def __init__(self, texts: Iterable[str] = (), lang: str = "sv") -> None:
        self.lang = lang
        self.own: Counter[str] = Counter()
        for t in texts:
            self.add(t)
        self._wf = _wordfreq()
        self._freq = lru_cache(maxsize=None)(self._lookup)

    def add(self, text: str) -> None:
        """Count the words of a text as the organisation's own."""
        self.own.update(w.lower() for w in WORD.findall(text))

    @property
    def has_table(self) -> bool:
        return self._wf is not None

    def _lookup(self, word: str) -> float:
        if self._wf is None:
            return 0.0
        return float(self._wf.word_frequency(word, self.lang))

    def logf(self, word: str, own: bool = True) -> float:
        """log10 frequency of a word (the table, and with `own` the organisation's words); -inf if unknown."""
        w = word.lower()
        f = self._freq(w)
        best = math.log10(f) if f > 0 else -math.inf
        if own and self.own.get(w, 0) > 0:
            best = max(best, DOC_WORD_LOGF)
        return best

    def zipf(self, word: str, own: bool = False) -> float:
        lf = self.logf(word, own)
        return lf + 9 if lf > -math.inf else 0.0

    def compound_logf(self, a: str, b: str) -> float:
        """log10 frequency of `ab` as a word: known, or a compound of a bound first part and a content word."""
        known = self.logf(a + b)
        if known > -math.inf:
            return known
        if len(b) >= 3 and self.bound(a):
            zb = self.zipf(b, own=True)
            if 0 < zb < FUNCTION_MIN_ZIPF:
                return COMPOUND_LOGF
        return -math.inf

    def bound(self, a: str) -> bool:
        """A compound's first part that hardly stands alone: 'arbets' (arbete), 'framgångs' (framgång),
        'visselblåsar' (visselblåsare). A definite genitive ('verksamhetens') is a word of its own."""
        a = a.lower()
        if len(a) < 3 or self.zipf(a) >= BOUND_MAX_ZIPF:
            return False
        if self.zipf(a + "e") >= 3.0:
            return True  # visselblåsar(e)
        if not a.endswith("s"):
            return False
        stem = a[:-1]
        if stem.endswith("e"):
            return False  # invånare-s: a genitive; a compound drops the e ("arbete" -> "arbets")
        if self.zipf(stem + "e") >= 3.0:
            return True  # arbet(e)-s, samhäll(e)-s
        if stem.endswith("na"):
            return False  # medarbetar-na-s: a definite plural
        if stem.endswith(("en", "et")) and self.zipf(stem[:-2]) >= 2.0:
            return False  # verksamhet-en-s: the definite form, not a compound's first part
        if stem.endswith(("n", "t")) and stem[:-1].endswith("e") and self.zipf(stem[:-1]) >= 2.0:
            return False  # styrelse-n-s
        return self.zipf(stem) >= 3.0

    def is_word(self, word: str) -> bool:
        """True for a word of the table or of the organisation's own text."""
        return self.logf(word) > -math.inf

    def should_join(self, a: str, b: str) -> bool:
        """True when `a b` is one word split apart, not two words."""
        if len(a) < MIN_PART or len(b) < MIN_PART or not (a.isalpha() and b.isalpha()):
            return False
        if not (b[0].islower() or (a.isupper() and b.isupper())):
            return False
        if a[0].isupper() and not a.isupper() and a[1:].islower() and self.zipf(a) >= BOUND_MAX_ZIPF:
            # a capitalised word that stands alone (a name, a sentence start): "Västerås stad"
            if self.logf(a + b) == -math.inf:
                return False
        joined = self.compound_logf(a, b)
        if joined == -math.inf:
            return False
        # the parts count by the table alone: a split word's halves must not vouch for themselves
        la, lb = self.logf(a, own=False), self.logf(b, own=False)
        if la == -math.inf or lb == -math.inf:
            return True  # a part that is no word at all: the export broke a word
        return joined > la + lb + PHRASE_BONUS
