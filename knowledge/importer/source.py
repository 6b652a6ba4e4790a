"""What every reader hands the importer: the document's lines with whatever structure the format knows.

A reader turns PDF, Word, HTML, Markdown or plain text into `Line`s: one per extracted text line (PDF,
plain text) or one per paragraph (Word, HTML, Markdown), each with the line number `--check` reports,
its page, and the structure the format itself states (a heading level from a Word style, an HTML `<h2>`
or a PDF font size; a list item). The rest of the importer works on these alone, so a new format is
one more reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Line:
    """One extracted line (or paragraph) of a document."""

    text: str
    no: int  # 1-based line number in the extracted text (what --check reports)
    page: int = 0
    level: int = 0  # heading level the format states (1 = largest); 0 = not a heading
    item: bool = False  # a list item the format states
    para: bool = False  # a whole paragraph as the format states it (never joined with its neighbours)
    wrapped: bool = False  # the extractor says the line continues (trailing double space, PDF geometry)
    size: float = 0.0  # font size (PDF)
    bold: bool = False

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass(slots=True)
class Source:
    """A document as read: its lines and the metadata the file carries."""

    lines: list[Line]
    title: str = ""
    date: str = ""
    structured: bool = False  # headings and paragraphs come from the format, not from layout
    kind: str = "text"
    removed: list[tuple[int, str, str]] = field(default_factory=list)  # (line, kind, text) a reader dropped


@dataclass(frozen=True, slots=True)
class Change:
    """One repair or removal, reported by `--check` with the line it happened on."""

    line: int
    kind: str
    before: str
    after: str = ""

    def describe(self) -> str:
        """'line 13: joined split word: "värde grunden" -> "värdegrunden"'."""
        if self.after:
            return f"line {self.line}: {self.kind}: {self.before!r} -> {self.after!r}"
        return f"line {self.line}: {self.kind}: {self.before!r}"


@dataclass(slots=True)
class Report:
    """Every repair and removal made while importing one document."""

    changes: list[Change] = field(default_factory=list)

    def add(self, line: int, kind: str, before: str, after: str = "") -> None:
        self.changes.append(Change(line, kind, before.strip(), after.strip()))

    def count(self, kind: str) -> int:
        return sum(1 for c in self.changes if c.kind == kind)
