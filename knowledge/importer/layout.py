"""From extracted lines to paragraphs, list items and heading candidates.

Plain text and PDF lines are joined into paragraphs by their layout: a line that starts with a bullet
starts an item; a short first line above running text is a lead line (a heading or a greeting); a short
line that ends a sentence ends its paragraph; a block that goes on in lower case after a blank line (a
double-spaced export, a page break) continues the paragraph before it. Formats that state their
paragraphs (Word, HTML, Markdown) keep them as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.importer.furniture import OPEN_QUOTES, TERMINAL, Block, measure, title_like
from knowledge.importer.repairs import bullet_glued_to_end, join_lines, strip_bullet
from knowledge.importer.source import Line, Report
from knowledge.importer.words import Vocabulary

NUMBERED = re.compile(r"^\s*\d{1,2}(?:\.\d{1,2})*\.?\s+[A-ZÅÄÖ0-9\"”“]")
WRAP_SHORT = 0.7  # a line shorter than this share of the text width may end a paragraph
WRAP_FULL = 0.945  # across a blank line of a double-spaced export, a line this wide was wrapped
LEAD_SHORT = 0.85  # a title-like first line shorter than this share may stand above running text
HEAD_WORDS = 14


@dataclass(slots=True)
class Unit:
    """A paragraph, a list item or a heading candidate, with the line it starts on."""

    kind: str  # "para" | "item" | "head"
    text: str
    no: int
    lines: list[Line] = field(default_factory=list)
    level: int = 0  # for "head": 1 part, 2 section; a stated level before normalising
    cand: bool = False  # looks like a heading
    standalone: bool = False  # a block of its own
    brk: bool = False  # first unit after a page break or a wide gap
    page: bool = False  # first unit after page furniture (a page number, a running header)
    numbered: bool = False  # a heading made from a numbered question (its level follows the heading above)


def text_width(lines: list[Line]) -> int:
    """The width of the text column in characters: the 90th percentile of line lengths."""
    lengths = sorted(measure(ln.text) for ln in lines if not ln.blank)
    return round(lengths[int(len(lengths) * 0.9)]) if lengths else 80


def double_spaced(blocks: list[Block]) -> bool:
    """True when most blocks are single lines: blank lines then do not separate paragraphs."""
    live = [b for b in blocks if not b.removed]
    return bool(live) and sum(len(b.lines) == 1 for b in live) > 0.6 * len(live)


def names_in(lines: list[Line]) -> frozenset[str]:
    """Words the text capitalises inside sentences more often than not: names ('Västerås', 'HR')."""
    caps: dict[str, int] = {}
    low: dict[str, int] = {}
    for ln in lines:
        toks = re.findall(r"[\w]+|[.!?:]", ln.text)
        for k, t in enumerate(toks):
            if t.islower():
                low[t] = low.get(t, 0) + 1
            elif k > 0 and t[:1].isupper() and toks[k - 1] not in ".!?:":
                caps[t.lower()] = caps.get(t.lower(), 0) + 1
    return frozenset(w for w, n in caps.items() if n > low.get(w, 0))


Seg = tuple[list[Line], str, bool, bool, bool]  # lines, kind, standalone, brk, page break


def segments(blocks: list[Block], width: int, report: Report, names: frozenset[str] = frozenset()) -> list[Seg]:
    """Split blocks into segments: items at bullets, lead lines, sentence ends."""
    out: list[Seg] = []
    for b in blocks:
        if b.removed:
            continue
        segs: list[tuple[list[Line], str]] = []
        lines = b.lines
        lead = _lead(lines, width, names)
        for k, ln in enumerate(lines):
            glued = bullet_glued_to_end(ln, report)
            text, bullet = strip_bullet(ln.text)
            if bullet:
                ln.text = text
            starts_item = bullet or glued
            numbered = bool(NUMBERED.match(ln.text)) and k > 0
            split = k == lead or (k > 0 and _sentence_end(lines[k - 1], ln, width))
            if not segs or starts_item or numbered or split:
                segs.append(([ln], "item" if starts_item else ("lead" if k == 0 and lead else "para")))
            else:
                segs[-1][0].append(ln)
        for n, (ls, kind) in enumerate(segs):
            out.append((ls, kind, len(segs) == 1, b.brk and n == 0, b.page and n == 0))
    return out


def _lead(lines: list[Line], width: int, names: frozenset[str]) -> int:
    """How many first lines form a lead line above running text (0 when none): lines with no sentence
    end above a line that starts with a capital which is not a name (so a new sentence starts)."""
    for k in (1, 2):
        if len(lines) <= k:
            return 0
        head, rest = lines[:k], lines[k]
        if len(lines) == k + 1 and measure(rest.text) < WRAP_SHORT * width:
            return 0  # two short lines: one paragraph, not a lead line above running text
        if any(not ln.text.strip()[:1].islower() for ln in head[1:]):
            return 0
        tail = head[-1].text.rstrip()
        nxt = rest.text.strip().split(" ", 1)[0].strip(".,;:!?")
        wide = measure(tail) >= LEAD_SHORT * width
        if tail[-1:] in ".,;:" or not nxt[:1].isupper() or (wide and nxt.lower() in names):
            continue  # a sentence that goes on (to a name: "... som arbetar i / Västerås stad")
        first = head[0].text.strip()
        lead = " ".join(ln.text.strip() for ln in head)
        if (first[:1].isupper() or NUMBERED.match(first)) and len(lead.split()) <= HEAD_WORDS:
            return k
    return 0


def _sentence_end(prev: Line, ln: Line, width: int) -> bool:
    p = prev.text.rstrip()
    return (
        p[-1:] not in ",;:-" and measure(p) < WRAP_SHORT * width and not prev.wrapped and ln.text.strip()[:1].isupper()
    )


def units(blocks: list[Block], width: int, vocab: Vocabulary, report: Report) -> list[Unit]:
    """Paragraphs, items and heading candidates of layout text, with continuations joined."""
    spaced = double_spaced(blocks)
    names = names_in([ln for b in blocks if not b.removed for ln in b.lines])
    merged: list[Seg] = []
    for ls, kind, alone, brk, page in segments(blocks, width, report, names):
        if merged and kind != "item" and _continues(merged[-1], ls, width, spaced):
            prev = merged[-1]
            merged[-1] = (prev[0] + ls, prev[1], prev[2] and alone, prev[3], prev[4])
            continue
        merged.append((ls, kind, alone, brk, page))
    out: list[Unit] = []
    for ls, kind, alone, brk, page in merged:
        text = join_lines(ls, vocab, report)
        if not text:
            continue
        u = Unit("item" if kind == "item" else "para", text, ls[0].no, ls, standalone=alone, brk=brk, page=page)
        u.level = min((ln.level for ln in ls if ln.level), default=0)
        u.cand = kind != "item" and _candidate(u, kind == "lead", width)
        out.append(u)
    return out


def _continues(prev: Seg, ls: list[Line], width: int, spaced: bool) -> bool:
    last = prev[0][-1].text.rstrip()
    first = ls[0].text.strip()
    if not last or not first or ls[0].level or prev[0][-1].level:
        return False
    if first[0].islower() and last[-1] not in ".!?:":
        return True
    if spaced and last[-1] not in ":" and not NUMBERED.match(first) and prev[1] != "lead":
        word = first.split(" ", 1)[0]
        wide = measure(last) >= WRAP_FULL * width and measure(last + " " + word) > width
        return wide and first[0] not in OPEN_QUOTES
    return False


def _candidate(u: Unit, lead: bool, width: int) -> bool:
    if u.level:
        return True
    t = u.text.strip()
    if not t or not (t[0].isupper() or t[0].isdigit() or t[0] in OPEN_QUOTES):
        return False
    if t[0] in OPEN_QUOTES:
        return False
    if NUMBERED.match(t) and title_like(t.rstrip("?!"), width):
        return True
    if not (u.standalone or lead) or len(t.split()) > HEAD_WORDS:
        return False
    if t[-1] in "!?":
        return u.standalone
    return t[-1] not in TERMINAL


def fits_heading(u: Unit, width: int) -> bool:
    """A candidate short enough to be a heading without a table of contents saying so."""
    return title_like(u.text.rstrip("!?"), width)


def structured_units(lines: list[Line], vocab: Vocabulary, report: Report, typed: bool = False) -> list[Unit]:
    """Units of a format that states its paragraphs: one per line, headings at their stated level; `typed`:
    a source written by hand (its spaces are the author's, see `repair_line`)."""
    out: list[Unit] = []
    for ln in lines:
        if ln.blank:
            continue
        text = join_lines([ln], vocab, report, typed)
        if not text:
            continue
        if ln.level:
            out.append(Unit("head", text, ln.no, [ln], level=ln.level, cand=True, standalone=True))
        else:
            out.append(Unit("item" if ln.item else "para", text, ln.no, [ln], standalone=True))
    for i, u in enumerate(out):  # a numbered question standing alone before its answer: a heading
        prev_item = i > 0 and out[i - 1].kind == "item"
        next_item = i + 1 < len(out) and out[i + 1].kind == "item"
        nxt = out[i + 1] if i + 1 < len(out) else None
        if u.kind == "item" and NUMBERED.match(u.text) and not prev_item and not next_item and nxt:
            if nxt.kind == "para" and words_in(u.text) <= 30:
                above = [o.level for o in out[:i] if o.kind == "head" and not o.numbered]
                u.kind, u.cand, u.level, u.numbered = "head", True, (above[-1] if above else 1) + 1, True
    return out


def words_in(text: str) -> int:
    return len(text.split())
