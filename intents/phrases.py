"""Phrase files: each intent keeps its Swedish and English wording in a YAML file beside its module."""

from __future__ import annotations

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
    return str(text).format(**values) if values else str(text)
