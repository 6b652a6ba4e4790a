"""Benchmark: other people's acknowledgement latency while `conductbot serve` processes a huge message.

Starts the fake Slack Web API (tests/fakes/fake_slack.py) and `conductbot serve` on 127.0.0.1, then,
for each heavy message (a 40,000-character word, Slack's message limit; and a message of ordinary
words just under the input limit, which is analysed in full), sends it as a direct message and at
the same time sends signed events from other people at RATE per second for SECONDS. Reports the
other events' acknowledgement latency (p50, p99, max), how long the heavy message took to be
answered, and whether every event got exactly one answer.

    .venv/bin/python scripts/bench_longword.py [--rate 50] [--seconds 5] [--chars 40000]

Target: max ack latency of the others <= 100 ms; the heavy message answered with a clear reply.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests" / "fakes"), str(REPO / "tests")]

from fake_slack import TEAM, FakeSlack  # noqa: E402
from slack_harness import sign, start_server, stop_server  # noqa: E402

QUESTIONS = [
    "Vem ska jag säga till om en kollega verkar påverkad?",
    "Får jag ta emot en present från en leverantör?",
    "what do I do if I suspect bribery?",
    "Hur ska jag bemöta en arg medborgare?",
]


def body(i: int, user: str, text: str) -> bytes:
    return json.dumps(
        {
            "token": "unused",
            "team_id": TEAM,
            "api_app_id": "A0000001",
            "type": "event_callback",
            "event_id": f"EvLONG{i:08d}",
            "event_time": int(time.time()),
            "event": {
                "type": "message",
                "channel": "D" + user[1:],
                "user": user,
                "text": text,
                "ts": f"{i}.000100",
                "channel_type": "im",
                "event_ts": f"{i}.000100",
            },
        }
    ).encode()


def heavy_texts(chars: int) -> dict[str, str]:
    word = ("korruptionsmisstankeanmälan" * (chars // 20 + 1))[:chars]
    ordinary = " ".join(QUESTIONS)
    words = (ordinary + " ") * (9990 // (len(ordinary) + 1))
    words = words.strip()
    return {f"one {chars:,}-character word": word, f"{len(words):,} characters of ordinary words": words}


async def run(url: str, heavy: str, rate: float, seconds: float, base: int) -> tuple[list[float], float, list[str]]:
    latencies: list[float] = []
    channels: list[str] = []
    async with aiohttp.ClientSession() as session:

        async def send(i: int, user: str, text: str) -> float:
            data = body(base + i, user, text)
            t0 = time.perf_counter()
            headers = {**sign(data), "Content-Type": "application/json"}
            async with session.post(url + "/slack/events", data=data, headers=headers) as r:
                await r.read()
                assert r.status == 200, r.status
            return (time.perf_counter() - t0) * 1000

        heavy_user = f"UH{base:07d}"
        channels.append("D" + heavy_user[1:])
        heavy_ack = asyncio.create_task(send(0, heavy_user, heavy))
        tasks = []
        start = time.perf_counter()
        for i in range(1, int(rate * seconds) + 1):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            user = f"UO{base + i:07d}"
            channels.append("D" + user[1:])
            tasks.append(asyncio.create_task(send(i, user, QUESTIONS[i % len(QUESTIONS)])))
        latencies = list(await asyncio.gather(*tasks))
        await heavy_ack
    return latencies, start, channels


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rate", type=float, default=50.0)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--chars", type=int, default=40_000)
    args = ap.parse_args()
    cache = Path(os.environ.get("CONDUCTBOT_CACHE") or Path.home() / ".cache" / "conductbot")
    fake = FakeSlack().start()
    app = start_server(Path(tempfile.mkdtemp(prefix="bench-longword-")), cache, fake)
    ok = True
    try:
        asyncio.run(run(app.url, QUESTIONS[0], args.rate, 2.0, 9_000_000))  # warm-up: first calls are slower
        time.sleep(2.0)
        for n, (name, text) in enumerate(heavy_texts(args.chars).items()):
            fake.clear()
            t0 = time.monotonic()
            latencies, _, channels = asyncio.run(run(app.url, text, args.rate, args.seconds, n * 1_000_000))
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if set(channels) <= {c.args["channel"] for c in fake.of("chat.postMessage")}:
                    break
                time.sleep(0.1)
            time.sleep(1.0)
            posts = fake.of("chat.postMessage")
            heavy_at = [c.at for c in posts if c.args["channel"] == channels[0]]
            counts = Counter((c.args["channel"], c.args.get("text")) for c in posts)
            answered = {ch for ch, _ in counts}
            twice = sum(1 for v in counts.values() if v > 1)
            missing = set(channels) - answered
            heavy_reply = next((c.args.get("text", "") for c in posts if c.args["channel"] == channels[0]), "")
            print(f"heavy message: {name}")
            if heavy_at:
                print(f"  answered after {min(heavy_at) - t0:.2f} s: {heavy_reply[:100]!r}")
            else:
                print("  NOT answered")
            print(
                f"  other events: {len(latencies)} at {args.rate:g}/s; ack ms p50 {statistics.median(latencies):.1f} "
                f"p99 {pct(latencies, 99):.1f} max {max(latencies):.1f}"
            )
            print(f"  answered {len(answered & set(channels))}/{len(channels)}, twice {twice}, missing {len(missing)}")
            ok = ok and bool(heavy_at) and not missing and not twice and max(latencies) <= 100
        print("OK" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        stop_server(app)
        fake.stop()


if __name__ == "__main__":
    sys.exit(main())
