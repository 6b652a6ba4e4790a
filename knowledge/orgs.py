"""Organisation names as answers write them (data in `orgs.yaml`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml


@cache
def _orgs() -> dict[str, dict[str, str]]:
    return yaml.safe_load((Path(__file__).parent / "orgs.yaml").read_text(encoding="utf-8")) or {}


def org_name(org: str, lang: str = "sv") -> str:
    """'Västerås stad' / 'the City of Västerås'; the id itself for an organisation with no entry."""
    entry = _orgs().get(org) or {}
    if lang == "en":
        return entry.get("name_en") or entry.get("name") or org
    return entry.get("name") or org
