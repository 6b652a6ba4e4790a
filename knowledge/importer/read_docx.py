"""Word (.docx) in, with python-docx: paragraphs in order, headings from their styles, list items.

A heading is a paragraph in a heading style ("Heading 2", Swedish Word's "Rubrik 2", "Title"); a
document with no heading styles gets its headings from short paragraphs set wholly in bold. List
paragraphs (a list style or Word numbering) are list items. Tables are read row by row. The title and
date come from the document's properties. `--check` line numbers count paragraphs.
"""

from __future__ import annotations

import re
from pathlib import Path

from knowledge.importer.source import Line, Source

_HEADING = re.compile(r"^(?:heading|rubrik|overskrift)\s*(\d)$", re.I)
_TITLE = re.compile(r"^(?:title|rubrik|titel)$", re.I)


def read_docx(path: Path) -> Source:
    """The paragraphs of a Word document as lines, with heading levels and list items."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    d = docx.Document(str(path))
    lines: list[Line] = []
    bold_only: list[Line] = []
    styled = False
    no = 0
    for el in d.element.body.iterchildren():
        tag = el.tag.rsplit("}", 1)[-1]
        paras: list[Paragraph] = []
        if tag == "p":
            paras = [Paragraph(el, d)]
        elif tag == "tbl":
            for row in Table(el, d).rows:
                cells = [c.text.strip() for c in row.cells if c.text.strip()]
                if cells:
                    no += 1
                    lines.append(Line(" – ".join(dict.fromkeys(cells)), no, para=True))
            continue
        for p in paras:
            no += 1
            text = p.text.strip()
            if not text:
                continue
            style = p.style.name if p.style is not None else ""
            ln = Line(text, no, para=True)
            h = _HEADING.match(style)
            if h:
                ln.level, styled = int(h.group(1)) + 1, True
            elif _TITLE.match(style):
                ln.level, styled = 1, True
            elif "list" in style.lower() or (p._p.pPr is not None and p._p.pPr.numPr is not None):
                ln.item = True
            elif p.runs and all(r.bold for r in p.runs if r.text.strip()) and len(text.split()) <= 14:
                bold_only.append(ln)
            lines.append(ln)
    if not styled:
        for ln in bold_only:
            ln.level = 2
    props = d.core_properties
    when = props.modified or props.created
    return Source(
        lines,
        title=(props.title or "").strip(),
        date=when.date().isoformat() if when else "",
        structured=True,
        kind="docx",
    )
