"""Who may post to `/api/messages`: the Bot Framework's JWT, checked with the Microsoft 365 Agents SDK.

Settings, in the SDK's own names or, so that existing deployments keep working, the Bot Framework's:

- `CLIENTID` or `MicrosoftAppId`: the bot's app registration;
- `CLIENTSECRET` or `MicrosoftAppPassword`: its client secret;
- `TENANTID` or `MicrosoftAppTenantId`: its tenant (single-tenant bots);
- `AUTHTYPE` (`ClientSecret`, `UserManagedIdentity`, ...) or `MicrosoftAppType` (`MultiTenant`,
  `SingleTenant`, `UserAssignedMSI`): how it gets tokens.

The SDK's names are `CONNECTIONS__SERVICE_CONNECTION__SETTINGS__<name>` and win over the others.

The token's signing keys are fetched by the SDK in a worker thread (never on the event loop), its
audience must be the app id, and its `serviceurl` claim must be the activity's serviceUrl. With no app
id, nothing is authenticated (local mode; adapters/teams/door.py then takes loopback requests only).
`BOTFRAMEWORK_JWKS_URL` fetches the signing keys from elsewhere (a test's fake, a proxy).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Any

from microsoft_agents.hosting.core.authorization import AgentAuthConfiguration, AuthTypes, ClaimsIdentity
from microsoft_agents.hosting.core.authorization.jwt import JwtTokenValidator
from microsoft_agents.hosting.core.authorization.jwt.jwt_token_validator import _JwkClientManager

from adapters.common.door import BadRequest
from adapters.teams import SDK_PREFIX

log = logging.getLogger(__name__)

BOT_FRAMEWORK_TENANT = "botframework.com"
APP_TYPES = {
    "multitenant": AuthTypes.client_secret,
    "singletenant": AuthTypes.client_secret,
    "userassignedmsi": AuthTypes.user_managed_identity,
}


@dataclass(frozen=True, slots=True)
class Credentials:
    """The bot's registration as read from the environment (empty app id: local mode)."""

    app_id: str = ""
    password: str = ""
    tenant: str = ""
    auth_type: str = AuthTypes.client_secret.value

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Credentials:
        env = dict(os.environ if env is None else env)

        def get(sdk: str, bot_framework: str) -> str:
            return env.get(SDK_PREFIX + sdk) or env.get(bot_framework) or ""

        kind = env.get(SDK_PREFIX + "AUTHTYPE") or APP_TYPES.get(
            env.get("MicrosoftAppType", "MultiTenant").casefold(), AuthTypes.client_secret
        )
        return cls(
            get("CLIENTID", "MicrosoftAppId"),
            get("CLIENTSECRET", "MicrosoftAppPassword"),
            get("TENANTID", "MicrosoftAppTenantId"),
            AuthTypes(kind).value if kind in {t.value for t in AuthTypes} or isinstance(kind, AuthTypes) else str(kind),
        )

    def configuration(self, for_tokens: bool = False) -> AgentAuthConfiguration:
        """The SDK's configuration object for these credentials; `for_tokens`: for acquiring the bot's own
        tokens, where a multi-tenant bot asks the Bot Framework's tenant (as botbuilder did)."""
        tenant = self.tenant or (BOT_FRAMEWORK_TENANT if for_tokens else None)
        return AgentAuthConfiguration(
            auth_type=AuthTypes(self.auth_type),
            client_id=self.app_id or None,
            tenant_id=tenant,
            client_secret=self.password or None,
            anonymous_allowed=not self.app_id,
        )


class _KeysFrom(_JwkClientManager):
    """The SDK's signing-key cache, asked at one fixed JWKS address (BOTFRAMEWORK_JWKS_URL)."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    async def get_signing_key(self, jwks_uri: str, header: dict[str, Any]) -> Any:
        return await super().get_signing_key(self.url, header)


class Authenticator:
    """Checks the `Authorization` header of an activity; raises BadRequest(401) when it is not valid."""

    def __init__(self, credentials: Credentials, jwks_url: str | None = None) -> None:
        self.credentials = credentials
        self.validator = JwtTokenValidator(credentials.configuration())
        url = jwks_url if jwks_url is not None else os.environ.get("BOTFRAMEWORK_JWKS_URL")
        if url:
            self.validator._jwk_client_manager = _KeysFrom(url)

    async def check(self, header: str, service_url: str) -> ClaimsIdentity:
        """The token's claims, once its signature, audience and service URL are right."""
        if not self.credentials.app_id:
            return self.validator.get_anonymous_claims()
        scheme, _, token = header.partition(" ")
        if scheme.casefold() != "bearer" or not token.strip() or any(c.isspace() for c in token.strip()):
            raise BadRequest("missing or malformed Bot Framework token", 401)
        try:
            claims = await self.validator.validate_token(token.strip())
        except Exception as exc:  # any failure to validate is a refusal, never a crash
            raise BadRequest(f"Bot Framework token refused ({type(exc).__name__})", 401) from None
        stated = claims.get_claim_value("serviceurl") if hasattr(claims, "get_claim_value") else None
        if stated is not None and str(stated).rstrip("/") != service_url.rstrip("/"):
            raise BadRequest("the token was issued for another service URL", 401)
        return claims
