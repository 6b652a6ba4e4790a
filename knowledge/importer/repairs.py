"""Repairs of PDF-export damage that keep the wording verbatim: split words, hyphenated line ends, broken
addresses, bullets glued to line ends, acronym compounds written without their hyphen.

Each repair is recorded in the `Report` with the line it was made on, so `--check` can show it.
"""

from __future__ import annotations

import math
import re

from knowledge.importer.source import Line, Report
from knowledge.importer.words import Vocabulary

BULLETS = "•●▪◦‣∙·○■□➢►–"
BULLET_START = re.compile(rf"^\s*(?:[{BULLETS}]|[-*](?=\s))\s*")
BULLET_END = re.compile(rf"\s*[{BULLETS}]\s*$")
_WORD_HEAD = re.compile(r"^([A-Za-zÀ-ÖØ-öø-ÿ]{2,})[.,;:!?)]*$")
_ACRONYM = re.compile(r"\b([A-ZÅÄÖ]{2,5})([a-zåäö]{3,})\b")
_HYPHEN_KEEP_BEFORE = frozenset({"och", "eller", "samt", "respektive", "resp", "som", "till", "and", "or"})
_URLISH = re.compile(r"(?:https?://|www\.|\w\.(?:se|nu|com|org|net|eu)\b)", re.I)


def bullet_glued_to_end(line: Line, report: Report) -> bool:
    """'...med de •' : a bullet the export put at the line's end starts this line's item. Strips it."""
    m = BULLET_END.search(line.text)
    if not m or not line.text[: m.start()].strip():
        return False
    report.add(line.no, "bullet moved from line end to item start", line.text, line.text[: m.start()])
    line.text = line.text[: m.start()]
    return True


def strip_bullet(text: str) -> tuple[str, bool]:
    """'• Är det lagligt?' -> ('Är det lagligt?', True)."""
    m = BULLET_START.match(text)
    if m and text[m.end() :].strip():
        return text[m.end() :], True
    return text, False


def repair_line(text: str, no: int, vocab: Vocabulary, report: Report, typed: bool = False) -> str:
    """Within one line: collapse runs of spaces, join words split by a space, hyphenate 'HRfrågor'. In a
    `typed` source (Markdown, LaTeX: written by hand, not extracted) a space is the author's: no join."""
    text = re.sub(r"[ \t\u00a0]+", " ", text).strip()

    toks = text.split(" ")
    out: list[str] = []
    for tok in toks:
        if out and not typed:
            a = out[-1]
            m = _WORD_HEAD.match(tok)
            if a.isalpha() and m and m.group(1) and vocab.should_join(a, m.group(1)):
                report.add(no, "joined word split by a space", f"{a} {m.group(1)}", a + m.group(1))
                out[-1] = a + tok
                continue
        out.append(tok)
    text = " ".join(out)

    def acronym(m: re.Match[str]) -> str:
        if vocab.is_word(m.group(2)) and vocab.logf(m.group(0), own=False) == -math.inf:
            report.add(no, "hyphen added after an abbreviation", m.group(0), f"{m.group(1)}-{m.group(2)}")
            return f"{m.group(1)}-{m.group(2)}"
        return m.group(0)

    return _ACRONYM.sub(acronym, text)


def join_lines(lines: list[Line], vocab: Vocabulary, report: Report, typed: bool = False) -> str:
    """The text of lines that form one paragraph, with words split at line ends put back together."""
    out = ""
    for ln in lines:
        text = repair_line(ln.text, ln.no, vocab, report, typed)
        if not text:
            continue
        out = text if not out else _join_two(out, text, ln.no, vocab, report)
    return out


def _join_two(a: str, b: str, no: int, vocab: Vocabulary, report: Report) -> str:
    last = a.rsplit(" ", 1)[-1]
    first = b.split(" ", 1)[0]
    word_b = re.match(r"[A-Za-zÀ-ÖØ-öø-ÿ]+", first)
    if re.search(r"[A-Za-zÀ-ÖØ-öø-ÿ]-$", a) and not a.endswith(" -"):
        stem = last[:-1]
        if word_b and word_b.group(0).lower() in _HYPHEN_KEEP_BEFORE:
            return f"{a} {b}"  # "personal- och lönefrågor"
        if stem.isupper() or not (word_b and first[0].islower()):
            return a + b  # "HR-frågor", "Nord-Korea"
        report.add(no - 1, "hyphenated line end joined", f"{last}{first}", stem + first)
        return a[:-1] + b
    if last.endswith("/") and _URLISH.search(last):
        report.add(no - 1, "web address split at a line end joined", f"{last} {first}", last + first)
        return a + b
    m_last = re.search(r"([A-Za-zÀ-ÖØ-öø-ÿ]+)$", a)
    if m_last and word_b and vocab.should_join(m_last.group(1), word_b.group(0)):
        report.add(no - 1, "joined word split across lines", f"{m_last.group(1)} {first}", m_last.group(1) + first)
        return a + b
    return f"{a} {b}"
