"""PDF in, with pdfplumber: lines with their font size and weight, page furniture found by position.

Headings come from the type: lines set larger than the body text (or wholly bold at body size) get a
level by size, largest first. Lines that repeat in the top or bottom margin page after page (running
headers and footers) and bare page numbers there are dropped and reported. A wider vertical gap than
the usual line spacing ends a paragraph (a blank line in the extracted text).
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise
from pathlib import Path
from statistics import median

from knowledge.importer.furniture import PAGE_NUMBER
from knowledge.importer.source import Line, Source

MARGIN = 0.09  # share of the page height at top and bottom where running headers and page numbers live
HEADING_RATIO = 1.15  # a line this much larger than the body text is a heading
GAP_RATIO = 1.45  # a vertical gap this many times the usual line spacing ends a paragraph
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.I)


def _pdf_date(raw: object) -> str:
    m = re.match(r"(?:D:)?(\d{4})(\d{2})(\d{2})", str(raw or ""))
    return f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else ""


def _title(raw: object) -> str:
    t = str(raw or "").strip()
    t = re.sub(r"^Microsoft (?:Word|PowerPoint) - ", "", t)
    return "" if re.search(r"\.(docx?|pdf|indd)$", t, re.I) or t.lower() in ("untitled", "namnlös") else t


def read_pdf(path: Path) -> Source:
    """The text lines of a PDF, in reading order, with running headers, footers and page numbers removed."""
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        meta = pdf.metadata or {}
        pages = []
        for n, page in enumerate(pdf.pages, 1):
            rows = page.extract_text_lines(return_chars=True, strip=True)
            pages.append((n, float(page.height), [r for r in rows if r["text"].strip()]))
    furniture = _furniture(pages)
    sizes: Counter[float] = Counter()
    for _, _, rows in pages:
        for r in rows:
            for c in r["chars"]:
                sizes[round(float(c.get("size", 0)), 1)] += 1
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    lines: list[Line] = []
    removed: list[tuple[int, str, str]] = []
    no = 0
    for n, _height, rows in pages:
        if lines:
            lines.append(Line("", no))
        spacing = _spacing(rows)
        prev_bottom = None
        right = max((float(r["x1"]) for r in rows), default=0.0)
        for r in rows:
            no += 1
            text = r["text"]
            if (n, r["top"]) in furniture:
                kind = "page number removed" if PAGE_NUMBER.match(text) else "running header or footer removed"
                removed.append((no, kind, text))
                continue
            if prev_bottom is not None and float(r["top"]) - prev_bottom > GAP_RATIO * spacing:
                lines.append(Line("", no))
            prev_bottom = float(r["bottom"])
            text, unreadable = _glyphs(text)
            if unreadable:
                removed.append((no, "unreadable glyph removed", unreadable))
            size = median(float(c.get("size", 0)) for c in r["chars"]) if r["chars"] else body
            ink = [c for c in r["chars"] if c["text"].strip()]
            bold = bool(ink) and all(_BOLD.search(str(c.get("fontname", ""))) for c in ink)
            wrapped = float(r["x1"]) >= right * 0.92
            lines.append(Line(text, no, page=n, size=size, bold=bold, wrapped=wrapped))
    _levels(lines, body)
    date = _pdf_date(meta.get("ModDate") or meta.get("CreationDate"))
    return Source(lines, title=_title(meta.get("Title")), date=date, kind="pdf", removed=removed)


def _glyphs(text: str) -> tuple[str, str]:
    """A glyph with no Unicode mapping: '(cid:127)' opening a line is its bullet; elsewhere it goes."""
    text = re.sub(r"^\s*\(cid:\d+\)\s*", "• ", text)
    gone = re.findall(r"\(cid:\d+\)", text)
    return (re.sub(r"\s*\(cid:\d+\)", "", text), " ".join(gone)) if gone else (text, "")


def _spacing(rows: list[dict]) -> float:  # type: ignore[type-arg]
    gaps = [float(b["top"]) - float(a["top"]) for a, b in pairwise(rows) if b["top"] > a["top"]]
    return median(gaps) if gaps else 14.0


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split()).casefold())


def _furniture(pages: list[tuple[int, float, list[dict]]]) -> set[tuple[int, float]]:  # type: ignore[type-arg]
    """(page, top) of lines in the margins that repeat across pages, and of bare page numbers there."""
    seen: Counter[str] = Counter()
    for _, height, rows in pages:
        keys = {_key(r["text"]) for r in rows if _in_margin(r, height)}
        seen.update(keys)
    many = max(2, (len(pages) + 1) // 2)
    out: set[tuple[int, float]] = set()
    for n, height, rows in pages:
        for r in rows:
            if not _in_margin(r, height):
                continue
            if PAGE_NUMBER.match(r["text"]) or (len(pages) > 1 and seen[_key(r["text"])] >= many):
                out.add((n, r["top"]))
    return out


def _in_margin(r: dict, height: float) -> bool:  # type: ignore[type-arg]
    return float(r["top"]) < height * MARGIN or float(r["bottom"]) > height * (1 - MARGIN)


def _levels(lines: list[Line], body: float) -> None:
    """Heading levels by type size: larger than the body (or wholly bold and short), largest first."""
    heads = [
        ln
        for ln in lines
        if not ln.blank
        and len(ln.text.split()) <= 14
        and (ln.size >= body * HEADING_RATIO or (ln.bold and ln.size >= body * 0.95))
    ]
    ranks = sorted({(round(ln.size), ln.bold) for ln in heads}, key=lambda k: (-k[0], not k[1]))
    for ln in heads:
        ln.level = ranks.index((round(ln.size), ln.bold)) + 1
