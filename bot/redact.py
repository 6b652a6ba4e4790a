"""Reducing a question before it is kept for HR: what could identify a person or a case goes first.

A question the bot could not answer helps HR improve the documents, but the words people type often
carry names ("chefen Bengt på parkförvaltningen"), numbers, addresses and, now and then, a case code or
a passphrase. `redact` replaces those with neutral placeholders before anything is stored:

- e-mail addresses, web addresses, phone numbers, personal identity numbers and every word with a digit;
- case codes (VB-XXXX-XXXX) and anything shaped like a passphrase (groups of letters and digits, or
  three or more words joined by hyphens or dots);
- proper nouns: a capitalised word inside a sentence, and a capitalised word at the start of one that
  is not a known word of the documents or of ordinary Swedish and English function words;
- words in capitals that are not known abbreviations.

`theme_key` reduces a redacted question to the set of its content stems, so that similar questions can
be grouped into themes and counted without keeping anyone's wording.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from knowledge.text import content_words, is_stop, normalize, stem_sv

PLACEHOLDER = "[…]"
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
_CODE = re.compile(r"\bVB-[A-Z0-9]{4}-[A-Z0-9]{4}\b", re.I)
# a passphrase as the bot makes them (five groups of five), or anything of that shape typed loosely
_PASSPHRASE = re.compile(r"\b[a-z0-9]{4,6}(?:[- ][a-z0-9]{4,6}){3,5}\b", re.I)
# words joined by hyphens or dots, three or more ("granit-svala-molnig"): a passphrase of another kind
_WORD_CHAIN = re.compile(r"(?<![\w.-])[^\W_]{2,12}(?:[-.][^\W_]{2,12}){2,}(?![\w-])")
_DIGITS = re.compile(r"[+(]?\d[\d\s().\-/]{4,}\d")  # phone numbers, personal identity numbers, amounts
_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:;\n]\s*$")
_KNOWN_CAPS = frozenset({"hr", "it", "ok", "vd", "sms", "pdf", "ab"})


def _looks_random(token: str) -> bool:
    """True for a token mixing letters and digits, as codes and passphrases do."""
    return any(ch.isdigit() for ch in token)


def redact(text: str, known: Callable[[str], bool] | None = None) -> str:
    """The text with names, numbers, addresses, codes and passphrases replaced by a placeholder.

    `known(word)` says whether a lower-cased word is an ordinary word (of the documents' vocabulary);
    it decides whether a capitalised word at the start of a sentence is kept.
    """
    t = _EMAIL.sub(PLACEHOLDER, text)
    t = _URL.sub(PLACEHOLDER, t)
    t = _CODE.sub(PLACEHOLDER, t)
    t = _PASSPHRASE.sub(lambda m: PLACEHOLDER if _looks_random(m.group(0)) else m.group(0), t)
    t = _WORD_CHAIN.sub(PLACEHOLDER, t)
    t = _DIGITS.sub(PLACEHOLDER, t)
    out: list[str] = []
    pos = 0
    for m in _TOKEN.finditer(t):
        word = m.group(0)
        before = t[: m.start()]
        out.append(t[pos : m.start()])
        pos = m.end()
        out.append(PLACEHOLDER if _sensitive(word, before, known) else word)
    out.append(t[pos:])
    return _collapse("".join(out))


def _sensitive(word: str, before: str, known: Callable[[str], bool] | None) -> bool:
    if any(ch.isdigit() for ch in word):
        return True
    if not word[:1].isupper():
        return False
    low = normalize(word)
    if word.isupper() and len(word) > 1:
        return low not in _KNOWN_CAPS
    start = not before.strip() or bool(_SENTENCE_END.search(before))
    if not start:
        return True  # a capitalised word inside a sentence: a name, a place, a company
    return not (is_stop(low) or (known is not None and known(low)))


def _collapse(text: str) -> str:
    """One placeholder for a run of them, and tidy spaces."""
    t = re.sub(rf"(?:{re.escape(PLACEHOLDER)}[\s,]*){{2,}}", PLACEHOLDER + " ", text)
    return " ".join(t.split())


def theme_key(redacted: str) -> str:
    """The content stems of a redacted question, sorted: similar questions share most of them."""
    stems = sorted({stem_sv(w) for w in content_words(redacted.replace(PLACEHOLDER, " ")) if len(w) > 2})
    return " ".join(stems)


def similar(a: str, b: str, threshold: float = 0.5) -> bool:
    """True when two theme keys share at least `threshold` of their stems (Jaccard)."""
    sa, sb = set(a.split()), set(b.split())
    if not sa or not sb:
        return False
    return len(sa & sb) / len(sa | sb) >= threshold
