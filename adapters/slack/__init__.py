"""The Slack adapter. Importing this package is cheap: the SDK is imported by its modules only."""

from __future__ import annotations

import os
from collections.abc import Mapping


def sends(env: Mapping[str, str] | None = None) -> bool:
    """True when a sender without a server can be made (a bot token is set): checked before the SDK is
    imported, so that `conductbot tick` on a machine without Slack pays nothing for it."""
    return bool((os.environ if env is None else env).get("SLACK_BOT_TOKEN"))
