"""Import the documents HR already has (PDF, Word, HTML, Markdown, plain text, LaTeX sources) into the policy corpus.

`import_document` reads one file with the reader for its format, removes page furniture, repairs what
the export broke (split and hyphenated words, glued bullets), finds the sections from the document's
own structure and writes one corpus Markdown file (`knowledge.corpus` format, no `q:`/`en:` lines).
Every repair and removal is in the result's report, with its line number, for `conductbot import --check`.

Modules: `source` (what readers produce), `read_*` (one per format), `furniture` (page numbers, running
headers, tables of contents, pull quotes, value words), `words` and `repairs` (split words), `layout`
(paragraphs and candidates), `structure` (headings, title), `pipeline` (the steps), `writer` (the file).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.corpus import corpus_files
from knowledge.importer.pipeline import Draft, build
from knowledge.importer.source import Report, Source
from knowledge.importer.words import Vocabulary
from knowledge.importer.writer import Diff, audiences_for, diff, doc_id, ensure_org, passages_of, render

FORMATS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".txt": "text",
    ".tex": "latex",
}


class ImportFailed(ValueError):
    """A file that cannot be imported: says which and why."""


def read_source(path: Path) -> Source:
    """The lines of a file, by the reader for its format (by suffix; anything else is plain text)."""
    kind = FORMATS.get(path.suffix.lower(), "text")
    try:
        if kind == "pdf":
            from knowledge.importer.read_pdf import read_pdf

            return read_pdf(path)
        if kind == "docx":
            from knowledge.importer.read_docx import read_docx

            return read_docx(path)
        if kind == "html":
            from knowledge.importer.read_html import read_html

            return read_html(path)
        if kind == "latex":
            from knowledge.importer.read_latex import read_latex

            return read_latex(path)
        from knowledge.importer.read_text import read_markdown, read_text

        return read_markdown(path) if kind == "markdown" else read_text(path)
    except ModuleNotFoundError as exc:
        extra = "pip install 'conductbot[import]'"
        raise ImportFailed(
            f"{path.name}: reading {kind.upper()} needs the 'import' extra: {extra} ({exc.name})"
        ) from exc
    except Exception as exc:  # each library raises its own kinds for a damaged file
        raise ImportFailed(f"{path.name}: cannot read it as {kind}: {exc}") from exc


@dataclass(slots=True)
class Imported:
    """One imported document: where it goes, its text, its report and what changed against the old file."""

    source: Path
    target: Path
    doc_id: str
    text: str
    draft: Draft
    diff: Diff | None
    passages: int
    audiences: list[str]

    @property
    def report(self) -> Report:
        return self.draft.report


def import_document(
    path: Path,
    org: str,
    out_dir: Path,
    audiences: list[str] | None = None,
    title: str | None = None,
) -> Imported:
    """Read, repair and render one document for `<out_dir>/<org>/`; nothing is written here."""
    folder = out_dir / org
    did = doc_id(org, path)
    target = folder / f"{did}.md"
    # the organisation's own words: its other documents (not an earlier import of this one, whose
    # repairs would otherwise vouch for themselves)
    others = [f for f in corpus_files([folder]) if f.resolve() != target.resolve()] if folder.is_dir() else []
    vocab = Vocabulary(f.read_text(encoding="utf-8") for f in others)
    src = read_source(path)
    draft = build(src, vocab)
    if title:
        draft.title = title
    if not draft.title:
        draft.title = path.stem.replace("-", " ").replace("_", " ")
    auds = list(audiences or audiences_for(draft.title, path.stem))
    meta: dict[str, object] = {
        "id": did,
        "organisation": org,
        "audiences": auds,
        "title": draft.title,
        "source": f"{path.name} (imported with conductbot import)",
        "date": draft.date,
        "language": "sv",
    }
    text = render(meta, draft.units)
    old = target.read_text(encoding="utf-8") if target.exists() else None
    n = len(passages_of(text)) if draft.units else 0
    return Imported(path, target, did, text, draft, diff(old, text) if old else None, n, auds)


__all__ = ["FORMATS", "ImportFailed", "Imported", "ensure_org", "import_document", "read_source"]
