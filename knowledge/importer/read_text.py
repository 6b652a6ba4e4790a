"""Plain text and Markdown in: lines as extracted, with the Markdown's own headings and list items.

Plain text (a PDF copied out or exported with `pdftotext`) keeps every line as it is: the layout
heuristics decide what is a heading and where a paragraph ends. Markdown states its headings (`#`),
list items and paragraphs, and its emphasis markers are dropped (the corpus quotes plain text).
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from knowledge import yamlio
from knowledge.importer.source import Line, Source

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_ITEM = re.compile(r"^\s{0,3}(?:[-*+])\s+(.*)$")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)|(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?!\w)")


def read_text(path: Path) -> Source:
    """A plain-text file: one `Line` per line; trailing double spaces mark wrapped lines."""
    raw = decode(path.read_bytes())
    lines = []
    for i, text in enumerate(raw.splitlines(), 1):
        text = text.replace("\f", "")
        lines.append(Line(text.rstrip(), i, wrapped=text.endswith("  ") and bool(text.strip())))
    return Source(lines, kind="text")


def strip_emphasis(text: str) -> str:
    """'**Svar:** ja' -> 'Svar: ja'; stray markers left by an export ('fråga?**') go too."""
    prev = None
    while prev != text:
        prev = text
        text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or m.group(4) or "", text)
    return re.sub(r"(\*\*|__)", "", text)


def read_markdown(path: Path) -> Source:
    """A Markdown file: headings, list items and paragraphs as the Markdown states them."""
    raw = decode(path.read_bytes())
    body_start = 0
    title = ""
    m = re.match(r"\A---\s*\n.*?\n---\s*\n", raw, re.S)
    if m:  # front matter of an earlier import or a static site: not document text, but its title is the name
        body_start = raw[: m.end()].count("\n")
        title = _front_matter_title(raw[: m.end()])
        raw = raw[m.end() :]
    lines: list[Line] = []
    para: list[tuple[int, str]] = []

    def flush() -> None:
        if para:
            text = " ".join(t.strip() for _, t in para)
            lines.append(Line(strip_emphasis(text).strip(), para[0][0], para=True))
            lines.append(Line("", para[-1][0]))
            para.clear()

    for i, text in enumerate(raw.splitlines(), body_start + 1):
        h = _MD_HEADING.match(text)
        it = _MD_ITEM.match(text)
        if not text.strip() or text.strip().startswith("<!--"):
            flush()
        elif h:
            flush()
            lines.append(Line(strip_emphasis(h.group(2)).strip(), i, level=len(h.group(1)), para=True))
            lines.append(Line("", i))
        elif it:
            flush()
            para.append((i, it.group(1)))
            flush()
            lines[-2].item = True
            lines.pop()  # items of one list stay together
        else:
            para.append((i, text))
    flush()
    return Source(lines, title=title, structured=True, kind="markdown")


def _front_matter_title(block: str) -> str:
    """The `title:` of a front matter block (a wiki's or a static site's), when it is a plain string."""
    try:
        data = yamlio.load(block.strip().strip("-"))
    except yaml.YAMLError:
        return ""
    title = data.get("title") if isinstance(data, dict) else None
    return title.strip() if isinstance(title, str) else ""


def decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")
