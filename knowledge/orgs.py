"""Organisation names as answers write them (data in `orgs.yaml`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml


@cache
def _orgs() -> dict[str, dict[str, object]]:
    return yaml.safe_load((Path(__file__).parent / "orgs.yaml").read_text(encoding="utf-8")) or {}


def org_name(org: str, lang: str = "sv") -> str:
    """'Västerås stad' / 'the City of Västerås'; the id itself for an organisation with no entry."""
    entry = _orgs().get(org) or {}
    if lang == "en":
        return str(entry.get("name_en") or entry.get("name") or org)
    return str(entry.get("name") or org)


def find_org(text: str) -> str | None:
    """The organisation a text names ('jag är chef i Alingsås' -> 'alingsas'), longest alias first."""
    low = " " + " ".join(text.lower().replace(",", " ").replace(".", " ").split()) + " "
    best: tuple[int, str] | None = None
    for org, entry in _orgs().items():
        for alias in [org, *(entry.get("aliases") or [])]:  # type: ignore[misc]
            a = f" {str(alias).lower()} "
            if a in low and (best is None or len(a) > best[0]):
                best = (len(a), org)
    return best[1] if best else None
