"""Desk sessions, held in the server's memory only, and the per-client login throttle.

A session is what a login gives: the user's organisation and role, a per-session CSRF token, and for a
case handler the whistleblower function's secret key, opened by the passphrase. Nothing of it is
written anywhere: a restart, a logout, `idle_seconds` without a request or `max_seconds` since the
login forget it (and the key with it). The cookie carries a random token; the table is keyed by its
SHA-256, so the tokens themselves are not kept either.

The login form comes before any session: its CSRF token is an HMAC of a random cookie under a key
the process makes at start (double submit, checked with `hmac.compare_digest`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import nacl.public

MAX_SESSIONS = 10_000
MAX_CLIENTS = 10_000


@dataclass(slots=True)
class Session:
    """One logged-in user: who (organisation, role), the CSRF token, and a handler's unlocked key."""

    org: str
    role: str
    csrf: str
    created: float
    seen: float
    secret: nacl.public.PrivateKey | None = field(default=None, repr=False)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    """The live sessions: made at login, looked up by cookie, expired when idle or old."""

    def __init__(self, idle_seconds: float, max_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.idle = idle_seconds
        self.max = max_seconds
        self.clock = clock
        self._live: dict[str, Session] = {}
        self._form_key = secrets.token_bytes(32)

    def new(self, org: str, role: str, secret: nacl.public.PrivateKey | None) -> tuple[str, Session]:
        """A fresh session (a new token, never one the browser brought) and its cookie token."""
        self.sweep()
        if len(self._live) >= MAX_SESSIONS:  # the oldest goes first
            del self._live[min(self._live, key=lambda k: self._live[k].created)]
        token = secrets.token_urlsafe(32)
        now = self.clock()
        session = Session(org, role, secrets.token_urlsafe(32), now, now, secret)
        self._live[_digest(token)] = session
        return token, session

    def get(self, token: str | None) -> Session | None:
        """The session of a cookie token, or None when there is none or it has expired (then it is dropped)."""
        if not token:
            return None
        key = _digest(token)
        session = self._live.get(key)
        if session is None:
            return None
        now = self.clock()
        if now - session.seen > self.idle or now - session.created > self.max:
            self._drop(key)
            return None
        session.seen = now
        return session

    def end(self, token: str | None) -> None:
        """Logout: the session and its key are forgotten."""
        if token:
            self._drop(_digest(token))

    def _drop(self, key: str) -> None:
        session = self._live.pop(key, None)
        if session is not None:
            session.secret = None

    def sweep(self) -> None:
        now = self.clock()
        for key in [k for k, s in self._live.items() if now - s.seen > self.idle or now - s.created > self.max]:
            self._drop(key)

    def __len__(self) -> int:
        return len(self._live)

    # -- the login form's CSRF token, before there is a session ------------------------------------------

    def form_token(self, nonce: str) -> str:
        return hmac.new(self._form_key, b"login\x1f" + nonce.encode(), hashlib.sha256).hexdigest()

    def form_ok(self, nonce: str | None, token: str | None) -> bool:
        if not nonce or not token:
            return False
        return hmac.compare_digest(self.form_token(nonce), token)


def csrf_ok(session: Session, token: str | None) -> bool:
    """The form's token is the session's (constant-time comparison)."""
    return bool(token) and hmac.compare_digest(session.csrf.encode(), str(token).encode())


class Throttle:
    """Wrong passphrases per client address: after `max_failures`, the client is locked for a while."""

    def __init__(self, max_failures: int, lock_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.lock_seconds = lock_seconds
        self.clock = clock
        self._clients: dict[str, tuple[int, float]] = {}

    def locked(self, client: str) -> bool:
        until = self._clients.get(client, (0, 0.0))[1]
        if until and until <= self.clock():
            del self._clients[client]
            return False
        return bool(until)

    def failed(self, client: str) -> bool:
        """Count a wrong passphrase; True when this locks the client."""
        if len(self._clients) >= MAX_CLIENTS:
            now = self.clock()
            self._clients = {c: v for c, v in self._clients.items() if v[1] > now}
            if len(self._clients) >= MAX_CLIENTS:
                self._clients.pop(next(iter(self._clients)))
        failures = self._clients.get(client, (0, 0.0))[0] + 1
        if failures >= self.max_failures:
            self._clients[client] = (failures, self.clock() + self.lock_seconds)
            return True
        self._clients[client] = (failures, 0.0)
        return False

    def succeeded(self, client: str) -> None:
        self._clients.pop(client, None)
