"""Who is asking on Slack: organisation from the workspace, role from user groups, locale from users.info.

Each lookup is cached (locales and DM channels an hour, group members ten minutes), so that a busy
workspace costs few Web API calls; the report's form asks Slack nothing that names the person.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.where import TTLCache
from bot.core import Bot
from bot.types import ROLES

log = logging.getLogger(__name__)

CACHE_SECONDS = 3600.0
GROUP_CACHE_SECONDS = 600.0
ROLE_ORDER = {r: i for i, r in enumerate(reversed(ROLES))}  # group_leader first when someone is in several groups


class Identity:
    """The lookups of a Slack front end (a mixin of `SlackFrontEnd`)."""

    bot: Bot
    client: AsyncWebClient
    config: dict[str, Any]

    def _caches(self) -> None:
        self._locales = TTLCache(CACHE_SECONDS)
        self._groups = TTLCache(GROUP_CACHE_SECONDS, 100)
        self._dms = TTLCache(CACHE_SECONDS)

    async def identity(
        self, team: str | None, user: str, lookup: bool = True
    ) -> tuple[str | None, str | None, str | None]:
        """(organisation, role, locale) of a Slack user: workspace and group mappings, Slack locale.

        `lookup=False` (the report's form) asks Slack nothing that names the person: the locale only
        from the cache (the form's flow keeps its language anyway)."""
        org = (self.config.get("workspaces") or {}).get(team or "")
        return org, await self._role(user), await self._locale(user, lookup)

    async def _locale(self, user: str, lookup: bool = True) -> str | None:
        cached = self._locales.get(user)
        if cached is not None or not lookup:
            return cached or None
        locale = ""
        try:
            resp = await self.client.users_info(user=user, include_locale=True)
            locale = str((resp.get("user") or {}).get("locale") or "")
        except SlackApiError as exc:
            log.warning("users.info failed: %s", exc.response.get("error"))
        self._locales.put(user, locale)
        return locale or None

    async def _role(self, user: str) -> str | None:
        groups: dict[str, str] = self.config.get("user_groups") or {}
        found: list[str] = []
        for group, role in groups.items():
            if role not in ROLES:
                continue
            members = self._groups.get(group)
            if members is None:
                try:
                    resp = await self.client.usergroups_users_list(usergroup=group)
                    members = frozenset(resp.get("users") or ())
                except SlackApiError as exc:
                    log.warning("usergroups.users.list failed: %s", exc.response.get("error"))
                    members = frozenset()
                self._groups.put(group, members)
            if user in members:
                found.append(role)
        return min(found, key=ROLE_ORDER.__getitem__) if found else None

    async def direct_channel(self, user: str) -> str:
        """The bot's direct message channel with a person."""
        cached = self._dms.get(user)
        if cached:
            return str(cached)
        resp = await self.client.conversations_open(users=user)
        channel = str(resp["channel"]["id"])
        self._dms.put(user, channel)
        return channel

    async def _lang(self, user: str) -> str:
        store = self.bot.store
        profile = await store.profile(store.pseudonym("slack", user))
        locale = self._locales.get(user) or ""
        return profile.lang or ("en" if str(locale).startswith("en") else "sv")
