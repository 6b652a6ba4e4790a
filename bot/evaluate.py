"""Question-set metrics for administrators: hit@1, hit@3, routing mentions, abstentions, latency.

Same definitions as `shared/eval/score.py`: a gold phrase hits a citation when it occurs in the
citation text after both are lower-cased and stripped of everything but letters and digits.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.corpus import BUNDLED_CORPUS, corpus_files

_CURATION = re.compile(r"^\s*<!--\s*(q|en):.*?-->\s*$", re.S | re.M)


def norm(s: str) -> str:
    """Lower-case, letters and digits only."""
    return re.sub(r"[^0-9a-zåäöéü]", "", s.lower())


@dataclass(slots=True)
class Metrics:
    """What a question set scored."""

    answerable: int = 0
    hit1: int = 0
    hit3: int = 0
    false_abstain: int = 0
    mentions: int = 0
    mention_total: int = 0
    abstain_ok: int = 0
    abstain_total: int = 0
    latencies: list[float] = field(default_factory=list)
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        """The report as text, in the scorer's words."""
        lat = sorted(x for x in self.latencies if x == x)
        p50 = statistics.median(lat) if lat else float("nan")
        p95 = lat[int(0.95 * (len(lat) - 1))] if lat else float("nan")
        n = self.answerable or 1
        lines = [" | ".join(("MISS", *m)) for m in self.misses]
        lines += [
            f"answerable {self.answerable}: hit@1 {self.hit1 / n:.3f}  hit@3 {self.hit3 / n:.3f}  "
            f"false-abstain {self.false_abstain}",
            f"routing mentions: {self.mentions}/{self.mention_total}   "
            f"out-of-scope abstained: {self.abstain_ok}/{self.abstain_total}",
            f"latency in-process ms: p50 {p50:.1f}  p95 {p95:.1f}  max {lat[-1] if lat else float('nan'):.1f}",
        ]
        return "\n".join(lines)


def score(items: list[dict[str, Any]], outs: list[dict[str, Any]]) -> Metrics:
    """Score answers (batch JSON shape) against their questions."""
    m = Metrics()
    for it, out in zip(items, outs, strict=True):
        m.latencies.append(float(out.get("elapsed_ms", float("nan"))))
        text = out.get("text", "") or ""
        cites = [norm(c.get("text", "")) for c in (out.get("citations") or [])]
        qid, q = str(it.get("id", "")), str(it.get("q", ""))
        if it.get("abstain"):
            m.abstain_total += 1
            if out.get("abstained"):
                m.abstain_ok += 1
            else:
                m.misses.append((qid, "should abstain", q, text[:100]))
            continue
        m.answerable += 1
        m.false_abstain += bool(out.get("abstained"))
        gold = [norm(g) for g in it.get("gold", [])]
        hit = [any(g in c for g in gold) for c in cites]
        m.hit1 += bool(hit[:1] and hit[0])
        if any(hit[:3]):
            m.hit3 += 1
            if not hit[0]:
                m.misses.append((qid, "gold not first", q, (out.get("citations") or [{}])[0].get("text", "")[:100]))
        else:
            first = (out.get("citations") or [{}])[0].get("text", "")
            m.misses.append((qid, "no gold in top 3", q, first[:100]))
        if "mention_any" in it or "mention_none" in it:
            m.mention_total += 1
            low = text.lower()
            ok = any(x.lower() in low for x in it.get("mention_any", [""])) and not any(
                x.lower() in low for x in it.get("mention_none", [])
            )
            m.mentions += ok
            if not ok:
                m.misses.append((qid, "mention", q, text[:160]))
    return m


def strip_curation(dirs: Iterable[Path] | None, dest: Path) -> list[Path]:
    """Copy the corpus to `dest` without its curation: every `<!-- q: -->` and `<!-- en: -->` line
    removed, so the documents are what an HR administrator would add. Returns the folders to load."""
    srcs = [Path(d) for d in (dirs or [BUNDLED_CORPUS])]
    out: list[Path] = []
    for n, src in enumerate(srcs):
        root = dest / f"corpus{n}"
        for f in corpus_files([src]):
            rel = f.relative_to(src) if src.is_dir() else Path(f.name)
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_CURATION.sub("", f.read_text(encoding="utf-8")), encoding="utf-8")
        if src.is_dir():
            for extra in src.rglob("org.yaml"):
                target = root / extra.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(extra.read_bytes())
        out.append(root)
    return out
