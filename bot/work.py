"""A bounded pool for CPU-heavy work (retrieval), so that no message holds up the event loop.

Retrieval encodes the question (onnxruntime / numpy release the GIL while they compute) and scores
passages; run on the event loop it would delay every other person's acknowledgement. `Workers.run`
runs a function in a small thread pool and awaits it. At most `limit` calls run at once and at most
`queue` more wait; beyond that `Busy` is raised at once, and the bot says it is busy, rather than
building an unbounded backlog.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")


def _lower_priority(nice: int) -> None:
    """Run this worker thread (and the encoder threads it starts) at `nice` (Linux: nice is per thread).
    The default is 0: on a host that other processes keep busy, a worker below their priority gets a fraction
    of a core and a question waits (measured with two busy neighbours: p95 115 ms at nice 5, 59 ms at 0). The
    event loop keeps a core because the encoder uses one thread (knowledge/encoders.py)."""
    if nice:
        with contextlib.suppress(AttributeError, OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


class Busy(RuntimeError):
    """More work is waiting than the queue bound allows."""


class Workers:
    """A thread pool of `limit` workers with room for `queue` waiting calls."""

    def __init__(self, limit: int = 2, queue: int = 64, nice: int = 0) -> None:
        self.limit = limit
        self.queue = queue
        self._pool = ThreadPoolExecutor(
            max_workers=limit, thread_name_prefix="conductbot-work", initializer=_lower_priority, initargs=(nice,)
        )
        self._admitted = 0

    async def run(self, fn: Callable[..., T], *args: object) -> T:
        """`fn(*args)` in a worker thread; raises Busy when `limit + queue` calls are already admitted."""
        if self._admitted >= self.limit + self.queue:
            raise Busy(f"{self._admitted} calls admitted")
        self._admitted += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)
        finally:
            self._admitted -= 1

    def close(self) -> None:
        """Stop accepting work; running calls finish in their threads."""
        with contextlib.suppress(RuntimeError):
            self._pool.shutdown(wait=False, cancel_futures=True)
