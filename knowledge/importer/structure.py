"""Sections from the document's own structure: which candidates are headings, at what level, and the title.

Stated levels (Word heading styles, HTML headings, Markdown, PDF font sizes) come first; a table of
contents decides for layout text; otherwise a heading candidate is a section, and one that stands right
above another heading groups the sections below it. A heading the PDF put after its page's text (a
sidebar title) moves to the top of its page. Headings in capitals are written in sentence case, with
the capitals the document itself uses for names ("Västerås").
"""

from __future__ import annotations

import re
from collections import Counter

from knowledge.importer.furniture import TERMINAL, Toc, is_caps, norm
from knowledge.importer.layout import Unit, fits_heading
from knowledge.importer.source import Report

_TOKEN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+|[.!?]")


def resolve(units: list[Unit], toc: Toc, toc_line: int, stated: bool, width: int = 80) -> None:
    """Turn candidates into headings (kind "head", level 1 or 2) or leave them paragraphs."""
    levels = stated or any(u.level for u in units)
    for u in units:
        if not u.cand:
            continue
        if levels and u.level:
            u.kind = "head"
        elif levels:
            u.cand = False
        elif toc.entries:
            lvl = toc.level(u.text)
            if lvl:
                u.kind, u.level = "head", lvl
            elif u.no < toc_line and u.standalone and not u.text.endswith(("!", "?")) and fits_heading(u, width):
                u.kind, u.level = "head", 2
            else:
                u.cand = False
        elif fits_heading(u, width):
            u.kind, u.level = "head", 2
        else:
            u.cand = False
    if levels:
        _normalise(units)
    elif not toc.entries:
        for i, u in enumerate(units[:-1]):
            nxt = units[i + 1]
            if u.kind == "head" and nxt.kind == "head" and i > 0 and u.standalone:
                u.level = 1


def _normalise(units: list[Unit]) -> None:
    """Stated levels mapped to the corpus: the two shallowest become parts and sections, deeper ones
    stay as their section's own lines."""
    heads = [u for u in units if u.kind == "head"]
    if not heads:
        return
    first = units.index(heads[0])
    title_only = first == 0 and len(units) > 1 and units[1].kind == "head"
    rest = heads[1:] if title_only else heads
    distinct = sorted({h.level for h in rest})
    mapping = {lvl: (1 if len(distinct) > 1 else 2) if n == 0 else 2 for n, lvl in enumerate(distinct[:2])}
    for h in rest:
        if h.level in mapping:
            h.level = mapping[h.level]
        else:
            h.kind, h.cand = "para", False
    if title_only:
        heads[0].level = 0


def title_of(units: list[Unit]) -> tuple[str, bool]:
    """The first heading as the title; True when it heads nothing but other headings (so it is the
    document's title, not a section). A part heading (level 1) stays a heading."""
    for i, u in enumerate(units):
        if u.kind == "head":
            above_heading = i == 0 and i + 1 < len(units) and units[i + 1].kind == "head" and u.level != 1
            return u.text, u.level == 0 or above_heading
        if u.kind == "para":
            return "", False
    return "", False


def move_orphans(units: list[Unit], report: Report) -> list[Unit]:
    """A page whose heading the export put after its text: the heading goes back to the page's top."""
    frames: list[list[Unit]] = []
    for u in units:
        if not frames or u.brk:
            frames.append([])
        frames[-1].append(u)
    out: list[Unit] = []
    for n, fr in enumerate(frames):
        last = fr[-1]
        body = [u for u in fr[:-1] if u.kind != "head"]
        page_end = n + 1 == len(frames) or frames[n + 1][0].page
        if len(fr) > 1 and last.kind == "head" and fr[0].kind != "head" and len(body) == len(fr) - 1 and page_end:
            report.add(last.no, "heading printed after its page's text moved to the page's top", last.text)
            last.brk, fr[0].brk = fr[0].brk, False
            fr = [last, *fr[:-1]]
        out.extend(fr)
    return out


def lists_from_runs(units: list[Unit], report: Report) -> None:
    """Three or more short lines in a row with no sentence punctuation: the items of a list."""
    i = 0
    while i < len(units):
        j = i
        while j < len(units) and _list_line(units[j]):
            j += 1
        if j - i >= 3 and not (i > 0 and units[i - 1].kind == "item"):
            for u in units[i:j]:
                u.kind = "item"
            report.add(units[i].no, "short lines kept as a list", " | ".join(u.text for u in units[i:j]))
        i = max(j, i + 1)


def _list_line(u: Unit) -> bool:
    t = u.text.strip()
    return u.kind == "para" and not u.cand and len(t.split()) <= 10 and t[-1:] not in TERMINAL and t[:1].isupper()


def recase(units: list[Unit], report: Report) -> None:
    """Headings in capitals to sentence case, keeping the capitals of names the body text uses; a
    heading's closing full stop goes."""
    for u in units:
        if u.kind == "head" and u.text.endswith(".") and not u.text.endswith(".."):
            report.add(u.no, "full stop after a heading dropped", u.text, u.text[:-1])
            u.text = u.text[:-1]
    caps: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for u in units:
        if u.kind == "head":
            continue
        toks = _TOKEN.findall(u.text)
        for k, t in enumerate(toks):
            if t.islower():
                lower[t] += 1
            elif k > 0 and toks[k - 1] not in ".!?" and t[:1].isupper() and t[1:].islower():
                caps[t.lower()] += 1
    for u in units:
        if u.kind == "head" and is_caps(u.text):
            words = u.text.lower().split(" ")
            fixed = [w.capitalize() if n == 0 or caps[w.strip(".,:;!?")] > lower[w.strip(".,:;!?")] else w
                     for n, w in enumerate(words)]  # fmt: skip
            new = " ".join(fixed)
            report.add(u.no, "heading in capitals written in sentence case", u.text, new)
            u.text = new


def same_heading(a: str, b: str) -> bool:
    """Headings compared without case, spacing, quotes or a leading number."""
    strip = re.compile(r"^(?:fråga\s+)?\d+(?:\.\d+)*[.:]?\s*", re.I)
    return strip.sub("", norm(a)) == strip.sub("", norm(b))
