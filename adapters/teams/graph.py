"""Microsoft Graph, for one question: which of these Entra groups is a person in?

Needs the application permission GroupMember.Read.All for the bot's app registration. GRAPH_API_URL
sends the calls elsewhere (a proxy, the tests' fake). One call (checkMemberGroups), so a plain aiohttp
request rather than the Graph SDK (msgraph-sdk, some 400 MB); its token from the Agents SDK's MSAL
provider, like the connector's (adapters/teams/connector.py).
"""

from __future__ import annotations

from urllib.parse import quote

import aiohttp
from microsoft_agents.authentication.msal import MsalAuth

from adapters.teams.auth import Credentials
from adapters.teams.connector import ConnectorError, access_token

GRAPH = "https://graph.microsoft.com"


class Graph:
    """Group membership from Microsoft Graph (`member_groups`)."""

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
        """Which of `groups` the user (an Entra object id) is a member of."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        headers = {}
        if self._auth is not None:
            headers["Authorization"] = f"Bearer {await access_token(self._auth, GRAPH)}"
        url = f"{self.base_url}/v1.0/users/{quote(user_object_id, safe='')}/checkMemberGroups"
        async with self._session.post(url, json={"groupIds": groups}, headers=headers) as resp:
            if resp.status >= 300:
                raise ConnectorError(f"Graph answered {resp.status}", resp.status)
            data = await resp.json(content_type=None)
        return {str(g) for g in (data or {}).get("value") or []}
