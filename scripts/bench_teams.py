"""Benchmark: Bot Framework activities at a steady rate against `conductbot serve`, from a second process.

Starts a local fake Bot Framework connector (tests/fakes/fake_teams.py) and the server (a subprocess,
Teams enabled for local testing), then posts N message activities at RATE per second, each in its own
personal chat, with questions from the dev set. Reports the acknowledgement latency (time to the HTTP
201) and checks that every activity got exactly one answer: replies to that activity reached the
connector, and no reply text twice.

    .venv/bin/python scripts/bench_teams.py [--activities 2000] [--rate 50]

Target: p99 ack <= 100 ms.
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
sys.path[:0] = [str(REPO / "tests" / "fakes"), str(REPO / "tests"), str(REPO / "scripts")]

from bench_slack import cpu_seconds, pct, questions  # noqa: E402
from fake_teams import FakeConnector  # noqa: E402
from teams_harness import activity, start_server, stop_server  # noqa: E402


async def load(url: str, service_url: str, n: int, rate: float) -> tuple[list[float], list[int], dict[str, str]]:
    qs = questions()
    latencies: list[float] = []
    statuses: list[int] = []
    sent: dict[str, str] = {}  # activity id -> conversation
    async with aiohttp.ClientSession() as session:

        async def post(body: dict) -> None:
            t0 = time.perf_counter()
            async with session.post(url + "/api/messages", json=body) as r:
                await r.read()
                latencies.append((time.perf_counter() - t0) * 1000)
                statuses.append(r.status)

        tasks = []
        start = time.perf_counter()
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            body = activity(service_url, f"bench{i:07d}", qs[i % len(qs)])
            sent[body["id"]] = body["conversation"]["id"]
            tasks.append(asyncio.create_task(post(body)))
        await asyncio.gather(*tasks)
    return latencies, statuses, sent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--activities", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=50.0)
    args = ap.parse_args()
    cache = Path(os.environ.get("CONDUCTBOT_CACHE") or Path.home() / ".cache" / "conductbot")
    fake = FakeConnector().start()
    app = start_server(Path(tempfile.mkdtemp(prefix="bench-teams-")), cache, fake)
    try:
        cpu0 = cpu_seconds(app.proc.pid)
        t0 = time.perf_counter()
        latencies, statuses, sent = asyncio.run(load(app.url, fake.url, args.activities, args.rate))
        took = time.perf_counter() - t0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            replied = {s.body.get("replyToId") for s in fake.sent}
            if set(sent) <= replied:
                break
            time.sleep(0.2)
        time.sleep(2.0)
        cpu = cpu_seconds(app.proc.pid) - cpu0
        replies = Counter(
            (s.body.get("replyToId"), json.dumps(s.body.get("attachments") or s.body.get("text"))) for s in fake.sent
        )
        answered = {aid for aid, _ in replies}
        twice = [k for k, c in replies.items() if c > 1]
        wrong_place = [s for s in fake.sent if sent.get(s.body.get("replyToId")) not in (None, s.conversation)]
        print(f"activities sent: {args.activities} at {args.rate:g}/s in {took:.1f} s")
        print(f"HTTP statuses: {dict(Counter(statuses))}")
        p50, p99 = statistics.median(latencies), pct(latencies, 99)
        print(f"ack latency ms: p50 {p50:.1f}  p99 {p99:.1f}  max {max(latencies):.1f}")
        print(
            f"activities answered: {len(set(sent) & answered)}/{len(sent)}; answered twice: {len(twice)}; "
            f"in the wrong conversation: {len(wrong_place)}"
        )
        print(f"server CPU: {cpu:.1f} s, {cpu / args.activities * 1000:.1f} ms per activity")
        ok = set(sent) <= answered and not twice and not wrong_place and pct(latencies, 99) <= 100
        ok = ok and set(statuses) == {201}
        print("OK" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        stop_server(app)
        fake.stop()


if __name__ == "__main__":
    sys.exit(main())
