"""Calibrate recognition by meaning (intents/meaning.yaml) on a labelled intent set.

usage: python scripts/calibrate_intents.py FILE.jsonl [--org ORG]

Each message of FILE is read once, as the first message of a conversation: the intent its words pick
(the registry's ORDER) and its meaning (every intent's score). Then every threshold, margin and override
of a grid is tried with the registry's own `decide`, and the best by accuracy (ties: the larger
threshold, the fewer decisions by meaning) are printed with precision and recall per intent, beside the
words alone. Calibrate on one set and measure on another (`conductbot eval FILE --intents`).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path

from bot.config import load_settings
from bot.runtime import build_bot
from bot.types import Incoming
from intents import registry
from intents.meaning import Calibration

# what a prediction is counted as: the policy answer takes what no intent takes; pulse answers are schedule
Rows = list[tuple[str, str | None, object, frozenset[str]]]
LABEL = {None: "policy_answer", "pulse": "schedule", "feedback": "policy_answer"}


async def observe(path: Path, org: str | None) -> Rows:
    settings = load_settings()
    settings.record_questions = False
    bot = await build_bot(settings, memory=True)
    out = []
    lines = await asyncio.to_thread(path.read_text, encoding="utf-8")
    try:
        for n, line in enumerate(lines.splitlines()):
            if not line.strip():
                continue
            it = json.loads(line)
            inc = Incoming(user=f"cal-{n}", conversation=f"cal-{n}", text=str(it["text"]),
                           org=it.get("org") or org, role=it.get("role") or "manager")  # fmt: skip
            ctx = await bot.context(inc)
            await ctx.prefetch()
            if any(m.matches(ctx) for m in registry.FIRST):  # crisis words answer before any choice
                out.append((str(it["intent"]), "crisis", None, frozenset()))
                continue
            by_words = next((m.NAME for m in registry.ORDER if m.matches(ctx)), None)
            takes = frozenset(n for n in registry.NAMES if registry.takes_by_meaning(n, ctx))
            out.append((str(it["intent"]), by_words, ctx.sense, takes))
    finally:
        await bot.close()
    return out


def score(rows: Rows, cal: Calibration | None) -> tuple[float, Counter, Counter, Counter]:
    tp: Counter[str] = Counter()
    pred: Counter[str] = Counter()
    gold: Counter[str] = Counter()
    for want, by_words, sense, takes in rows:
        got = registry.decide(by_words, sense, cal, takes.__contains__)  # type: ignore[arg-type]
        got = LABEL.get(got, got)
        gold[want] += 1
        pred[got] += 1
        tp[want] += got == want
    return sum(tp.values()) / len(rows), tp, pred, gold


def table(rows: Rows, cal: Calibration | None) -> str:
    acc, tp, pred, gold = score(rows, cal)
    lines = [f"{'intent':22} {'precision':>9} {'recall':>7}"]
    for name in sorted(gold):
        p = tp[name] / pred[name] if pred[name] else 0.0
        lines.append(f"{name:22} {p:9.3f} {tp[name] / gold[name]:7.3f}")
    return "\n".join([*lines, f"accuracy {acc:.3f}"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", type=Path)
    ap.add_argument("--org", default=None)
    args = ap.parse_args()
    rows = asyncio.run(observe(args.file, args.org))
    base = Calibration.load()
    print("words alone:\n" + table(rows, None) + "\n")
    print(f"as configured ({base.threshold}, {base.margin}, {base.override}):\n" + table(rows, base) + "\n")
    best: tuple[float, float, Calibration] | None = None
    for th, mg, ov in itertools.product(
        [0.80 + 0.01 * i for i in range(13)], [0.0, 0.01, 0.02, 0.03, 0.05], [0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 1.0]
    ):
        cal = replace(base, threshold=round(th, 2), margin=mg, override=ov)
        acc = score(rows, cal)[0]
        key = (acc, th + ov)
        if best is None or key > best[:2]:
            best = (*key, cal)
    assert best is not None
    cal = best[2]
    print(f"best (threshold {cal.threshold}, margin {cal.margin}, override {cal.override}):\n" + table(rows, cal))


if __name__ == "__main__":
    main()
