"""The corpus file for an imported document: front matter, `#`/`##` headings, verbatim paragraphs and
lists, in the format `knowledge.corpus` reads; and what changed against the file it replaces."""

from __future__ import annotations

import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.corpus import Passage, parse_document, slug
from knowledge.importer.layout import Unit

AUDIENCE_RULES = Path(__file__).with_name("audiences.yaml")


def doc_id(org: str, path: Path) -> str:
    """'Bemötandekod.pdf' for org 'vasteras' -> 'vasteras-bemotandekod'."""
    s = slug(path.stem)
    return s if s.startswith(org + "-") or s == org else f"{org}-{s}"


def audiences_for(title: str, stem: str, rules_path: Path = AUDIENCE_RULES) -> list[str]:
    """Audiences from the title's words (then the file name's), by the rules in `audiences.yaml`."""
    data = yaml.safe_load(rules_path.read_text(encoding="utf-8")) or {}
    for text in (title, stem.replace("-", " ").replace("_", " ")):
        toks = [_fold(t) for t in text.split()]
        for rule in data.get("rules") or []:
            if any(t.startswith(_fold(w)) for w in rule.get("words") or [] for t in toks):
                return [str(a) for a in rule["audiences"]]
    return [str(a) for a in data.get("default") or ["all"]]


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()


def render(meta: dict[str, object], units: list[Unit]) -> str:
    """The Markdown text of one corpus file."""
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000, default_flow_style=None)
    out = ["---", front.rstrip("\n"), "---", ""]
    prev = ""
    for u in units:
        text = " ".join(u.text.split())
        if u.kind == "head":
            out += ["", f"{'#' * max(1, u.level)} {text}", ""]
        elif u.kind == "item":
            if prev not in ("item", "para"):
                out.append("")
            out.append(f"- {text}")
        else:
            if prev in ("item", "para"):
                out.append("")
            out.append(text)
        prev = u.kind
    lines = "\n".join(out).split("\n")
    squeezed: list[str] = []
    for ln in lines:
        if ln == "" and squeezed and squeezed[-1] == "":
            continue
        squeezed.append(ln)
    return "\n".join(squeezed).rstrip() + "\n"


def passages_of(text: str) -> list[Passage]:
    """The passages `knowledge.corpus` reads from a corpus file's text."""
    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "doc.md"
        p.write_text(text, encoding="utf-8")
        return parse_document(p)[1]


@dataclass(frozen=True, slots=True)
class Diff:
    """How a re-import differs from the file it replaces, passage by passage."""

    unchanged: int
    changed: list[str]
    added: list[str]
    removed: list[str]

    def describe(self) -> str:
        parts = [f"{self.unchanged} passages unchanged (same ids)"]
        for name, ids in (("changed", self.changed), ("added", self.added), ("removed", self.removed)):
            if ids:
                shown = ", ".join(ids[:8]) + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")
                parts.append(f"{len(ids)} {name}: {shown}")
        return "; ".join(parts)


def diff(old_text: str, new_text: str) -> Diff:
    """Passages compared by id: unchanged, changed text, new ids, ids that are gone."""
    old = {p.id: " ".join(p.text.split()) for p in passages_of(old_text)}
    new = {p.id: " ".join(p.text.split()) for p in passages_of(new_text)}
    same = sum(1 for k, v in new.items() if old.get(k) == v)
    changed = [k for k, v in new.items() if k in old and old[k] != v]
    return Diff(same, changed, [k for k in new if k not in old], [k for k in old if k not in new])


def ensure_org(folder: Path, org: str, name: str, audiences: list[str]) -> bool:
    """Create `<folder>/org.yaml` (name, aliases, audiences) for a new organisation; True if created."""
    path = folder / "org.yaml"
    if path.exists():
        return False
    folder.mkdir(parents=True, exist_ok=True)
    data = {"name": name or org, "aliases": [], "audiences": audiences}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=None), "utf-8")
    return True
