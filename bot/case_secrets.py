"""The secrets of a whistleblower case: its code, its passphrase and the key derived from the passphrase.

Codes and passphrases use a 32-letter alphabet without 0/O and 1/I. A passphrase is compared as the
bot wrote it (lower case, groups joined by hyphens), however the reporter typed the separators.
"""

from __future__ import annotations

import re
import secrets

import nacl.pwhash
import nacl.secret

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
OPS = nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE
MEM = nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE


def new_code() -> str:
    """A random case code such as 'VB-7K3M-Q9TX' (about 39.8 bits; unique in the table). It always holds a
    digit, so that typed without its prefix ("7k3m q9tx") it is told from two words ("TACK-SMAK")."""
    while True:
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        if any(c.isdigit() for c in raw):
            return f"VB-{raw[:4]}-{raw[4:]}"


def new_passphrase() -> str:
    """A high-entropy passphrase (5 groups of 5 characters: 125 bits), easy to copy."""
    raw = "".join(secrets.choice(_ALPHABET.lower()) for _ in range(25))
    return "-".join(raw[i : i + 5] for i in range(0, 25, 5))


def kdf(passphrase: str, salt: bytes) -> bytes:
    """The key that opens the reporter's half of a case, derived from its passphrase (argon2id)."""
    return nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE, passphrase.encode(), salt, opslimit=OPS, memlimit=MEM
    )


def as_typed(passphrase: str) -> str:
    """A typed passphrase in the form it was issued: "Ab3de fgh2k" and "ab3de-fgh2k" are the same."""
    return "-".join(re.split(r"[\s-]+", passphrase.strip().lower()))
