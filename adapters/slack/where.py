"""Where a Slack conversation lives, and a small expiring cache.

A direct message channel is one conversation (`D123`); a thread in a channel is another
(`C123/1700000000.000100`); a form opened without a conversation (the slash command, the App Home) has
one of its own (`form:<random>`), which names no channel and no person.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Where:
    """Where a conversation lives: its id, the channel and thread to post in, and its place for later posts."""

    conversation: str
    channel: str
    thread: str | None
    place: str

    @property
    def direct(self) -> bool:
        return self.channel.startswith("D")

    @classmethod
    def of(cls, conversation: str, place: str | None = None) -> Where:
        channel, _, thread = conversation.partition("/")
        return cls(conversation, channel, thread or None, place or f"slack:{channel}")

    @classmethod
    def form(cls) -> Where:
        """A conversation of its own for a form opened without one (the slash command, the App Home): an
        opaque id that names no channel and no person, so that nothing the form sends to Slack does."""
        return cls(f"form:{secrets.token_hex(8)}", "", None, "")

    @classmethod
    def in_channel(cls, channel: str, thread: str | None) -> Where:
        """A DM is one conversation (or a thread in it, if the person used one); a channel thread is one."""
        return cls.of(f"{channel}/{thread}" if thread else channel)


class TTLCache:
    """A small bounded map whose entries expire."""

    def __init__(self, seconds: float, size: int = CACHE_SIZE) -> None:
        self.seconds = seconds
        self.size = size
        self._data: OrderedDict[str, tuple[float, Any]] = OrderedDict()

    def get(self, key: str) -> Any:
        hit = self._data.get(key)
        if hit is None or hit[0] < time.monotonic():
            self._data.pop(key, None)
            return None
        return hit[1]

    def put(self, key: str, value: Any) -> None:
        self._data[key] = (time.monotonic() + self.seconds, value)
        self._data.move_to_end(key)
        while len(self._data) > self.size:
            self._data.popitem(last=False)
