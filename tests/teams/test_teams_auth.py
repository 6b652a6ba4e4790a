"""Bot Framework tokens on `/api/messages` (the Microsoft 365 Agents SDK's validator): a token signed by
a known key for this app id is taken; one signed by an unknown key, one for another audience, one for
another service URL, and none at all are each refused with 401 and change nothing. The signing keys
come from the fake connector (BOTFRAMEWORK_JWKS_URL)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "fakes"))

import jwt
import pytest
from conftest import SessionIndex
from cryptography.hazmat.primitives.asymmetric import rsa
from fake_teams import FakeConnector
from jwt.algorithms import RSAAlgorithm
from teams_harness import TeamsApp, activity, start_server, stop_server

APP_ID = "00000000-0000-0000-0000-0000000000aa"
ISSUER = "https://api.botframework.com"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeConnector]:
    f = FakeConnector().start()
    jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
    f.jwks = {"keys": [{**jwk, "kid": "key-1", "use": "sig", "alg": "RS256"}]}
    yield f
    f.stop()


@pytest.fixture(scope="module")
def teams(
    tmp_path_factory: pytest.TempPathFactory, session_index: SessionIndex, fake: FakeConnector
) -> Iterator[TeamsApp]:
    env = {
        "MicrosoftAppId": APP_ID,
        "MicrosoftAppPassword": "not-a-secret",
        "BOTFRAMEWORK_JWKS_URL": fake.url + "jwks",
        "CONDUCTBOT_TEAMS": "",
    }
    app = start_server(tmp_path_factory.mktemp("teams-auth"), session_index.cache, fake, env)
    yield app
    stop_server(app)


def token(service_url: str, key: Any = KEY, kid: str = "key-1", audience: str = APP_ID) -> dict[str, str]:
    now = int(time.time())
    claims = {"aud": audience, "iss": ISSUER, "nbf": now - 5, "exp": now + 600, "serviceurl": service_url}
    return {"Authorization": "Bearer " + jwt.encode(claims, key, "RS256", headers={"kid": kid})}


def test_only_a_token_for_this_bot_signed_by_a_known_key_is_taken(teams: TeamsApp) -> None:
    url = teams.fake.url
    refused = {
        "none": {},
        "unknown key": token(url, key=OTHER),
        "unknown key id": token(url, kid="key-2"),
        "another audience": token(url, audience="11111111-0000-0000-0000-000000000000"),
        "another service URL": token("https://smba.example/emea/"),
        "not a token": {"Authorization": "Bearer not.a.token"},
    }
    for why, headers in refused.items():
        r = teams.post(activity(url, "authx0001", "hej"), headers)
        assert r.status == 401, (why, r)
    good = teams.post(activity(url, "authok001", "hej"), token(url))
    assert good.status == 201, good
    time.sleep(1.0)
    assert not teams.fake.of("a:personal-authx0001"), "no refused request had any effect"
    log = teams.log_text()
    assert "Traceback" not in log.split("Teams: activities at")[-1].split("a Teams activity failed")[0]
