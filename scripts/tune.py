"""Developer tool: score question sets in-process under different retrieval tunings.

Query embeddings are computed once and memoised, so a grid of tunings costs only the lexical side.
usage: python scripts/tune.py FILE.jsonl [FILE.jsonl ...] [--grid] [--misses] [--strip-curation]
(--strip-curation: the bundled corpus without q:/en: lines and routing files, as HR would add documents)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from bot.cli import reply_json
from bot.config import load_settings
from bot.evaluate import score, strip_curation
from bot.runtime import build_bot
from bot.types import Incoming
from knowledge.corpus import load_corpus
from knowledge.encoders import load_encoder
from knowledge.retrieval import Retriever, Tuning


class Memo:
    """Wraps an encoder and remembers query vectors."""

    def __init__(self, enc):
        self.enc, self.name, self.dim, self.memo = enc, enc.name, enc.dim, {}

    def encode_queries(self, texts):
        out = []
        for t in texts:
            if t not in self.memo:
                self.memo[t] = self.enc.encode_queries([t])[0]
            out.append(self.memo[t])
        return np.vstack(out)

    def encode_passages(self, texts):
        return self.enc.encode_passages(texts)


async def run(bot, items):
    outs = []
    for it in items:
        r = await bot.handle(Incoming(user="t", conversation="t", text=it["q"], org=it["org"], role=it["role"]))
        outs.append(reply_json(r, 0.0))
    return score(items, outs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--misses", action="store_true")
    ap.add_argument("--encoder", default=None)
    ap.add_argument("--set", action="append", default=[], help="tuning field=value")
    ap.add_argument("--strip-curation", action="store_true", help="no q:/en: lines, no routing files")
    a = ap.parse_args()
    settings = load_settings(encoder=a.encoder)
    enc = load_encoder(settings.encoder)
    enc = Memo(enc) if enc else None
    items = [json.loads(line) for f in a.files for line in open(f, encoding="utf-8") if line.strip()]
    base = Tuning()
    for kv in a.set:
        k, v = kv.split("=")
        base = replace(base, **{k: float(v)})
    dirs = None
    if a.strip_curation:
        tmp = Path(tempfile.mkdtemp(prefix="conductbot-tune-"))
        dirs = strip_curation(None, tmp)
        settings.routing_dir = tmp / "no-routing"
        settings.routing_dir.mkdir()
    r = Retriever(load_corpus(dirs or settings.corpus_dirs or None), enc, settings.cache, tuning=base)
    settings.record_questions = False
    bot = asyncio.run(build_bot(settings, retriever=r))
    m = asyncio.run(run(bot, items))
    if a.misses:
        print("\n".join(" | ".join(x) for x in m.misses))
    print("base", m.summary().splitlines()[-3:-1])
    if not a.grid:
        return

    def objective(m):
        n = m.answerable
        return (
            m.hit3 / n
            + m.hit1 / n
            + 0.5 * m.mentions / max(m.mention_total, 1)
            + m.abstain_ok / max(m.abstain_total, 1)
            - 1.0 * m.false_abstain / n
        )

    space = {
        "w_qcover": [0.2, 0.4, 0.6, 0.9, 1.3],
        "w_dense": [0.05, 0.1, 0.18, 0.3, 0.45],
        "w_qdense": [0.03, 0.06, 0.1, 0.16, 0.25],
        "qdense_center": [0.0, 1.0, 2.0, 3.0],
        "hub": [0.5, 0.75, 1.0],
        "w_gram": [0.0, 0.15, 0.3, 0.6],
        "unknown_weight": [0.3, 0.55, 0.8, 1.1],
        "other_audience": [0.7, 0.85, 0.95],
        "lexicon_weight": [0.5, 0.8, 1.0],
        "meta_weight": [0.1, 0.25, 0.5],
        "abstain_below": [0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
    }
    cur = base
    best = objective(asyncio.run(run(bot, items)))
    for _round in range(2):
        for k, vals in space.items():
            for v in vals:
                r.tuning = replace(cur, **{k: v})
                o = objective(asyncio.run(run(bot, items)))
                if o > best + 1e-9:
                    best, cur = o, r.tuning
                    print(f"{k}={v} -> {o:.4f}", flush=True)
    r.tuning = cur
    m = asyncio.run(run(bot, items))
    print(cur)
    print(m.summary().splitlines()[-3:-1])


if __name__ == "__main__":
    main()
