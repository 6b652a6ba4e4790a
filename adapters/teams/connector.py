"""A lean client of the Bot Framework connector REST API (v3): post, reply and update activities.

botbuilder's connector client built a `requests` session and its retry policy for every turn and sent
from a thread pool, which at 50 activities a second cost more CPU than answering did; this one keeps
one aiohttp session for the process. Tokens (when an app id is configured) come from the Microsoft 365
Agents SDK's MSAL provider (acquired in a worker thread, cached by MSAL).

A post that the connector refuses with 429 (after its Retry-After) or a 5xx, or that cannot connect,
is tried again with backoff, up to `RETRIES` times; a timeout or a connection lost after the request
went out is not retried and surfaces as a TimeoutError ("maybe delivered", bot/delivery.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any
from urllib.parse import quote

import aiohttp
from microsoft_agents.authentication.msal import MsalAuth

from adapters.teams.auth import Credentials

log = logging.getLogger(__name__)

RETRIES = 3
BOT_FRAMEWORK = "https://api.botframework.com"
GRAPH = "https://graph.microsoft.com"
BACKOFF = 0.5  # seconds before the first retry, doubled for each next one
MAX_WAIT = 30.0  # the longest Retry-After honoured


class ConnectorError(RuntimeError):
    pass


async def _token(auth: MsalAuth, resource: str) -> str:
    """A token for `resource`, got in a worker thread: MSAL's client discovers its authority with a
    synchronous HTTP request the first time, which must never run on the event loop."""
    return await asyncio.to_thread(lambda: asyncio.run(auth.get_access_token(resource, [resource + "/.default"])))


def _wait(resp: aiohttp.ClientResponse | None, attempt: int) -> float:
    """Seconds before the next attempt: the answer's Retry-After when it gives one, else backoff."""
    header = resp.headers.get("Retry-After", "") if resp is not None else ""
    if header.strip().isdigit():
        return min(float(header.strip()), MAX_WAIT)
    return BACKOFF * 2**attempt


class Connector:
    def __init__(self, credentials: Credentials | None = None) -> None:
        self._auth = (
            MsalAuth(credentials.configuration(for_tokens=True)) if credentials and credentials.app_id else None
        )
        self._session: aiohttp.ClientSession | None = None
        self._token: tuple[str, float] | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _headers(self) -> dict[str, str]:
        if self._auth is None:
            return {}
        if self._token is None or self._token[1] < time.monotonic():
            token = await _token(self._auth, BOT_FRAMEWORK)
            self._token = (token, time.monotonic() + 30 * 60)
        return {"Authorization": f"Bearer {self._token[0]}"}

    async def _call(self, method: str, url: str, body: dict[str, Any]) -> dict[str, Any]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        for attempt in range(RETRIES + 1):
            try:
                async with self._session.request(method, url, json=body, headers=await self._headers()) as resp:
                    if resp.status < 300:
                        try:
                            return dict(await resp.json(content_type=None) or {})
                        except ValueError:
                            return {}
                    if (resp.status != 429 and resp.status < 500) or attempt == RETRIES:
                        raise ConnectorError(f"connector answered {resp.status} to {method}")
                    wait = _wait(resp, attempt)
                    log.info("connector answered %d to %s; retrying in %.1f s", resp.status, method, wait)
            except aiohttp.ClientConnectorError as exc:  # no connection was made: certainly not posted
                if attempt == RETRIES:
                    raise ConnectorError(f"connector unreachable for {method}: {type(exc).__name__}") from None
                wait = _wait(None, attempt)
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError) as exc:
                if isinstance(exc, asyncio.TimeoutError):
                    raise  # "maybe posted": the delivery loop must not post it again
                # the connection broke after the request went out: maybe posted, so not tried again
                raise TimeoutError(f"connection lost during {method}: maybe delivered") from None
            await asyncio.sleep(wait)
        raise ConnectorError(f"connector gave up on {method}")

    @staticmethod
    def _url(service_url: str, conversation: str, activity_id: str | None = None) -> str:
        base = service_url if service_url.endswith("/") else service_url + "/"
        url = f"{base}v3/conversations/{quote(conversation, safe='')}/activities"
        return f"{url}/{quote(activity_id, safe='')}" if activity_id else url

    async def send(
        self, service_url: str, conversation: str, activity: dict[str, Any], reply_to: str | None = None
    ) -> str:
        """Post an activity (as a reply to `reply_to`, if given); returns its id."""
        if reply_to:
            activity = {**activity, "replyToId": reply_to}
        data = await self._call("POST", self._url(service_url, conversation, reply_to), activity)
        return str(data.get("id") or "")

    async def update(self, service_url: str, conversation: str, activity_id: str, activity: dict[str, Any]) -> None:
        await self._call("PUT", self._url(service_url, conversation, activity_id), {**activity, "id": activity_id})


class Graph:
    """Microsoft Graph, for one question: which of these Entra groups is a person in?

    Needs the application permission GroupMember.Read.All for the bot's app registration. GRAPH_API_URL
    sends the calls elsewhere (a proxy, the tests' fake).
    """

    def __init__(self, base_url: str, credentials: Credentials | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._auth = (
            MsalAuth(credentials.configuration(for_tokens=True)) if credentials and credentials.app_id else None
        )
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def member_groups(self, user_object_id: str, groups: list[str]) -> set[str]:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        headers = {}
        if self._auth is not None:
            headers["Authorization"] = f"Bearer {await _token(self._auth, GRAPH)}"
        url = f"{self.base_url}/v1.0/users/{quote(user_object_id, safe='')}/checkMemberGroups"
        async with self._session.post(url, json={"groupIds": groups}, headers=headers) as resp:
            if resp.status >= 300:
                raise ConnectorError(f"Graph answered {resp.status}")
            data = await resp.json(content_type=None)
        return {str(g) for g in (data or {}).get("value") or []}
