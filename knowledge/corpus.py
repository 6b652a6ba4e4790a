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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge import yamlio

BUNDLED_CORPUS = Path(__file__).parent / "corpus"
ALL_AUDIENCES = "all"
_EN_COMMENT = re.compile(r"^<!--\s*en:\s*(.*?)\s*-->$", re.S)
_Q_COMMENT = re.compile(r"^<!--\s*q:\s*(.*?)\s*-->$", re.S)
_FRONT = re.compile(r"\A\ufeff?---\s*\n(.*?)\n---\s*\n", re.S)
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f\u200d]")
_MARKUP = re.compile(r"^(?::::.*|-{3,}|\*{3,}|_{3,}|<(?!!--)[^>]*>)$")  # admonition fences, rules, HTML tags
ORG_FILE = "org.yaml"


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
    # per organisation, what its folder's optional `org.yaml` says: name, name_en, aliases, audiences,
    # whistleblower (the web address of its whistleblower function)
    org_info: dict[str, dict[str, Any]] = field(default_factory=dict)

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


def _front_matter(raw: str, path: Path, defaults: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The front matter (optional: a document as HR has it needs none) over the folder's defaults."""
    m = _FRONT.match(raw)
    meta: dict[str, Any] = {}
    if m:
        try:
            meta = yamlio.load(m.group(1)) or {}
        except yaml.YAMLError as exc:
            raise CorpusError(f"{path}: front matter is not valid YAML: {exc}") from exc
        if not isinstance(meta, dict):
            raise CorpusError(f"{path}: front matter must be a mapping")
    body = raw[m.end() :] if m else raw
    merged = {**defaults, **{k: v for k, v in meta.items() if v not in (None, "")}}
    merged.setdefault("id", slug(path.stem))
    if not merged.get("title"):
        first = next((ln.lstrip("#").strip() for ln in body.splitlines() if ln.startswith("#")), "")
        merged["title"] = first or path.stem
    merged["title"] = _EMOJI.sub("", str(merged["title"])).strip() or path.stem
    for key in ("id", "organisation", "title"):
        if not merged.get(key):
            raise CorpusError(f"{path}: front matter lacks '{key}' (and no folder names the organisation)")
    return merged, body


def _document(meta: dict[str, Any], path: Path) -> Document:
    aud = meta.get("audiences") or [ALL_AUDIENCES]
    if isinstance(aud, str):
        aud = [aud]
    return Document(
        id=str(meta["id"]),
        org=str(meta["organisation"]).lower(),
        audiences=tuple(str(a) for a in aud),
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
        if s.startswith(">") and not s.startswith(">="):  # a quoted note is text of the document
            s = s.lstrip(">").strip()
        if _MARKUP.match(s):
            s = ""
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


def parse_document(
    path: Path, defaults: dict[str, Any] | None = None, force_id: bool = False
) -> tuple[Document, list[Passage]]:
    """Read one corpus file into its document and passages; `defaults` fill what its front matter lacks
    (the organisation of its folder, the audiences of the folder's org.yaml)."""
    raw = path.read_text(encoding="utf-8")
    meta, body = _front_matter(raw, path, defaults or {})
    if force_id and defaults:
        meta["id"] = defaults["id"]
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
    return sorted({f for f, _ in _files_with_roots(dirs)})


def _files_with_roots(dirs: Iterable[Path]) -> list[tuple[Path, Path]]:
    out: list[tuple[Path, Path]] = []
    for d in dirs:
        d = Path(d)
        if d.is_file():
            out.append((d, d.parent))
        elif d.is_dir():
            out.extend((p, d) for p in d.rglob("*.md") if p.name.lower() != "readme.md")
    return sorted(set(out))


def _folder_defaults(f: Path, root: Path, info: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What a file's folder says about it: the organisation is the folder under the corpus folder (or
    the corpus folder itself), its org.yaml may give audiences."""
    rel = f.relative_to(root)
    folder = root / rel.parts[0] if len(rel.parts) > 1 else root
    org = slug(folder.name).replace("-", "_") or "org"
    entry = info.get(org)
    if entry is None:
        entry = {}
        ofile = folder / ORG_FILE
        if ofile.exists():
            try:
                entry = yamlio.load(ofile.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise CorpusError(f"{ofile}: not valid YAML: {exc}") from exc
            if not isinstance(entry, dict):
                raise CorpusError(f"{ofile}: must be a mapping (name, aliases, audiences, whistleblower)")
            org = str(entry.get("id") or org)
        info[org] = entry
    out: dict[str, Any] = {"organisation": org}
    if entry.get("audiences"):
        out["audiences"] = entry["audiences"]
    return out


def load_corpus(dirs: Iterable[Path] | None = None) -> Corpus:
    """Load every document under `dirs` (default: the corpus bundled with the package)."""
    pairs = _files_with_roots(list(dirs) if dirs else [BUNDLED_CORPUS])
    if not pairs:
        raise CorpusError("no corpus documents found")
    h = hashlib.sha256()
    docs: list[Document] = []
    passages: list[Passage] = []
    seen: dict[str, str] = {}
    info: dict[str, dict[str, Any]] = {}
    for f, root in pairs:
        data = f.read_bytes()
        h.update(f.name.encode() + b"\0" + data + b"\0")
        defaults = _folder_defaults(f, root, info)
        doc, ps = parse_document(f, defaults)
        if doc.id in seen:  # documents exported from one site may share an id: the file name tells them apart
            doc, ps = parse_document(f, {**defaults, "id": f"{doc.id}-{slug(f.stem)}"}, force_id=True)
        if doc.id in seen:
            raise CorpusError(f"{f}: document id '{doc.id}' is also used by {seen[doc.id]}")
        seen[doc.id] = str(f)
        docs.append(doc)
        passages.extend(ps)
    orgs = {d.org for d in docs}
    return Corpus(tuple(docs), tuple(passages), h.hexdigest()[:16], {k: v for k, v in info.items() if k in orgs})
