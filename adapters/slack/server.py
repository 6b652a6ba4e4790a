"""Slack on the shared server: being built (issue 5)."""

from __future__ import annotations

from typing import Any


async def mount(app: Any, bot: Any, settings: Any, options: dict[str, Any]) -> None:
    return None
