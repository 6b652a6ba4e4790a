"""Administrator and case-handler commands: `conductbot keys`, `conductbot case ...`, `conductbot tick`.

Case handlers of the whistleblower function work from here in the terminal deployment (in Slack and
Teams they can also answer in the channel thread). Reading a case needs the function's secret key
(`--key FILE`); the bot itself only holds the public key.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from bot.cases import CaseError, Keys
from bot.printable import printable, printable_block


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register the sub-commands on the main parser."""
    k = sub.add_parser("keys", help="create the whistleblower function's key pair for an organisation")
    k.add_argument("--org", help="organisation id (default: the default organisation)")
    k.add_argument(
        "--out",
        "--secret-out",
        dest="out",
        type=Path,
        help="where to write the secret key (default: CONDUCTBOT_SECRET_DIR or ~/.conductbot-secrets; never inside"
        " the data directory)",
    )
    c = sub.add_parser("case", help="whistleblower cases: list, show, reply, ack, close, delete, log")
    c.add_argument("action", choices=("list", "show", "reply", "ack", "close", "delete", "log"))
    c.add_argument("code", nargs="?", help="case code, e.g. VB-7K3M-Q9TX")
    c.add_argument("text", nargs="?", help="the answer (reply)")
    c.add_argument("--org", help="only this organisation (list)")
    c.add_argument("--key", type=Path, help="the function's secret key file (show)")
    f = sub.add_parser("forget", help="delete one person's profile, conversation state, subscriptions and references")
    f.add_argument("--user", required=True, help="the person's platform user id")
    f.add_argument("--platform", default="all", help="cli, slack, teams or all (default)")
    t = sub.add_parser("tick", help="deliver everything due up to now (or --now) and print what was delivered")
    t.add_argument("--now", help="ISO time to act as now, e.g. 2026-12-01T09:00:00+01:00")


def parse_now(value: str | None) -> float | None:
    """An ISO time as a timestamp (naive times are Europe/Stockholm)."""
    if not value:
        return None
    from bot.calendar import CalendarError, parse_instant

    try:
        return parse_instant(value)
    except CalendarError as exc:
        raise CaseError(f"--now: {exc}") from exc


def _day(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d") if ts else "-"


async def cmd_keys(args: argparse.Namespace, settings) -> int:
    org = args.org or settings.default_org
    try:
        pub, secret = Keys(settings.home / "keys", settings.home).create(org, args.out)
    except (CaseError, OSError) as exc:
        print(f"conductbot keys: {exc}", file=sys.stderr)
        return 2
    print(
        f"public key: {pub}\nsecret key: {secret}\n"
        "Move the secret key off this server now and give it to the case handlers; they pass it with --key."
        " Nothing the bot does needs it."
    )
    return 0


async def cmd_case(args: argparse.Namespace, settings) -> int:
    from bot.runtime import build_bot

    bot = await build_bot(settings)
    try:
        return await _case(bot, args)
    except CaseError as exc:
        msg = {"unknown": f"no case {args.code}", "closed": f"case {args.code} is closed"}.get(str(exc), str(exc))
        print(f"conductbot case: {msg}", file=sys.stderr)
        return 2
    finally:
        await bot.close()


async def _case(bot, args: argparse.Namespace) -> int:
    cases = bot.cases
    if args.action == "list":
        rows = await cases.list(args.org)
        if not rows:
            print("No cases.")
        for c in rows:
            print(
                f"{c.code}  {c.org:10} {c.status:15} received {_day(c.created)}  acknowledged {_day(c.acknowledged)}"
                f"  feedback {_day(c.feedback)}  closed {_day(c.closed)}"
            )
        return 0
    if not args.code:
        raise CaseError(f"`case {args.action}` needs a case code")
    info = await cases.info(args.code)
    if info is None:
        raise CaseError("unknown")
    if args.action == "log":
        for entry in await cases.audit.trail(info.code):
            when = dt.datetime.fromtimestamp(entry.at, dt.UTC).strftime("%Y-%m-%d %H:%M")
            print(f"{when}  {entry.action:15} via {entry.via}")
        return 0
    if args.action == "show":
        if args.key is None:
            raise CaseError("`case show CODE --key FILE`: give the function's secret key file")
        messages = await cases.messages_for_function(info.code, Keys.load_secret(args.key))
        await cases.shown(info.code, via="cli")
        print(f"{info.code}  {info.org}  {info.status}  received {_day(info.created)}")
        for author, when, text in messages:  # indented, escaped: a report's lines cannot pass for headers
            print(f"\n[{_day(when)}] {printable(author)}:\n    {printable_block(text)}")
        return 0
    if args.action == "reply":
        if not (args.text or "").strip():
            raise CaseError("`case reply CODE TEXT` needs the answer text")
        await cases.answer(info.code, args.text.strip())
        print(f"{info.code}: answer stored for the reporter; status feedback_given")
        return 0
    if args.action in ("ack", "close"):
        status = {"ack": "acknowledged", "close": "closed"}[args.action]
        await cases.set_status(info.code, status, via="cli")
        print(f"{info.code}: {status}")
        return 0
    await cases.delete(info.code, via="cli")
    print(f"{info.code}: deleted")
    return 0


async def cmd_forget(args: argparse.Namespace, settings) -> int:
    """GDPR erasure: one person's profile, conversation state, subscriptions and platform references."""
    from bot.forget import forget_user
    from bot.runtime import build_bot

    bot = await build_bot(settings)
    try:
        counts = await forget_user(bot, args.user, args.platform)
    finally:
        await bot.close()
    total = sum(counts.values())
    detail = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    print(f"forgot the user: {total} rows deleted" + (f" ({detail})" if detail else " (nothing was stored)"))
    return 0


async def cmd_tick(args: argparse.Namespace, settings) -> int:
    from bot.delivery import deliver_due
    from bot.runtime import build_bot

    try:
        now = parse_now(args.now)
    except CaseError as exc:
        print(f"conductbot tick: {exc}", file=sys.stderr)
        return 2
    bot = await build_bot(settings)
    try:
        from bot.server import attach_senders

        await attach_senders(bot, settings)  # Slack and Teams places reach their platforms, as in the server
        done = await deliver_due(bot, now)
    finally:
        await bot.close()
    for line in done:
        print(line)
    if not done:
        print("nothing due")
    return 0
