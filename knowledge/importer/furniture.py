"""Page furniture in extracted text: page numbers, running headers, tables of contents, pull quotes and
lone value words between sections. All of it is removed (and reported); a table of contents is kept
aside because its entries say which lines are headings and at what level.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from knowledge.importer.source import Line, Report

PAGE_NUMBER = re.compile(
    r"^\s*(?:[-–—]\s*)?(?:sida\s+|s\.\s*|page\s+)?\d{1,3}(?:\s*(?:av|/|of)\s*\d{1,3})?(?:\s*[-–—])?\s*$", re.I
)
OPEN_QUOTES = '”“"«„»'
TERMINAL = ".!?:;,"
_TOC_TRAIL = re.compile(r"[\s.·…_]*\d{1,3}\s*$")
_CAPS_WORD = re.compile(r"^[A-ZÅÄÖÆØÉÜ]{3,}$")


@dataclass(slots=True)
class Block:
    """Lines between blank lines; `brk` when page furniture or a wide gap stood right before it."""

    lines: list[Line]
    gap: int = 0
    brk: bool = False
    removed: bool = False
    page: bool = False  # page furniture (a page number, a running header, ...) stood right before it

    @property
    def text(self) -> str:
        return " ".join(ln.text.strip() for ln in self.lines)

    @property
    def no(self) -> int:
        return self.lines[0].no


@dataclass(slots=True)
class Toc:
    """A table of contents found in the text: entries as (level, normalised text)."""

    entries: list[tuple[int, str]] = field(default_factory=list)

    def level(self, text: str) -> int:
        key = norm(text)
        for lvl, t in self.entries:
            if t == key:
                return lvl
        return 0


def norm(text: str) -> str:
    """Text compared case- and space-insensitively, without quotes or a trailing page number."""
    t = _TOC_TRAIL.sub("", text) if re.search(r"\D", text) else text
    return " ".join(t.strip(OPEN_QUOTES + " ").casefold().split())


def words(text: str) -> int:
    return len(text.split())


def _glyph_widths() -> dict[str, int]:
    try:
        from pdfminer.fontmetrics import FONT_METRICS
    except ImportError:
        return {}
    return dict(FONT_METRICS["Helvetica"][1])


_WIDTHS = _glyph_widths()


def measure(text: str) -> float:
    """How wide a text prints, in average characters (Helvetica's glyph widths; 1 per char without them).

    Character counts mislead in proportional type: 'illi' is narrower than 'WOMB'. Whether a line was
    wrapped (and so goes on) depends on how wide it printed."""
    t = text.strip()
    if not _WIDTHS:
        return float(len(t))
    return sum(_WIDTHS.get(c, 556) for c in t) / 500.0


def is_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def title_like(text: str, width: int) -> bool:
    """Short, no sentence punctuation at the end: what a heading or a table-of-contents entry looks like."""
    t = _TOC_TRAIL.sub("", text.strip()) or text.strip()
    return bool(t) and words(t) <= 10 and measure(t) <= max(40, width * 0.8) and t[-1] not in TERMINAL


def to_blocks(lines: list[Line]) -> list[Block]:
    """Blocks of consecutive non-blank lines; a line that starts a new text frame starts a new block
    (an indented capitalised line, an opening quote, a line in capitals after one that is not)."""
    blocks: list[Block] = []
    gap = 0
    cur: list[Line] = []
    for ln in lines:
        if ln.blank:
            if cur:
                blocks.append(Block(cur, gap))
                cur, gap = [], 0
            gap += 1
            continue
        if cur and _frame_start(cur[-1], ln):
            blocks.append(Block(cur, gap))
            cur, gap = [], 0
        cur.append(ln)
    if cur:
        blocks.append(Block(cur, gap))
    for k, b in enumerate(blocks):
        b.page = k > 0 and b.lines[0].page != blocks[k - 1].lines[-1].page
        b.brk = b.gap >= 2 or b.page
    return blocks


def _frame_start(prev: Line, ln: Line) -> bool:
    s = ln.text.lstrip()
    if ln.level != prev.level or ln.page != prev.page:
        return True
    if not s:
        return False
    if ln.text[:1].isspace() and (s[0].isupper() or s[0].isdigit()):
        return True
    if s[0] in OPEN_QUOTES:
        return True
    return is_caps(s) != is_caps(prev.text)


def remove_page_numbers(blocks: list[Block], report: Report) -> None:
    """Blocks that hold nothing but a page number ('3', '- 3 -', 'Sida 3 av 10')."""
    for i, b in enumerate(blocks):
        if len(b.lines) == 1 and PAGE_NUMBER.match(b.lines[0].text):
            _remove(blocks, i, report, "page number removed")


def find_toc(blocks: list[Block], width: int, report: Report) -> Toc:
    """A run of title-like blocks (within one page) most of whose entries come back later as headings."""
    starts = [norm(b.lines[0].text) for b in blocks]
    heads = [norm(" ".join(ln.text for ln in b.lines[:2])) for b in blocks]
    i = 0
    while i < len(blocks):
        j = i
        while j < len(blocks) and _toc_like(blocks[j], width) and (j == i or not blocks[j].brk):
            j += 1
        if j - i >= 3:
            entries = _entries(blocks[i:j])
            later = set(starts[j:]) | set(heads[j:])
            found = [e for e in entries if e[1] in later]
            if len(found) >= 3 and len(found) * 2 >= len(entries):
                for k in range(i, j):
                    if not blocks[k].removed:
                        _remove(blocks, k, report, "table of contents removed")
                return Toc(entries)
        i = max(j, i + 1)
    return Toc()


def _toc_like(b: Block, width: int) -> bool:
    if b.removed:
        return False
    if b.lines[0].text.lstrip()[:1] in OPEN_QUOTES:
        return False
    return all(title_like(ln.text, width) for ln in b.lines)


def _entries(blocks: list[Block]) -> list[tuple[int, str]]:
    raw: list[tuple[int, str]] = []
    for b in blocks:
        for ln in b.lines:
            s = ln.text.strip()
            indent = len(ln.text) - len(ln.text.lstrip())
            if raw and s[:1].islower():
                raw[-1] = (raw[-1][0], raw[-1][1] + " " + s)
            else:
                raw.append((indent, s))
    indents = sorted({ind for ind, _ in raw})
    return [(1 if len(indents) > 1 and ind == indents[0] else 2, norm(t)) for ind, t in raw]


def remove_running_headers(blocks: list[Block], report: Report) -> None:
    """A short line that starts page after page (three times, or twice in capitals): all but the first."""
    counts: Counter[str] = Counter()
    at_top: Counter[str] = Counter()  # occurrences right after a page break or a wide gap
    for b in blocks:
        if not b.removed:
            counts[b.lines[0].text.strip()] += 1
            at_top[b.lines[0].text.strip()] += b.brk
    seen: set[str] = set()
    for i, b in enumerate(blocks):
        if b.removed:
            continue
        t = b.lines[0].text.strip()
        n = counts[t]
        paged = n >= 3 and at_top[t] * 2 >= n  # a repeated label in the text is no running header
        if len(b.lines) == 1 and words(t) <= 10 and t[-1] not in TERMINAL and (paged or (n >= 2 and is_caps(t))):
            if t in seen:
                _remove(blocks, i, report, "running header removed")
            seen.add(t)


def remove_value_words(blocks: list[Block], toc: Toc, report: Report) -> None:
    """Single words in capitals standing between sections (ÖPPENHET, RESPEKT): decoration, not text."""
    lone = [
        all(_CAPS_WORD.match(ln.text.strip()) for ln in b.lines) and not toc.level(b.text) and not b.removed
        for b in blocks
    ]
    counts = Counter(ln.text.strip() for b, ok in zip(blocks, lone, strict=True) if ok for ln in b.lines)
    live = [i for i, b in enumerate(blocks) if not b.removed]
    for pos, i in enumerate(live):
        if not lone[i]:
            continue
        neighbour = any(0 <= p < len(live) and lone[live[p]] for p in (pos - 1, pos + 1))
        many = len(blocks[i].lines) > 1 or any(counts[ln.text.strip()] > 1 for ln in blocks[i].lines)
        if neighbour or many:
            _remove(blocks, i, report, "lone value word removed")


def remove_pull_quotes(blocks: list[Block], width: int, report: Report) -> list[int]:
    """A short quotation that opens and is never closed, standing alone: a pull quote, removed.

    One that closes (a motto) is kept; the indices of such blocks are returned as heading candidates."""
    mottos: list[int] = []
    quoted = [not b.removed and b.lines[0].text.lstrip()[:1] in OPEN_QUOTES for b in blocks]
    body = " ".join(" ".join(b.text for b, q in zip(blocks, quoted, strict=True) if not q and not b.removed).split())
    body = body.casefold()
    for i, b in enumerate(blocks):
        if b.removed or b.lines[0].text.lstrip()[:1] not in OPEN_QUOTES:
            continue
        group = [i]
        k = i + 1
        while k < len(blocks) and not blocks[k].removed and blocks[k].lines[0].text.lstrip()[:1].islower():
            if blocks[group[-1]].text.rstrip()[-1:] in ".!?":
                break
            group.append(k)
            k += 1
        text = " ".join(blocks[g].text for g in group)
        if words(text) > 25:
            continue
        quotes = sum(text.count(q) for q in OPEN_QUOTES)
        if quotes >= 2 and text.rstrip()[-1:] in OPEN_QUOTES:
            for g in group[1:]:
                blocks[i].lines.extend(blocks[g].lines)
                blocks[g].removed = True
            first, last = blocks[i].lines[0], blocks[i].lines[-1]
            first.text = first.text.lstrip().lstrip(OPEN_QUOTES)
            last.text = last.text.rstrip().rstrip(OPEN_QUOTES)
            report.add(first.no, "quotation marks of a motto dropped", text, blocks[i].text)
            mottos.append(i)
            continue
        inner = " ".join(text.strip(OPEN_QUOTES + " ").split()).casefold()
        repeat = " (it repeats the body text)" if inner and inner in body else ""
        for g in group:
            _remove(blocks, g, report, f"pull quote removed{repeat}")
    return mottos


def _remove(blocks: list[Block], i: int, report: Report, kind: str) -> None:
    blocks[i].removed = True
    report.add(blocks[i].no, kind, blocks[i].text)
    for k in range(i + 1, len(blocks)):
        if not blocks[k].removed:
            blocks[k].brk = blocks[k].page = True
            break
