"""Benchmark of the core: warm in-process answer latency, `conductbot ask` start-to-answer, peak RSS.

Targets (issue 2, 2-core machine): warm p50 <= 10 ms and p95 <= 25 ms; `conductbot ask` from process
start to printed answer <= 3 s; peak RSS <= 500 MB.

usage: python scripts/bench_core.py [QUESTIONS.jsonl ...]   (default: eval/heldout.jsonl and the shared dev set)
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.runtime import build_bot  # noqa: E402
from bot.types import Incoming  # noqa: E402


def questions(files: list[str]) -> list[dict[str, str]]:
    items = []
    for f in files:
        with open(f, encoding="utf-8") as fh:
            items += [json.loads(line) for line in fh if line.strip()]
    return items


async def warm(items: list[dict[str, str]]) -> list[float]:
    settings = load_settings()
    settings.record_questions = False
    bot = await build_bot(settings, memory=True)
    for it in items[:5]:  # warm-up
        await bot.handle(Incoming(user="b", conversation="b", text=it["q"], org=it["org"], role=it["role"]))
    out = []
    for it in items:
        t0 = time.perf_counter()
        await bot.handle(Incoming(user="b", conversation="b", text=it["q"], org=it["org"], role=it["role"]))
        out.append((time.perf_counter() - t0) * 1000)
    await bot.close()
    return out


def cold(n: int = 5) -> tuple[list[float], float]:
    exe = [str(ROOT / ".venv" / "bin" / "conductbot")]
    if not os.path.exists(exe[0]):
        exe = [sys.executable, "-m", "bot"]
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(
            [*exe, "ask", "Vem ska jag säga till om en kollega verkar påverkad på jobbet?"],
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - t0)
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return times, rss_mb


def main() -> None:
    files = sys.argv[1:] or [str(ROOT / "eval" / "heldout.jsonl"), str(ROOT.parent / "shared" / "eval" / "dev.jsonl")]
    items = [it for it in questions(files) if os.path.exists(files[0])]
    lat = sorted(asyncio.run(warm(items)))
    p50 = statistics.median(lat)
    p95 = lat[int(0.95 * (len(lat) - 1))]
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times, child_rss = cold()
    print(
        f"warm in-process answers: n={len(lat)} p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {lat[-1]:.1f} ms"
        f"   (targets p50 <= 10, p95 <= 25)"
    )
    print(
        f"conductbot ask, process start to printed answer: median {statistics.median(times):.2f} s"
        f"  max {max(times):.2f} s   (target <= 3 s)"
    )
    print(f"peak RSS: conductbot ask {child_rss:.0f} MB, warm benchmark process {self_rss:.0f} MB   (target <= 500 MB)")


if __name__ == "__main__":
    main()
