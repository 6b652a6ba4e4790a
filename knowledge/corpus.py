"""The policy corpus: Markdown documents with front matter, split into section-aware passages.

One file per document under `knowledge/corpus/<organisation>/` (or any folder given in the
configuration). Adding a document is adding a file: nothing here knows the documents by name.

File format::

    ---
    id: vasteras-bemotandekod-medarbetare
    organisation: vasteras
    audiences: [employee, manager]      # or [all]
    title: "Bemötandekod"
    title_en: "Code of conduct for employees and managers"
    source: "..."
    date: ""
    ---
    # Part heading                       (optional)
    ## Section heading
    <!-- en: the heading in English -->

    Passage text, verbatim from the organisation's document.
    <!-- en: the same passage in English -->
    <!-- q: example question | another way people ask it -->

A passage is the run of paragraphs and lists that ends with its `<!-- en: ... -->` line (or, in a
document with no English lines, one paragraph together with the list that follows it, and with the
short heading-like lines before it). An optional
`<!-- q: ... -->` line after it lists questions people ask that the passage answers, separated by
`|`; retrieval matches questions against them too, and they are never quoted.
Passage ids are `<doc id>#<section slug>-<n>`: stable while the document's structure stays.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

BUNDLED_CORPUS = Path(__file__).parent / "corpus"
ALL_AUDIENCES = "all"
_EN_COMMENT = re.compile(r"^<!--\s*en:\s*(.*?)\s*-->$", re.S)
_Q_COMMENT = re.compile(r"^<!--\s*q:\s*(.*?)\s*-->$", re.S)
_FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


class CorpusError(ValueError):
    """A corpus file that cannot be read: says which file and why."""


@dataclass(frozen=True, slots=True)
class Document:
    """One policy document of one organisation."""

    id: str
    org: str
    audiences: tuple[str, ...]
    title: str
    title_en: str
    source: str
    date: str
    path: str

    def serves(self, role: str | None) -> bool:
        """True when the document is written for this role (or for everyone)."""
        if ALL_AUDIENCES in self.audiences:
            return True
        return role is None or role in self.audiences


@dataclass(frozen=True, slots=True)
class Passage:
    """A quotable piece of a document, with its document title and section heading."""

    id: str
    doc: Document
    part: str
    section: str
    section_en: str
    text: str
    en: str
    questions: tuple[str, ...] = ()

    @property
    def org(self) -> str:
        return self.doc.org


@dataclass(frozen=True, slots=True)
class Corpus:
    """All documents and passages, with a fingerprint that changes whenever any file does."""

    documents: tuple[Document, ...]
    passages: tuple[Passage, ...]
    fingerprint: str

    def orgs(self) -> list[str]:
        """The organisations that have at least one document."""
        return sorted({d.org for d in self.documents})

    def passage(self, pid: str) -> Passage:
        """The passage with this id; KeyError if there is none."""
        for p in self.passages:
            if p.id == pid:
                return p
        raise KeyError(pid)


def slug(text: str) -> str:
    """An ASCII slug for ids: 'Vi accepterar inte trakasserier' -> 'vi-accepterar-inte-trakasserier'."""
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60].rstrip("-") or "section"


def _front_matter(raw: str, path: Path) -> tuple[dict[str, object], str]:
    m = _FRONT.match(raw)
    if not m:
        raise CorpusError(f"{path}: no front matter (a '---' block at the top)")
    try:
        meta = yaml.safe_load(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise CorpusError(f"{path}: front matter is not valid YAML: {exc}") from exc
    if not isinstance(meta, dict):
        raise CorpusError(f"{path}: front matter must be a mapping")
    for key in ("id", "organisation", "title"):
        if not meta.get(key):
            raise CorpusError(f"{path}: front matter lacks '{key}'")
    return meta, raw[m.end() :]


def _document(meta: dict[str, object], path: Path) -> Document:
    aud = meta.get("audiences") or [ALL_AUDIENCES]
    if isinstance(aud, str):
        aud = [aud]
    return Document(
        id=str(meta["id"]),
        org=str(meta["organisation"]).lower(),
        audiences=tuple(str(a) for a in aud),  # type: ignore[union-attr]
        title=str(meta["title"]),
        title_en=str(meta.get("title_en") or meta["title"]),
        source=str(meta.get("source") or ""),
        date=str(meta.get("date") or ""),
        path=str(path),
    )


def _blocks(body: str) -> list[str]:
    """Split the body into blocks at blank lines, keeping comments and headings as their own blocks."""
    blocks: list[str] = []
    cur: list[str] = []
    for line in body.splitlines():
        s = line.strip()
        if not s:
            if cur:
                blocks.append("\n".join(cur))
                cur = []
            continue
        if s.startswith("#") or s.startswith("<!--"):
            if cur:
                blocks.append("\n".join(cur))
                cur = []
            blocks.append(s)
            continue
        cur.append(s)
    if cur:
        blocks.append("\n".join(cur))
    return blocks


def _heading_like(block: str) -> bool:
    """A short line with no closing punctuation ("Öppet klimat och delaktighet"): a sub-heading written
    as a paragraph, which belongs with the paragraph after it."""
    s = block.strip().strip("*_").strip()
    return "\n" not in s and len(s.split()) <= 6 and not s.endswith((".", "!", "?", ":", ";"))


def parse_document(path: Path) -> tuple[Document, list[Passage]]:
    """Read one corpus file into its document and passages."""
    raw = path.read_text(encoding="utf-8")
    meta, body = _front_matter(raw, path)
    doc = _document(meta, path)
    blocks = _blocks(body)
    uses_en = any(_EN_COMMENT.match(b) for b in blocks)
    passages: list[Passage] = []
    part = section = section_en = ""
    pending: list[str] = []
    counts: dict[str, int] = {}
    expect_heading_en = False

    def flush(en: str) -> None:
        nonlocal pending
        if not pending:
            return
        key = slug(section or part or doc.title)
        counts[key] = counts.get(key, 0) + 1
        passages.append(
            Passage(
                id=f"{doc.id}#{key}-{counts[key]}",
                doc=doc,
                part=part,
                section=section or part,
                section_en=section_en,
                text="\n".join(pending),
                en=en,
            )
        )
        pending = []

    for b in blocks:
        if b.startswith("#"):
            flush("")
            level = len(b) - len(b.lstrip("#"))
            title = b.lstrip("#").strip().strip("*").strip()
            if level <= 1:
                part, section, section_en = title, "", ""
            else:
                section, section_en = title, ""
            expect_heading_en = True
            continue
        q = _Q_COMMENT.match(b)
        if q:
            if passages and not pending:
                qs = tuple(x.strip() for x in q.group(1).split("|") if x.strip())
                last = passages[-1]
                passages[-1] = Passage(
                    last.id, last.doc, last.part, last.section, last.section_en, last.text, last.en, last.questions + qs
                )
            continue
        m = _EN_COMMENT.match(b)
        if m:
            if expect_heading_en and not pending:
                section_en = m.group(1)
            else:
                flush(m.group(1))
            expect_heading_en = False
            continue
        if b.startswith("<!--"):
            continue
        expect_heading_en = False
        is_list = b.startswith(("- ", "* "))
        if not uses_en and pending and not is_list and not all(_heading_like(x) for x in pending):
            flush("")
        pending.append(b)
    flush("")
    if not passages:
        raise CorpusError(f"{path}: no passages")
    return doc, passages


def corpus_files(dirs: Iterable[Path]) -> list[Path]:
    """Every `*.md` corpus file under the given folders, in a stable order (README files excluded)."""
    files: list[Path] = []
    for d in dirs:
        d = Path(d)
        if d.is_file():
            files.append(d)
        elif d.is_dir():
            files.extend(p for p in d.rglob("*.md") if p.name.lower() != "readme.md")
    return sorted(set(files))


def load_corpus(dirs: Iterable[Path] | None = None) -> Corpus:
    """Load every document under `dirs` (default: the corpus bundled with the package)."""
    files = corpus_files(list(dirs) if dirs else [BUNDLED_CORPUS])
    if not files:
        raise CorpusError("no corpus documents found")
    h = hashlib.sha256()
    docs: list[Document] = []
    passages: list[Passage] = []
    seen: dict[str, str] = {}
    for f in files:
        data = f.read_bytes()
        h.update(f.name.encode() + b"\0" + data + b"\0")
        doc, ps = parse_document(f)
        if doc.id in seen:
            raise CorpusError(f"{f}: document id '{doc.id}' is also used by {seen[doc.id]}")
        seen[doc.id] = str(f)
        docs.append(doc)
        passages.extend(ps)
    return Corpus(tuple(docs), tuple(passages), h.hexdigest()[:16])
