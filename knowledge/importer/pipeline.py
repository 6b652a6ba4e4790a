"""One document from its `Source` to a `Draft`: furniture removed, paragraphs joined, words repaired,
sections resolved, title and date found. No per-document code: the same steps for every file."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.importer import furniture as fx
from knowledge.importer.layout import Unit, structured_units, text_width, units
from knowledge.importer.source import Report, Source
from knowledge.importer.structure import lists_from_runs, move_orphans, recase, resolve, title_of
from knowledge.importer.words import Vocabulary

_ISO_DATE = re.compile(r"\b(20\d\d|19\d\d)-(0[1-9]|1[0-2])-([0-2]\d|3[01])\b")
_MONTHS = "januari februari mars april maj juni juli augusti september oktober november december".split()
_SV_DATE = re.compile(rf"\b([0-3]?\d)\s+({'|'.join(_MONTHS)})\s+((?:19|20)\d\d)\b", re.I)
FIRST_PAGE_LINES = 60


@dataclass(slots=True)
class Draft:
    """What the writer needs: title, date and the units in order."""

    title: str
    date: str
    units: list[Unit]
    report: Report = field(default_factory=Report)


TYPED = ("markdown", "latex")  # formats people write by hand: no split words to repair


def build(source: Source, vocab: Vocabulary) -> Draft:
    """Run every step on one document."""
    report = Report()
    for no, kind, text in source.removed:
        report.add(no, kind, text)
    for ln in source.lines:
        vocab.add(ln.text)
    if source.structured:
        us = structured_units(source.lines, vocab, report, typed=source.kind in TYPED)
        resolve(us, fx.Toc(), 0, stated=True)
    else:
        us = _layout(source, vocab, report)
    lists_from_runs(us, report)
    recase(us, report)
    title, title_only = title_of(us)
    if title_only:
        first = next(u for u in us if u.kind == "head")
        us.remove(first)
    elif title:
        heads = [u for u in us if u.kind == "head"]
        if sum(u.level == heads[0].level for u in heads) > 1:
            title = ""  # the first of several sections ("Syfte", "Bakgrund"), not the document's name
    return Draft(source.title or title, find_date(source) or source.date, us, report)


def _layout(source: Source, vocab: Vocabulary, report: Report) -> list[Unit]:
    width = text_width(source.lines)
    blocks = fx.to_blocks(source.lines)
    fx.remove_page_numbers(blocks, report)
    toc = fx.find_toc(blocks, width, report)
    toc_line = next((b.no for b in blocks if b.removed and toc.entries), 0)
    toc_line = min((c.line for c in report.changes if c.kind == "table of contents removed"), default=toc_line)
    fx.remove_value_words(blocks, toc, report)
    fx.remove_running_headers(blocks, report)
    fx.remove_pull_quotes(blocks, width, report)
    us = units(blocks, width, vocab, report)
    resolve(us, toc, toc_line, stated=False, width=width)
    return move_orphans(us, report)


def find_date(source: Source) -> str:
    """The first date on the document's first page (ISO or '5 maj 2021'), as YYYY-MM-DD (the file's
    own date from its properties is the fallback)."""
    text = "\n".join(ln.text for ln in source.lines[:FIRST_PAGE_LINES])
    m = _ISO_DATE.search(text)
    if m:
        return m.group(0)
    s = _SV_DATE.search(text)
    if s:
        return f"{s.group(3)}-{_MONTHS.index(s.group(2).lower()) + 1:02d}-{int(s.group(1)):02d}"
    return ""
