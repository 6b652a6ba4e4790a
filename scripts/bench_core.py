"""Benchmark of the core: warm in-process answer latency idle and with busy neighbours, `conductbot ask`
start-to-answer, adding one document to an indexed corpus, peak RSS.

Targets (issues 2 and 13, 2-core machine): warm p50 <= 10 ms and p95 <= 25 ms idle; p95 with two busy
processes on the machine (`python -c 'while 1: pass'`) at most 3 times the idle p95; `conductbot ask`
from process start to printed answer <= 3 s; one added document re-indexed in <= 5 s; peak RSS <= 500 MB.
The encoder's OpenMP threads wait passively (set in knowledge/encoders.py), so busy neighbours do not
turn a spinning wait into seconds; run with OMP_WAIT_POLICY=ACTIVE to see the difference.

usage: python scripts/bench_core.py [QUESTIONS.jsonl ...]   (default: eval/heldout.jsonl and the shared dev set)
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
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


async def warm(items: list[dict[str, str]], busy: int = 0) -> list[float]:
    """Answer every question in one warm bot, each in a conversation of its own; with `busy`, that many
    spinning processes share the machine meanwhile (started here, stopped by their pids)."""
    settings = load_settings()
    settings.record_questions = False
    bot = await build_bot(settings, memory=True)
    for i, it in enumerate(items[:5]):  # warm-up
        await bot.handle(Incoming(user=f"w{i}", conversation=f"w{i}", text=it["q"], org=it["org"], role=it["role"]))
    spinners = [await asyncio.create_subprocess_exec(sys.executable, "-c", "while 1: pass") for _ in range(busy)]
    try:
        await asyncio.sleep(0.5 if busy else 0)
        out = []
        for i, it in enumerate(items):  # each question in a conversation of its own, as a person asks it
            t0 = time.perf_counter()
            who = f"b{busy}-{i}"
            inc = Incoming(user=who, conversation=who, text=it["q"], org=it["org"], role=it["role"])
            await bot.handle(inc)
            out.append((time.perf_counter() - t0) * 1000)
    finally:
        for p in spinners:
            p.kill()
            await p.wait()
        await bot.close()
    return out


def add_document() -> float:
    """Seconds for `conductbot index` to take in one new document of an already indexed corpus."""
    exe = [sys.executable, "-m", "bot"]
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(ROOT / "knowledge" / "corpus", corpus)
        home = Path(tmp) / "home"
        home.mkdir()
        (home / "config.yaml").write_text(f"corpus_dirs: [{corpus}]\n", encoding="utf-8")
        env = {**os.environ, "CONDUCTBOT_HOME": str(home)}
        subprocess.run([*exe, "index"], check=True, capture_output=True, env=env, cwd=ROOT)
        paragraphs = "\n\n".join(
            f"Punkt {i}: den som ser en risk på arbetsplatsen ska genast meddela sin chef (rutin {i})."
            for i in range(12)
        )
        (corpus / "kommun" / "kommun-sakerhet.md").write_text(
            f"---\nid: kommun-sakerhet\norganisation: kommun\ntitle: Säkerhet\n---\n\n## Risker\n\n{paragraphs}\n",
            encoding="utf-8",
        )
        t0 = time.perf_counter()
        subprocess.run([*exe, "index"], check=True, capture_output=True, env=env, cwd=ROOT)
        return time.perf_counter() - t0


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
    load = os.getloadavg()[0]
    lat = sorted(asyncio.run(warm(items)))
    p50 = statistics.median(lat)
    p95 = lat[int(0.95 * (len(lat) - 1))]
    busy = sorted(asyncio.run(warm(items, busy=2)))
    b50, b95 = statistics.median(busy), busy[int(0.95 * (len(busy) - 1))]
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    times, child_rss = cold()
    added = add_document()
    print(f"load average before the run: {load:.2f} on {os.cpu_count()} cores; OMP_WAIT_POLICY as the encoder set it")
    print(
        f"warm in-process answers: n={len(lat)} p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {lat[-1]:.1f} ms"
        f"   (targets p50 <= 10, p95 <= 25)"
    )
    print(
        f"with two busy processes: p50 {b50:.1f} ms  p95 {b95:.1f} ms  max {busy[-1]:.1f} ms"
        f"   (target p95 <= 3 x idle p95 = {3 * p95:.1f})"
    )
    print(f"conductbot index after adding one document (12 passages): {added:.2f} s   (target <= 5 s)")
    print(
        f"conductbot ask, process start to printed answer: median {statistics.median(times):.2f} s"
        f"  max {max(times):.2f} s   (target <= 3 s)"
    )
    print(f"peak RSS: conductbot ask {child_rss:.0f} MB, warm benchmark process {self_rss:.0f} MB   (target <= 500 MB)")


if __name__ == "__main__":
    main()
