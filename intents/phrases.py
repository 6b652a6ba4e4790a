"""Phrase files: each intent keeps its Swedish and English wording in a YAML file beside its module."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from knowledge.yamlio import load as load_yaml

_HERE = Path(__file__).parent


@cache
def load(name: str) -> dict[str, Any]:
    """The phrases of intent `name` (from `intents/<name>.yaml`)."""
    return load_yaml((_HERE / f"{name}.yaml").read_text(encoding="utf-8")) or {}


def say(name: str, key: str, lang: str, **values: object) -> str:
    """One phrase in the language asked for (Swedish when a phrase has no English), filled in."""
    data = load(name)
    table = data.get(lang) or data.get("sv") or {}
    text = table.get(key) if isinstance(table, dict) else None
    if text is None:
        text = (data.get("sv") or {}).get(key, key)
    if not values:
        return str(text)
    # a value that begins a sentence begins it with a capital ("{org}s dokument ..." -> "Kommunens dokument ...")
    marked = _SENTENCE_START.sub(lambda m: f"{m.group(1)}\x00{m.group(2)}", str(text))
    return _MARK.sub(lambda m: m.group(1).upper(), marked.format(**values)).replace("\x00", "")


_SENTENCE_START = re.compile(r"(^|[.!?]\s+)(\{\w+\})")
_MARK = re.compile(r"\x00(.)", re.S)
