"""Bounds on the work one message may cause, checked before any analysis.

A chat platform lets a person send up to 40,000 characters (Slack) in one message; retrieval's
cost grows with the text and with its longest word. `Bot.handle` asks `too_long` first (only the
language is judged, from a bounded sample), and `word_too_long` before retrieval, and answers a
message over the bounds with a clear reply (never silence), without analysing it. The bounds and
the replies are data in `limits.yaml`.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from knowledge.yamlio import load as load_yaml

_RUN = re.compile(r"\S+")


@cache
def data() -> dict[str, Any]:
    """The limits and their replies (`bot/limits.yaml`)."""
    return load_yaml((Path(__file__).with_name("limits.yaml")).read_text(encoding="utf-8")) or {}


def longest_run(text: str) -> int:
    """The length of the longest run of non-space characters (linear time)."""
    return max((m.end() - m.start() for m in _RUN.finditer(text)), default=0)


def max_chars() -> int:
    """The longest message analysed at all."""
    return int(data()["max_chars"])


def too_long(text: str) -> bool:
    """More characters than anything is analysed for (checked before any analysis but the language,
    which is judged from the first `max_chars`; a report being written has its own, lower limit)."""
    return len(text) > max_chars()


def word_too_long(text: str) -> bool:
    """A run of non-space characters too long to analyse (checked before retrieval; a report being
    written is not analysed, and its own limits apply)."""
    return longest_run(text) > int(data()["max_word"])


def say(key: str, lang: str, **values: object) -> str:
    """A limit's reply in `lang` (Swedish when missing), with the bounds filled in."""
    d = data()
    table = d.get(lang) or d["sv"]
    text = str(table.get(key) or d["sv"][key])
    return text.format(max_chars=d["max_chars"], max_word=d["max_word"], **values)
