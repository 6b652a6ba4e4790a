"""The chat SDKs' own loggers, held at WARNING whatever `-v` says.

At DEBUG, slack_sdk logs every Web API request and response body (a report's review, a modal with a
passphrase, a user id), slack_bolt every acknowledgement body, and msal and urllib3 token requests
and URLs that name conversations. The adapters log only what they decide to (never message text), so
these stay at WARNING even when the bot's own log is at DEBUG.
"""

from __future__ import annotations

import logging

SLACK = ("slack_sdk", "slack_bolt")
TEAMS = ("botbuilder", "botframework", "msal", "microsoft_agents")
HTTP = ("aiohttp.client", "aiohttp.web", "urllib3", "requests_oauthlib")


def hold_at_warning(*names: str) -> None:
    """Raise these loggers (and so their children) to WARNING when they are set lower or not at all."""
    for name in names:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)


def mute(*names: str) -> None:
    """Silence these loggers entirely (ones that log what a request contained when they refuse it)."""
    for name in names:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
