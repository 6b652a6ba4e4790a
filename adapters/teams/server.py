"""Microsoft Teams on the shared server (issue 6): not built yet, so never mounted."""

from __future__ import annotations

from typing import Any


async def mount(app: Any, bot: Any, settings: Any, options: dict[str, Any]) -> None:
    return None
