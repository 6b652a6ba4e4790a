"""The whistleblower function's keys, and the bot's own local key.

Each organisation's function has a key pair. The bot needs only the public key (under
`<home>/keys/<org>.public`): everything a reporter sends is sealed to it. The secret key belongs to the
case handlers and is never written inside the data directory: `conductbot keys --org ORG [--out PATH]`
writes it where the operator says, by default to a 0600 file in `CONDUCTBOT_SECRET_DIR` (else
`~/.conductbot-secrets/`), and says to move it off the server. A first report in a trial with no key pair
makes one the same way and says so once, in the log.

The local key (`<home>/keys/outbox.key`) encrypts posts waiting for their random delay and the sealed
state a report form carries across a restart; the server needs it, so it lives beside the database.
"""

from __future__ import annotations

import base64
import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import nacl.exceptions
import nacl.public
import nacl.secret
import nacl.utils

log = logging.getLogger(__name__)


class CaseError(ValueError):
    """A case or key operation that cannot be done, with a message fit to show (bot.cases re-exports it)."""


def secret_dir(home: Path) -> Path:
    """Where secret keys go by default: CONDUCTBOT_SECRET_DIR, else ~/.conductbot-secrets (never inside home)."""
    raw = os.environ.get("CONDUCTBOT_SECRET_DIR")
    folder = Path(raw).expanduser() if raw else Path.home() / ".conductbot-secrets"
    return folder


def inside(path: Path, folder: Path) -> bool:
    """True when `path` is `folder` or lies under it (after resolving links)."""
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def write_private(path: Path, data: bytes) -> None:
    """Write a new file readable by its owner only (0600); refuses to overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def read_or_make(path: Path, make: Callable[[], bytes]) -> bytes:
    """The bytes in `path`; on first use new ones from `make`, written 0600.

    Safe when several processes start at once on a new data directory: the file appears whole or not at
    all (written aside, then linked into place), and every process gets the bytes of the one that won.
    """
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}")
    write_private(tmp, make())
    try:
        os.link(tmp, path)
    except FileExistsError:  # another process made it first: use theirs
        pass
    finally:
        tmp.unlink()
    return path.read_bytes()


def link_new(path: Path, data: bytes) -> bool:
    """Put a new file whole at `path` (0600) unless one is there; False when another was there first."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}")
    write_private(tmp, data)
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink()
    return True


def local_key(path: Path) -> bytes:
    """The key in `path`, made (0600) on first use."""
    return read_or_make(path, lambda: nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE))


class Keys:
    """The function's key pairs per organisation: public keys under `<home>/keys/`, secret keys elsewhere."""

    def __init__(self, folder: Path, home: Path | None = None) -> None:
        self.folder = folder
        self.home = home or folder.parent
        self._local: nacl.secret.SecretBox | None = None

    def public_path(self, org: str) -> Path:
        return self.folder / f"{org}.public"

    def create(self, org: str, secret_out: Path | None = None) -> tuple[Path, Path]:
        """A new key pair for the organisation; the secret key is written outside the data directory."""
        pub = self.public_path(org)
        if pub.exists():
            raise CaseError(f"{pub} exists; remove it first to make a new key pair")
        sk = nacl.public.PrivateKey.generate()
        fingerprint = base64.b32encode(bytes(sk.public_key)[:5]).decode().lower()
        out = secret_out or secret_dir(self.home) / f"{org}-{fingerprint}.secret"
        if inside(out.parent if not out.exists() else out, self.home):
            raise CaseError(f"{out} is inside the data directory {self.home}; write the secret key elsewhere (--out)")
        write_private(out, bytes(sk))
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not link_new(pub, bytes(sk.public_key)):  # another process made a pair just now: keep theirs
            out.unlink()
            raise CaseError(f"{pub} exists; remove it first to make a new key pair")
        return pub, out

    def public(self, org: str, create: bool = True) -> nacl.public.PublicKey:
        """The organisation's public key; in a trial with none, a pair is made on first use and the log says
        where the secret key went."""
        pub = self.public_path(org)
        if not pub.exists():
            if not create:
                raise CaseError(f"no key pair for '{org}': run `conductbot keys --org {org}`")
            try:
                _, secret = self.create(org)
            except CaseError:
                if not pub.exists():
                    raise
                return nacl.public.PublicKey(pub.read_bytes())  # made by another process at the same moment
            log.warning(
                "no key pair for the whistleblower function of %s: made one; the secret key is in %s. Move it off "
                "this server and give it to the case handlers (`conductbot case show CODE --key FILE`).",
                org,
                secret,
            )
        return nacl.public.PublicKey(pub.read_bytes())

    def local_box(self) -> nacl.secret.SecretBox:
        """The bot's local key (waiting posts, form state), read or made on first use."""
        if self._local is None:
            self._local = nacl.secret.SecretBox(local_key(self.folder / "outbox.key"))
        return self._local

    def stray_secrets(self) -> list[Path]:
        """Secret keys an earlier version left inside the data directory (they should be moved away)."""
        return sorted(self.folder.glob("*.secret")) if self.folder.exists() else []

    @staticmethod
    def load_secret(path: Path) -> nacl.public.PrivateKey:
        try:
            return nacl.public.PrivateKey(Path(path).read_bytes())
        except (OSError, nacl.exceptions.CryptoError, TypeError, ValueError) as exc:
            raise CaseError(f"cannot read the secret key {path}: {exc}") from exc
