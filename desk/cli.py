"""`conductbot desk add-user | remove-user | list-users`: the desk's users, made on the server's terminal.

    conductbot desk add-user --org vasteras --role handler --name anna --secret-key /media/usb/vasteras.secret
    conductbot desk add-user --org vasteras --role hr --name hr-vasteras --passphrase-stdin < file

The passphrase is asked twice on the terminal (or read as one line from stdin with
`--passphrase-stdin`). A handler's account seals the organisation's secret key under it, so the key
file may then go back off the server; the key must be the pair of the organisation's public key.
HR's account holds no key. Nothing is open until a user is added.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from bot.keys import CaseError, Keys
from bot.printable import printable
from desk.users import MIN_PASSPHRASE, ROLES, DeskUsers


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register `conductbot desk ...`."""
    d = sub.add_parser("desk", help="the web desk's users: add-user, remove-user, list-users")
    d.add_argument("action", choices=("add-user", "remove-user", "list-users"))
    d.add_argument("--org", help="organisation id (add-user)")
    d.add_argument("--role", choices=ROLES, help="handler (reads and answers cases) or hr (analytics)")
    d.add_argument("--name", help="the user's login name")
    d.add_argument("--secret-key", type=Path, help="a handler's organisation's secret key file (sealed, not copied)")
    d.add_argument("--passphrase-stdin", action="store_true", help="read the passphrase as one line from stdin")


def _passphrase(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Passphrase: ")
    if getpass.getpass("Again: ") != first:
        raise CaseError("the passphrases differ")
    return first


async def cmd_desk(args: argparse.Namespace, settings) -> int:
    """Add, remove or list desk users."""
    try:
        return await _desk(args, settings)
    except (CaseError, ValueError) as exc:
        print(f"conductbot desk: {exc}", file=sys.stderr)
        return 2


async def _desk(args: argparse.Namespace, settings) -> int:
    from bot.store import Store

    if args.action != "list-users" and not args.name:
        raise CaseError(f"`desk {args.action}` needs --name")
    secret = None
    if args.action == "add-user":
        if not args.org or not args.role:
            raise CaseError("`desk add-user` needs --org and --role")
        from knowledge.corpus import load_corpus

        orgs = load_corpus(settings.corpus_dirs or None).orgs()
        if args.org not in orgs:
            raise CaseError(f"unknown organisation {printable(args.org)!r} (known: {', '.join(orgs)})")
        if args.role == "handler":
            if args.secret_key is None:
                raise CaseError("a handler needs --secret-key FILE, the organisation's secret key")
            secret = Keys.load_secret(args.secret_key)
            public = Keys(settings.home / "keys", settings.home).public(args.org, create=False)
            if bytes(secret.public_key) != bytes(public):
                raise CaseError(f"{args.secret_key} is not the secret key of {args.org}'s public key")
        elif args.secret_key is not None:
            raise CaseError("HR never gets the secret key: leave out --secret-key")
        passphrase = _passphrase(args.passphrase_stdin)
        if len(passphrase) < MIN_PASSPHRASE:
            raise CaseError(f"the passphrase must be at least {MIN_PASSPHRASE} characters")
    store = await Store.open(settings.db_path)
    try:
        users = await DeskUsers.open(store.db, lambda name: store.pseudonym("desk", name))
        if args.action == "list-users":
            rows = await users.list()
            print("\n".join(f"{org:10} {role:8} added {_day(day)}" for org, role, day in rows) or "No desk users.")
            return 0
        if args.action == "remove-user":
            if not await users.remove(args.name):
                raise CaseError("no such desk user")
            print("removed the desk user (their sessions end at the next restart or when they expire)")
            return 0
        await users.add(args.name, args.org, args.role, passphrase, secret)
    finally:
        await store.close()
    what = "the organisation's secret key is sealed under the passphrase" if secret else "no key"
    print(f"desk user added: {args.role} of {args.org} ({what}). Enable the desk with `desk: {{}}` in config.yaml.")
    return 0


def _day(ts: float) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d")
