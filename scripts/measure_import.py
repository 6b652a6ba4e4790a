"""Measure `conductbot import` on the raw policy exports against the hand-cleaned corpus (issue 15).

For every raw text in ../shared/policies (the organisation is the file name's first word), import it
with no per-document options, then report:
- the share of hand-cleaned passages (knowledge/corpus, `q:`/`en:` lines removed, whitespace
  normalised) that appear verbatim as imported passages of the same organisation (and the share
  contained in one);
- the hand-cleaned section headings found among the imported headings (any level, case and a
  leading "Fråga N:"/number aside);
- page numbers, running headers and lone value words left inside imported passages;
- the repairs made, by kind (the count of split words joined among them).

With `--eval DEVSET` it then answers the question set from the imported corpus alone
(`conductbot eval`, `corpus_dirs` pointing at the import, each imported document under the id of the
bundled document it matches best, so the bundled four-question check data still find it).

Usage: python scripts/measure_import.py [--raw DIR] [--keep DIR] [--eval eval/dev.jsonl]
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from knowledge.corpus import parse_document  # noqa: E402
from knowledge.importer import import_document  # noqa: E402
from knowledge.importer.structure import same_heading  # noqa: E402

COMMENT = re.compile(r"^\s*<!--\s*(q|en):.*?-->\s*$", re.M | re.S)
HEADING = re.compile(r"^(#{1,2})\s+(.*)$", re.M)


def _norm(text: str) -> str:
    return " ".join(text.split())


def cleaned(org_dir: Path, tmp: Path) -> tuple[list[str], list[str]]:
    """Passages and headings of the hand-cleaned corpus of one organisation, without q:/en: lines."""
    passages: list[str] = []
    heads: list[str] = []
    for f in sorted(org_dir.glob("*.md")):
        text = COMMENT.sub("", f.read_text(encoding="utf-8"))
        heads += [h.strip("* ") for _, h in HEADING.findall(text.split("\n---", 2)[-1])]
        p = tmp / f.name
        p.write_text(text, encoding="utf-8")
        passages += [_norm(x.text) for x in parse_document(p)[1]]
    return passages, heads


def furniture_lines(raw: Path) -> set[str]:
    """Lines of the raw text that are page furniture: bare numbers, short lines repeated in capitals."""
    lines = [ln.strip() for ln in raw.read_text(encoding="utf-8").splitlines() if ln.strip()]
    counts = Counter(lines)
    return {ln for ln in lines if ln.isdigit() or (counts[ln] > 1 and ln.isupper() and len(ln) > 3)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--raw", default=str(REPO.parent / "shared" / "policies"))
    ap.add_argument("--keep", help="write the imported files here")
    ap.add_argument("--eval", help="then score this question set on the imported corpus (slow: embeds it)")
    args = ap.parse_args()
    raw_dir = Path(args.raw)
    out = Path(args.keep or tempfile.mkdtemp(prefix="import-"))
    tmp = Path(tempfile.mkdtemp(prefix="cleaned-"))
    imported: dict[str, list[str]] = defaultdict(list)
    imported_heads: dict[str, list[str]] = defaultdict(list)
    kinds: Counter[str] = Counter()
    leftovers: list[str] = []
    for raw in sorted(raw_dir.iterdir()):
        if raw.name.lower() == "readme.md" or raw.suffix.lower() not in (".txt", ".md", ".pdf", ".docx", ".html"):
            continue
        org = raw.name.split("-", 1)[0]
        r = import_document(raw, org, out)
        r.target.parent.mkdir(parents=True, exist_ok=True)
        r.target.write_text(r.text, encoding="utf-8")
        kinds.update(c.kind for c in r.report.changes)
        ps = [_norm(p.text) for p in parse_document(r.target)[1]]
        imported[org] += ps
        imported_heads[org] += [h for _, h in HEADING.findall(r.text.split("\n---", 2)[-1])]
        furn = furniture_lines(raw)
        for p in ps:
            for w in re.findall(r"\b[A-ZÅÄÖ]{4,}\b", p):
                leftovers.append(f"{raw.name}: capitals word {w!r} in: {p[:70]}")
            for f in furn:
                if re.search(rf"(^|\s){re.escape(f)}(\s|$)", p):
                    leftovers.append(f"{raw.name}: furniture {f!r} in: {p[:70]}")
    total = found = contained = heads = heads_found = 0
    misses: list[str] = []
    for org in sorted(imported):
        ref, ref_heads = cleaned(REPO / "knowledge" / "corpus" / org, tmp)
        pool = set(imported[org])
        joined = "\n".join(imported[org])
        for p in ref:
            total += 1
            if p in pool:
                found += 1
            else:
                misses.append(f"{org}: {p[:110]}")
            contained += p in pool or p in joined
        for h in ref_heads:
            heads += 1
            if any(same_heading(h, x) for x in imported_heads[org]):
                heads_found += 1
            else:
                misses.append(f"{org}: heading not found: {h}")
    print(f"passages of the hand-cleaned corpus found verbatim: {found}/{total} = {found / total:.3f}")
    print(f"  ... verbatim inside an imported passage: {contained}/{total} = {contained / total:.3f}")
    print(f"section headings found: {heads_found}/{heads}")
    print(f"page numbers, running headers, value words left in passages: {len(leftovers)}")
    for x in leftovers:
        print(f"  {x}")
    print("repairs and removals:")
    for k, n in kinds.most_common():
        print(f"  {n:4d}  {k}")
    split = sum(n for k, n in kinds.items() if k.startswith(("joined word", "hyphenated")))
    print(f"split words joined: {split}")
    print("misses:")
    for m in misses:
        print(f"  {m}")
    print(f"imported files under {out}")
    if args.eval:
        return run_eval(out, tmp, Path(args.eval))
    return 0


def run_eval(out: Path, tmp: Path, devset: Path) -> int:
    """`conductbot eval` with only the imported corpus, documents renamed to their bundled twins' ids."""
    named = tmp / "as-bundled"
    for f in sorted(out.rglob("*.md")):
        org = f.parent.name
        mine = {_norm(p.text) for p in parse_document(f)[1]}
        best, score = f.stem, 0
        for ref in (REPO / "knowledge" / "corpus" / org).glob("*.md"):
            clean = tmp / f"ref-{ref.name}"
            clean.write_text(COMMENT.sub("", ref.read_text(encoding="utf-8")), encoding="utf-8")
            n = len(mine & {_norm(p.text) for p in parse_document(clean)[1]})
            if n > score:
                best, score = ref.stem, n
        text = re.sub(r"^id: .*$", f"id: {best}", f.read_text(encoding="utf-8"), count=1, flags=re.M)
        (named / org).mkdir(parents=True, exist_ok=True)
        (named / org / f"{best}.md").write_text(text, encoding="utf-8")
    home = tmp / "home"
    home.mkdir(exist_ok=True)
    (home / "config.yaml").write_text(f"corpus_dirs: [{named}]\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONDUCTBOT_")}
    env.update({"CONDUCTBOT_HOME": str(home), "CONDUCTBOT_CACHE": str(tmp / "cache"), "PYTHONPATH": str(REPO)})
    print(f"dev set on the imported corpus ({named}):", flush=True)
    return subprocess.call([sys.executable, "-m", "bot", "eval", str(devset), "--misses"], env=env, cwd=REPO)


if __name__ == "__main__":
    sys.exit(main())
