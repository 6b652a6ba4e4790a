"""Posts that are not answers (reports' notices, reminders, prompts) to a Slack channel or a user's DM."""

from __future__ import annotations

from typing import Any

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks as bk
from bot.types import Choice

RETRIES = 3  # a post that gets 429 (after its Retry-After), 500 or 503 is tried again, with backoff


def web_client(token: str, api_url: str | None = None) -> AsyncWebClient:
    """Slack's Web API client with its retry handlers on: rate limits (Retry-After), server errors and
    dropped connections are retried with backoff (SLACK_API_URL: another base URL, e.g. a test's fake)."""
    kwargs: dict[str, Any] = {"token": token, "timeout": 15}
    if api_url:
        kwargs["base_url"] = api_url if api_url.endswith("/") else api_url + "/"
    return AsyncWebClient(
        **kwargs,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=RETRIES),
            AsyncConnectionErrorRetryHandler(max_retry_count=RETRIES),
        ],
    )


class SlackSender:
    """Posts reports, reminders and prompts to a Slack channel (or a user's DM, by user id)."""

    def __init__(self, client: AsyncWebClient) -> None:
        # Deliveries are retried by the delivery round (bot/claims.py: backoff, Retry-After, and a timeout
        # meaning "maybe posted"), so their client retries nothing itself: a retry inside the SDK would turn a
        # slow answer into a timeout, and a retry after a dropped connection could post twice.
        self.client = AsyncWebClient(token=client.token, base_url=client.base_url, timeout=client.timeout)

    async def post(
        self,
        org: str,
        channel: str,
        text: str,
        thread: str | None = None,
        choices: tuple[Choice, ...] = (),
        key: str | None = None,
    ) -> str:
        thread_ts = thread.rpartition("/")[2] if thread else None
        resp = await self.client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, **bk.post_message(text, choices)
        )
        return f"{resp.get('channel') or channel}/{resp['ts']}"
