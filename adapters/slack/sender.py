"""Posts that are not answers (reports' notices, reminders, prompts) to a Slack channel or a user's DM."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import blocks as bk
from bot.types import Choice


class SlackSender:
    """Posts reports, reminders and prompts to a Slack channel (or a user's DM, by user id)."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

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
