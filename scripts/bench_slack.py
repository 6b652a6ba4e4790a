"""Benchmark: signed Slack events at a steady rate against `conductbot serve`, from a second process.

Starts a local fake of the Slack Web API (tests/fakes/fake_slack.py) and the server (a subprocess,
Slack Web API calls sent to the fake), then sends N direct-message events at RATE per second, each
from its own person and DM, with questions from the dev set; one in ten is sent again as Slack's
retry (same event_id, X-Slack-Retry-Num: 1). Reports the acknowledgement latency (time to the HTTP
200) and checks that every event got exactly one answer: at least one message in its DM, and no
message twice (a retry answered again would repeat the answer).

    .venv/bin/python scripts/bench_slack.py [--events 2000] [--rate 50]

Target: p99 ack <= 100 ms. Needs `conductbot index` to have run (or builds the index first).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
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
from slack_harness import SECRET, start_server, stop_server  # noqa: E402


def questions() -> list[str]:
    shared = REPO.parent / "shared" / "eval" / "dev.jsonl"
    path = shared if shared.exists() else REPO / "eval" / "dev.jsonl"
    return [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def signed(body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    sig = hmac.new(SECRET.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={sig}", "Content-Type": "application/json"}


def event(i: int, q: str) -> tuple[str, bytes]:
    user = f"UB{i:07d}"
    channel = "D" + user[1:]
    body = {
        "token": "unused",
        "team_id": TEAM,
        "api_app_id": "A0000001",
        "type": "event_callback",
        "event_id": f"EvBENCH{i:07d}",
        "event_time": int(time.time()),
        "event": {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": q,
            "ts": f"{i}.000100",
            "channel_type": "im",
            "event_ts": f"{i}.000100",
        },
    }
    return channel, json.dumps(body).encode()


async def load(url: str, n: int, rate: float) -> tuple[list[float], list[int], list[str]]:
    qs = questions()
    latencies: list[float] = []
    statuses: list[int] = []
    channels: list[str] = []
    async with aiohttp.ClientSession() as session:

        async def send(body: bytes, retry: int | None = None) -> None:
            headers = signed(body)
            if retry:
                headers["X-Slack-Retry-Num"] = str(retry)
                headers["X-Slack-Retry-Reason"] = "http_timeout"
            t0 = time.perf_counter()
            async with session.post(url + "/slack/events", data=body, headers=headers) as r:
                await r.read()
                if not retry:
                    latencies.append((time.perf_counter() - t0) * 1000)
                statuses.append(r.status)

        tasks = []
        start = time.perf_counter()
        for i in range(n):
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            channel, body = event(i, qs[i % len(qs)])
            channels.append(channel)
            tasks.append(asyncio.create_task(send(body)))
            if i % 10 == 5:
                tasks.append(asyncio.create_task(_later(1.0, send(body, retry=1))))
        await asyncio.gather(*tasks)
    return latencies, statuses, channels


async def _later(seconds: float, coro: object) -> None:
    await asyncio.sleep(seconds)
    await coro  # type: ignore[misc]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=2000)
    ap.add_argument("--rate", type=float, default=50.0)
    args = ap.parse_args()
    cache = Path(os.environ.get("CONDUCTBOT_CACHE") or Path.home() / ".cache" / "conductbot")
    fake = FakeSlack().start()
    app = start_server(Path(tempfile.mkdtemp(prefix="bench-slack-")), cache, fake)
    try:
        cpu0 = cpu_seconds(app.proc.pid)
        t0 = time.perf_counter()
        latencies, statuses, channels = asyncio.run(load(app.url, args.events, args.rate))
        sent_s = time.perf_counter() - t0
        wanted = set(channels)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            answered = {c.args["channel"] for c in fake.of("chat.postMessage")}
            if wanted <= answered:
                break
            time.sleep(0.2)
        time.sleep(2.0)  # let late duplicates (if any) arrive
        cpu = cpu_seconds(app.proc.pid) - cpu0
        last = max((c.at for c in fake.of("chat.postMessage")), default=0.0)
        posts = Counter((c.args["channel"], c.args["text"]) for c in fake.of("chat.postMessage"))
        answered = {ch for ch, _ in posts}
        twice = [key for key, count in posts.items() if count > 1]
        missing = wanted - answered
        print(f"events sent: {args.events} at {args.rate:g}/s in {sent_s:.1f} s (+{args.events // 10} retries)")
        print(f"HTTP statuses: {dict(Counter(statuses))}")
        print(
            f"ack latency ms: p50 {statistics.median(latencies):.1f}  p99 {pct(latencies, 99):.1f}  "
            f"max {max(latencies):.1f}"
        )
        print(f"events answered: {len(wanted & answered)}/{len(wanted)}; answered twice: {len(twice)}")
        first = fake.of("chat.postMessage")[0].at
        print(f"messages posted: {sum(posts.values())}; the last {last - first:.1f} s after the first")
        print(f"server CPU: {cpu:.1f} s, {cpu / args.events * 1000:.1f} ms per event")
        ok = not missing and not twice and pct(latencies, 99) <= 100 and set(statuses) == {200}
        print("OK" if ok else "FAILED")
        return 0 if ok else 1
    finally:
        stop_server(app)
        fake.stop()


if __name__ == "__main__":
    sys.exit(main())
