"""Benchmark: outgoing Teams posts (adapters/teams/connector.py) against the fake connector.

Starts the fake Bot Framework connector (tests/fakes/fake_teams.py) in a process of its own, so that
only the client's CPU is counted, then makes N proactive posts (an Adaptive Card with five buttons, each
to its own channel) one at a time, and N more 25 at a time. Reports CPU and latency per post.

    .venv/bin/python scripts/bench_teams_posts.py [--posts 500]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from adapters.teams import cards  # noqa: E402
from adapters.teams.connector import Connector  # noqa: E402
from bot.types import Choice  # noqa: E402

FAKE = """
import sys, time
sys.path[:0] = [sys.argv[1] + "/tests/fakes", sys.argv[1] + "/tests"]
from fake_teams import FakeConnector
print(FakeConnector().start().url, flush=True)
time.sleep(3600)
"""


def _body(i: int) -> dict:
    text = f"Samtalsfråga {i}: vad gör vi när någon på mötet blir utsatt för hot? " * 3
    body = cards.post_activity(text, tuple(Choice(str(k), str(k)) for k in range(1, 6)))
    conversation = {"id": f"19:bench{i}@thread.tacv2", "tenantId": "t", "conversationType": "channel"}
    return {**body, "from": {"id": "28:bench"}, "conversation": conversation, "channelId": "msteams"}


async def _run(url: str, n: int) -> list[tuple[str, float, list[float]]]:
    connector = Connector()
    latencies: list[float] = []

    async def one(i: int) -> None:
        t0 = time.perf_counter()
        assert await connector.send(url, f"19:bench{i}@thread.tacv2", _body(i))
        latencies.append((time.perf_counter() - t0) * 1000)

    results = []
    try:
        for i in range(20):  # warm up: the session, the connection, the first validations
            await one(i)
        for label, batch in (("one at a time", 1), ("25 at a time", 25)):
            latencies.clear()
            cpu0 = time.process_time()
            for start in range(0, n, batch):
                await asyncio.gather(*(one(i) for i in range(start, min(n, start + batch))))
            results.append((label, (time.process_time() - cpu0) / n * 1000, sorted(latencies)))
    finally:
        await connector.close()
    return results


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=500)
    args = ap.parse_args()
    fake = subprocess.Popen([sys.executable, "-c", FAKE, str(REPO)], stdout=subprocess.PIPE, text=True)
    try:
        url = (fake.stdout.readline() if fake.stdout else "").strip()
        for label, cpu, lat in asyncio.run(_run(url, args.posts)):
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
            print(
                f"{args.posts} posts {label}: CPU {cpu:.2f} ms per post; "
                f"latency p50 {statistics.median(lat):.2f} ms, p99 {p99:.2f} ms"
            )
    finally:
        fake.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
