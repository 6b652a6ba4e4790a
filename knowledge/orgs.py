"""Organisation names as answers write them, and finding the organisation a text names.

The bundled organisations are described in `orgs.yaml`; an organisation added from its documents may
describe itself in its corpus folder's `org.yaml` (name, name_en, aliases, audiences, whistleblower).
`register` adds those when the bot is built (`bot.runtime`), so every intent sees the same names.
Names and aliases match as whole names: "Botkyrka kommun" is a name of its own, not the alias `kommun`.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from knowledge import yamlio
from knowledge.text import is_stop

_registered: dict[str, dict[str, Any]] = {}
# words that name a kind of organisation: alone they are a name only when nothing names which one
GENERIC = frozenset({"kommun", "kommunen", "stad", "staden", "region", "regionen", "municipality", "city", "council"})


@cache
def _bundled() -> dict[str, dict[str, Any]]:
    return yamlio.load((Path(__file__).parent / "orgs.yaml").read_text(encoding="utf-8")) or {}


def register(info: dict[str, dict[str, Any]]) -> None:
    """Add (or replace) organisations described by their corpus folders' org.yaml files."""
    for org, entry in info.items():
        _registered[org] = {**_bundled().get(org, {}), **(entry or {})}


def _orgs() -> dict[str, dict[str, Any]]:
    return {**_bundled(), **_registered}


def org_info(org: str) -> dict[str, Any]:
    """What is known about an organisation (empty for one with no description)."""
    return dict(_orgs().get(org) or {})


def org_name(org: str, lang: str = "sv") -> str:
    """'Västerås stad' / 'the City of Västerås'; the id itself for an organisation with no entry."""
    entry = _orgs().get(org) or {}
    if lang == "en":
        return str(entry.get("name_en") or entry.get("name") or org)
    return str(entry.get("name") or org)


def _tokens(text: str) -> list[str]:
    return text.lower().replace(",", " ").replace(".", " ").replace("?", " ").replace("!", " ").split()


def find_org(text: str, generic: bool = True) -> str | None:
    """The organisation a text names ('jag är chef i Alingsås' -> 'alingsas'), longest name first.

    With `generic` False a name made only of generic words ("kommunen") does not count: said by someone
    whose organisation is known, "anställda av kommunen" means their own municipality.

    A name matches only as a whole name: a generic word ("kommun") after a word that is not a function
    word, or any name after a capitalised word, is part of a longer name ("Botkyrka kommun", "Nya
    Västerås"), which is not this organisation.
    """
    raw = text.replace(",", " ").replace(".", " ").replace("?", " ").replace("!", " ").split()
    toks = [w.lower() for w in raw]
    best: tuple[int, str] | None = None
    for org, entry in _orgs().items():
        names = [org, str(entry.get("name") or ""), *(entry.get("aliases") or [])]
        for alias in names:
            a = _tokens(str(alias))
            if not a or (not generic and all(x in GENERIC for x in a)):
                continue
            for i in range(len(toks) - len(a) + 1):
                if toks[i : i + len(a)] != a:
                    continue
                if i > 0 and len(a) == 1 and a[0] in GENERIC and not is_stop(toks[i - 1]):
                    continue
                if i > 1 and raw[i - 1][:1].isupper() and not is_stop(toks[i - 1]):
                    continue
                if best is None or len(a) > best[0]:
                    best = (len(a), org)
    return best[1] if best else None
