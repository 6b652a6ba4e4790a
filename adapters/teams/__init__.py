"""The Teams adapter. Importing this package is cheap: the SDK is imported by its modules only."""

from __future__ import annotations

import os
from collections.abc import Mapping

# the Microsoft 365 Agents SDK's environment names for the bot's credentials
SDK_PREFIX = "CONNECTIONS__SERVICE_CONNECTION__SETTINGS__"


def sends(env: Mapping[str, str] | None = None) -> bool:
    """True when Teams is configured (an app id, or CONDUCTBOT_TEAMS=1 for a local trial): checked before the
    SDK is imported, so that `conductbot tick` on a machine without Teams pays nothing for it."""
    e = os.environ if env is None else env
    return bool(e.get(SDK_PREFIX + "CLIENTID") or e.get("MicrosoftAppId") or e.get("CONDUCTBOT_TEAMS") == "1")
