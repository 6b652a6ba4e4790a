"""Terminal <-> core types: render replies as text with numbered choices, and read a typed number or
a choice's label back as the choice it stands for."""

from __future__ import annotations

from bot.types import Choice, Incoming, Reply


def render(replies: list[Reply]) -> tuple[str, list[Choice]]:
    """The replies as terminal text, and the choices in the order they were numbered."""
    out: list[str] = []
    shown: list[Choice] = []
    for r in replies:
        out.append(r.text.rstrip())
        if r.choices:
            labels = []
            for c in r.choices:
                shown.append(c)
                labels.append(f"[{len(shown)}] {c.label}")
            out.append("  ".join(labels))
        out.append("")
    return "\n".join(out) + "\n", shown


def to_incoming(line: str, shown: list[Choice], user: str, org: str | None, role: str | None) -> Incoming:
    """A typed line as an Incoming: a number or an exact label selects a shown choice."""
    text = line.strip()
    choice = None
    if text.isdigit() and 1 <= int(text) <= len(shown):
        choice = shown[int(text) - 1].value
    else:
        for c in shown:
            if text.casefold() == c.label.casefold():
                choice = c.value
                break
    return Incoming(
        user=user,
        conversation=f"cli:{user}",
        text="" if choice else text,
        choice=choice,
        org=org,
        role=role,
        platform="cli",
    )
