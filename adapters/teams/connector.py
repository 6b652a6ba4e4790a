"""Posts to Teams through the Microsoft 365 Agents SDK's connector client, retried on 429 and 5xx.

Replies (in the activity's reply chain), card updates in place and proactive posts (a new thread when
posted to a channel) are the SDK's `ConnectorClient` operations (`conversations.reply_to_activity`,
`update_activity`, `send_to_conversation`), one client and one aiohttp session per service URL for the
life of the process: the SDK's CloudAdapter builds a client and a session for every turn, and each
client looks up the package's version on disk (2.5 ms CPU a post, measured). Tokens (with an app id)
come from the SDK's MSAL provider, acquired in a worker thread (MSAL discovers its authority with a
synchronous request the first time) and set on the session.

The SDK does not retry. A post the connector refuses with 429 (after its Retry-After, at most MAX_WAIT)
or a 5xx, or that cannot connect, is tried again here with the delivery loop's backoff (0.5 s, doubled
each time; bot/claims.py), up to RETRIES times; then ConnectorError, carrying the status and the
Retry-After for the delivery loop. A timeout, or a connection lost after the request went out, is not
retried and surfaces as a TimeoutError ("maybe delivered", bot/delivery.py). Errors name no
conversation: the SDK's own error lines, whose URLs do, are muted (adapters/teams/server.py).

Measured when this replaced a hand-made REST client (issue 16; scripts/bench_teams_posts.py, 500
proactive posts, the fake connector in a process of its own, a shared 2-core machine): 1.1-1.3 ms CPU
and 1.7-2.2 ms per post one at a time (0.8-1.0 ms CPU in bursts of 25), against 0.7-0.8 ms and
1.2-1.4 ms (0.5-0.6 ms) for the hand-made client. scripts/bench_teams.py (2,000 activities at 50/s, two
posts each), runs of the two interleaved: 20-29 ms CPU per turn for both, as the machine's load went;
the last pair, 29.3 ms against 29.3 ms, ack p99 31.4 ms against 28.3 ms. Same behaviour on 429, 5xx,
400, refused and dropped connections.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from microsoft_agents.activity import Activity
from microsoft_agents.authentication.msal import MsalAuth
from microsoft_agents.hosting.core.connector.client import ConnectorClient

from adapters.teams.auth import Credentials
from bot.claims import backoff, retry_after

log = logging.getLogger(__name__)

RETRIES = 3
BOT_FRAMEWORK = "https://api.botframework.com"
MAX_WAIT = 30.0  # the longest Retry-After honoured
MAX_CLIENTS = 8  # service URLs kept open at once (a bot hears from one or two)
TOKEN_SECONDS = 30 * 60.0  # how long a token is reused before MSAL is asked again (its cache renews it)


class ConnectorError(RuntimeError):
    """The connector refused a post (`status`, and the wait it asked for) or could not be reached."""

    def __init__(self, message: str, status: int | None = None, wait: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = wait


async def access_token(auth: MsalAuth, resource: str) -> str:
    """A token for `resource`, got in a worker thread (never a synchronous request on the event loop)."""
    return await asyncio.to_thread(lambda: asyncio.run(auth.get_access_token(resource, [resource + "/.default"])))


def _retryable(exc: BaseException) -> bool:
    """429 and 5xx, and a connection that was never made (certainly not posted)."""
    if isinstance(exc, aiohttp.ClientResponseError):
        return exc.status == 429 or exc.status >= 500
    return isinstance(exc, aiohttp.ClientConnectorError)


def _wait(exc: BaseException, attempts: int) -> float:
    """The refusal's Retry-After when it gives one (at most MAX_WAIT), else the delivery loop's backoff."""
    asked = retry_after(exc) if isinstance(exc, aiohttp.ClientResponseError) else None
    return min(asked, MAX_WAIT) if asked is not None else backoff(attempts)


class Connector:
    """The bot's outgoing side: `send` (a post, or a reply in a chain) and `update` (a card in place)."""

    def __init__(
        self, credentials: Credentials | None = None, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    ) -> None:
        self._auth = (
            MsalAuth(credentials.configuration(for_tokens=True)) if credentials and credentials.app_id else None
        )
        self._sleep = sleep
        self._clients: dict[str, tuple[ConnectorClient, aiohttp.ClientSession]] = {}
        self._token: tuple[str, float] | None = None

    async def close(self) -> None:
        for _, session in self._clients.values():
            await session.close()
        self._clients.clear()

    async def _client(self, service_url: str) -> ConnectorClient:
        base = service_url if service_url.endswith("/") else service_url + "/"
        if base not in self._clients:
            if len(self._clients) >= MAX_CLIENTS:
                await self._clients.pop(next(iter(self._clients)))[1].close()
            session = aiohttp.ClientSession(base_url=base, timeout=aiohttp.ClientTimeout(total=30))
            self._clients[base] = (ConnectorClient(base, "", session=session), session)
        client, session = self._clients[base]
        if self._auth is not None:
            if self._token is None or self._token[1] < time.monotonic():
                self._token = (await access_token(self._auth, BOT_FRAMEWORK), time.monotonic() + TOKEN_SECONDS)
            session.headers["Authorization"] = f"Bearer {self._token[0]}"
        return client

    async def _call(self, what: str, operation: Callable[[], Awaitable[Any]]) -> Any:
        try:
            for attempt in range(1, RETRIES + 2):
                try:
                    return await operation()
                except (aiohttp.ClientResponseError, aiohttp.ClientConnectorError) as exc:
                    if not _retryable(exc) or attempt > RETRIES:
                        raise
                    wait = _wait(exc, attempt)
                    status = f"HTTP {exc.status}" if isinstance(exc, aiohttp.ClientResponseError) else "no connection"
                    log.info("connector answered %s; retrying in %.1f s", status, wait)
                await self._sleep(wait)
        except aiohttp.ClientResponseError as exc:  # no URL, no body: they name the conversation
            raise ConnectorError(f"connector answered {exc.status} to {what}", exc.status, retry_after(exc)) from None
        except aiohttp.ClientConnectorError as exc:
            raise ConnectorError(f"connector unreachable for {what}: {type(exc).__name__}") from None
        except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
            if isinstance(exc, TimeoutError):
                raise TimeoutError(f"{what} timed out: maybe delivered") from None
            # the connection broke after the request went out: maybe posted, so not tried again
            raise TimeoutError(f"connection lost during {what}: maybe delivered") from None
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    async def send(
        self, service_url: str, conversation: str, activity: dict[str, Any], reply_to: str | None = None
    ) -> str:
        """Post an activity (as a reply to `reply_to`, if given, in its reply chain); returns its id."""
        body = Activity.model_validate({**activity, "replyToId": reply_to} if reply_to else activity)

        async def post() -> Any:
            client = await self._client(service_url)
            if reply_to:
                return await client.conversations.reply_to_activity(conversation, reply_to, body)
            return await client.conversations.send_to_conversation(conversation, body)

        response = await self._call("a reply" if reply_to else "a post", post)
        return str(response.id or "")

    async def update(self, service_url: str, conversation: str, activity_id: str, activity: dict[str, Any]) -> None:
        """Replace an activity (a card) in place."""
        body = Activity.model_validate({**activity, "id": activity_id})

        async def put() -> Any:
            client = await self._client(service_url)
            return await client.conversations.update_activity(conversation, activity_id, body)

        await self._call("an update", put)
