"""HTML in (a saved intranet or SharePoint page), with BeautifulSoup: the main content's headings,
paragraphs and list items; navigation, headers, footers, scripts and forms are left out.

The title comes from `<meta property="og:title">`, `<title>` or the first `<h1>`; the date from a
date `<meta>` or the first `<time datetime>`. `--check` line numbers are the HTML source's lines.
"""

from __future__ import annotations

import re
from pathlib import Path

from knowledge.importer.source import Line, Source

BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "dt", "dd", "blockquote", "pre", "td", "th", "figcaption")
CHROME = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "template", "svg", "button")
_DATE_META = ("date", "dcterms.date", "dc.date", "article:modified_time", "article:published_time", "last-modified")


def read_html(path: Path) -> Source:
    """The readable blocks of an HTML page as lines, headings at their `<hN>` level."""
    from bs4 import BeautifulSoup

    raw = path.read_bytes()
    soup = BeautifulSoup(raw, "html.parser")
    for tag in soup.find_all(CHROME):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.find(attrs={"role": "main"}) or soup.body or soup
    lines: list[Line] = []
    for tag in root.find_all(BLOCKS):
        if any(p.name in BLOCKS for p in tag.parents):
            continue  # the outermost block holds the text (a <p> inside an <li>)
        text = " ".join(tag.get_text(" ", strip=True).split())
        if not text:
            continue
        ln = Line(text, tag.sourceline or 0, para=True)
        if re.fullmatch(r"h[1-6]", tag.name):
            ln.level = int(tag.name[1])
        elif tag.name in ("li", "dd"):
            ln.item = True
        lines.append(ln)
    return Source(lines, title=_title(soup), date=_date(soup), structured=True, kind="html")


def _title(soup) -> str:  # type: ignore[no-untyped-def]
    og = soup.find("meta", attrs={"property": "og:title"})
    if og and og.get("content"):
        return str(og["content"]).strip()
    if soup.title and soup.title.string:
        return re.split(r"\s+[|–-]\s+", soup.title.string.strip())[0]
    h1 = soup.find("h1")
    return h1.get_text(" ", strip=True) if h1 else ""


def _date(soup) -> str:  # type: ignore[no-untyped-def]
    for name in _DATE_META:
        m = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
        if m and m.get("content"):
            d = re.search(r"\d{4}-\d{2}-\d{2}", str(m["content"]))
            if d:
                return d.group(0)
    t = soup.find("time", attrs={"datetime": True})
    if t:
        d = re.search(r"\d{4}-\d{2}-\d{2}", str(t["datetime"]))
        if d:
            return d.group(0)
    return ""
