"""LaTeX in (policies kept as `.tex` sources, as associations often keep their styrdokument): the sections
the source states (`\\section`, `\\subsection`, ...), its list items (`\\item`) and paragraphs (blank lines),
with the text inside converted by pylatexenc (accents, `--`, `~`, `\\textbf{...}`) and the rest of the markup
dropped. Only the document body counts (what `\\begin{document}` opens); the preamble is set-up, not text.
The title is the source's `\\title{...}`.
"""

from __future__ import annotations

import re
from pathlib import Path

from pylatexenc.latex2text import LatexNodes2Text

from knowledge.importer.read_text import decode
from knowledge.importer.source import Line, Source

# sectioning commands, outermost first; the outermost one a document uses becomes level 1
_LEVELS = ("part", "chapter", "section", "subsection", "subsubsection", "paragraph", "subparagraph")
_STRUCTURE = re.compile(r"\\(?:" + "|".join(_LEVELS) + r"|item|begin|end)(?![a-zA-Z])")
_HEADING = re.compile(r"^\\(" + "|".join(_LEVELS) + r")\*?\s*(?:\[[^\]]*\])?\s*\{")
_ENV = re.compile(r"^\\(?:begin|end)\s*\{[^}]*\}(?:\s*\[[^\]]*\])?")
_ITEM = re.compile(r"^\\item(?:\s*\[([^\]]*)\])?")
_COMMENT = re.compile(r"(?<!\\)%.*$")
_HREF = re.compile(r"\\href\s*\{([^}]*)\}\s*\{([^}]*)\}")  # pylatexenc 2.11 fails on some \href: its text is kept
_TITLE = re.compile(r"\\title\s*(?:\[[^\]]*\])?\s*\{")
# page layout and generated text: nothing of the document's own words
_DROP = re.compile(
    r"\\(?:maketitle|tableofcontents|listoffigures|listoftables|newpage|clearpage|pagebreak|noindent|today|centering"
    r"|raggedright|par|quad|qquad|hfill|vfill|bigskip|medskip|smallskip)(?![a-zA-Z])\*?"
    r"|\\(?:vspace|hspace|label|setlength|addcontentsline|pagestyle|thispagestyle|setcounter|includegraphics)\*?"
    r"(?:\[[^\]]*\])?(?:\{[^{}]*\})+"
)
# pictures and code: no text to quote
_SKIP_ENVS = ("tikzpicture", "picture", "figure", "wrapfigure", "comment", "verbatim", "lstlisting", "minted")
_DEFINES = re.compile(r"\\(?:re)?newcommand\*?\s*\{?\\([a-zA-Z]+)\}?\s*(?:\[\d\])?\s*\{")
_TEXT = LatexNodes2Text(math_mode="verbatim", strict_latex_spaces=True)


def _group(text: str, start: int) -> tuple[str, int]:
    """The contents of the brace group that opens just before `start`, and where it ends."""
    depth, i = 1, start
    while i < len(text) and depth:
        depth += {"{": 1, "}": -1}.get(text[i], 0) if text[i - 1 : i] != "\\" else 0
        i += 1
    return text[start : i - 1], i


def _heading_macros(preamble: str) -> dict[str, str]:
    """The source's own heading commands: `\\newcommand{\\funktionar}[1]{\\subsection*{#1}...}` makes
    `\\funktionar{Ordföranden}` a subsection heading."""
    out = {}
    for m in _DEFINES.finditer(preamble):
        body, _ = _group(preamble, m.end())
        inner = re.search(r"\\(" + "|".join(_LEVELS) + r")\*?\s*\{\s*#1\s*\}", body)
        if inner:
            out[m.group(1)] = inner.group(1)
    return out


def plain(latex: str) -> str:
    """The text of a piece of LaTeX, on one line; markup pylatexenc cannot read is dropped, not kept."""
    latex = _DROP.sub(" ", _HREF.sub(lambda m: m.group(2), latex))
    try:
        text = _TEXT.latex_to_text(latex)
    except Exception:  # a macro the library trips on: strip the markup by hand
        text = re.sub(r"\\[a-zA-Z]+\*?|[{}]", " ", latex)
    return " ".join(text.replace("\xa0", " ").split())


def read_latex(path: Path) -> Source:
    """A LaTeX file: its body's sections, list items and paragraphs, as the source states them."""
    raw = decode(path.read_bytes())
    lines_in = [_COMMENT.sub("", line) for line in raw.splitlines()]
    text = "\n".join(lines_in)
    title = ""
    m = _TITLE.search(text)
    if m:  # its first line: "Reglemente\\ Organisationsnummer: ..." is titled "Reglemente"
        title = plain(re.split(r"\\\\|\\newline", _group(text, m.end())[0])[0])
    body_start = 0
    begin = re.search(r"\\begin\s*\{document\}", text)
    macros: dict[str, str] = {}
    if begin:
        macros = _heading_macros(text[: begin.start()])
        body_start = text[: begin.end()].count("\n")
        text = text[begin.end() :]
    end = re.search(r"\\end\s*\{document\}", text)
    if end:
        text = text[: end.start()]
    for env in _SKIP_ENVS:  # blanked line by line, so that line numbers stay
        text = re.sub(
            rf"\\begin\s*\{{{env}\*?\}}.*?\\end\s*\{{{env}\*?\}}",
            lambda mm: "\n" * mm.group(0).count("\n"),
            text,
            flags=re.S,
        )
    for name, level in macros.items():
        text = re.sub(rf"\\{name}(?![a-zA-Z])\s*(?=\{{)", lambda _m, lv=level: f"\\{lv}*", text)
    used = [lv for lv in _LEVELS if re.search(rf"\\{lv}\*?\s*(?:\[[^\]]*\])?\s*\{{", text)]
    out: list[Line] = []
    para: list[str] = []
    para_no = [0]
    item = [False]

    def flush() -> None:
        words = plain(" ".join(para))
        if words:
            out.append(Line(words, para_no[0], para=True, item=item[0]))
            if not item[0]:
                out.append(Line("", para_no[0]))
        para.clear()
        item[0] = False

    for no, line in enumerate(text.split("\n"), body_start + 1):
        # a structural command starts a piece of its own, wherever the source put it on the line
        pieces = [p for p in _STRUCTURE.sub(lambda mm: "\n" + mm.group(0), line).split("\n")]
        if not line.strip():
            flush()  # items of one list stay together, blank lines between them or not
            continue
        for piece in pieces:
            piece = piece.strip()
            if not piece:
                continue
            h = _HEADING.match(piece)
            if h:
                flush()
                heading, after = _group(piece, h.end())
                level = used.index(h.group(1)) + 1 if h.group(1) in used else 1
                if plain(heading):
                    out.append(Line(plain(heading), no, level=min(level, 6), para=True))
                    out.append(Line("", no))
                piece = piece[after:].strip()
            elif _ENV.match(piece):
                flush()
                if out and out[-1].item:  # a list ends: what follows is a paragraph of its own
                    out.append(Line("", no))
                piece = _ENV.sub("", piece, count=1).strip()
            elif _ITEM.match(piece):
                flush()
                mi = _ITEM.match(piece)
                assert mi is not None
                item[0] = True
                label = plain(mi.group(1) or "")
                label = f"{label}: " if label and label[-1].isalnum() else f"{label} " if label else ""
                piece = label + piece[mi.end() :].strip()
            if piece:
                if not para:
                    para_no[0] = no
                para.append(piece)
    flush()
    return Source(out, title=title, structured=True, kind="latex")
