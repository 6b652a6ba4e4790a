"""`conductbot remind ...` and `conductbot prompt ...`: reminders and conduct prompts from the terminal.

Places name where posts go: `slack:<channel or user id>`, `teams:<conversation id>`, or anything else
for the terminal outbox (`<home>/outbox/<org>.jsonl`). `conductbot tick` (or the server) delivers them.
"""

from __future__ import annotations

import argparse
import sys

from bot import schedule as sched
from bot.calendar import CADENCES, DEFAULT_TZ, WEEKDAYS, CalendarError, local, weekday_number
from bot.printable import printable
from bot.types import ROLES


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    r = sub.add_parser("remind", help="dialogue reminders: add, list, snooze, skip, cancel")
    ra = r.add_subparsers(dest="action", required=True)
    add = ra.add_parser("add", help="subscribe to a reminder of your policy")
    add.add_argument("reminder", nargs="?", help="the reminder's id (omit to list the ones for your role)")
    _who(add)
    _when(add)
    add.add_argument("--place", help="where it is posted (default: your terminal outbox)")
    ls = ra.add_parser("list", help="your active reminders and prompts")
    ls.add_argument("--user", default="cli-user")
    ls.add_argument("--all", action="store_true", help="everyone's (for an administrator)")
    for name, text in (("snooze", "postpone the next one"), ("skip", "skip the next one"), ("cancel", "stop it")):
        sp = ra.add_parser(name, help=text)
        sp.add_argument("number", type=int)
        sp.add_argument("--user", default="cli-user")
        if name == "snooze":
            sp.add_argument("--days", type=float, default=7.0)

    p = sub.add_parser("prompt", help="conduct prompts for a group leader's channel: post, add, list, skip, cancel")
    pa = p.add_subparsers(dest="action", required=True)
    post = pa.add_parser("post", help="post a prompt to a channel now")
    _who(post, role="group_leader")
    post.add_argument("--channel", required=True, help="slack:<id>, teams:<id>, or a name for the outbox")
    add = pa.add_parser("add", help="post prompts to a channel on a schedule (default every other Monday 09:00)")
    _who(add, role="group_leader")
    add.add_argument("--channel", required=True)
    _when(add, cadence="biweekly")
    ls = pa.add_parser("list", help="scheduled prompts")
    ls.add_argument("--user", default="cli-user")
    ls.add_argument("--all", action="store_true")
    for name in ("skip", "cancel"):
        sp = pa.add_parser(name)
        sp.add_argument("number", type=int)
        sp.add_argument("--user", default="cli-user")


def _who(sp: argparse.ArgumentParser, role: str | None = None) -> None:
    sp.add_argument("--org", help="organisation (default: CONDUCTBOT_DEFAULT_ORG or vasteras)")
    sp.add_argument("--role", choices=ROLES, default=role, required=role is None)
    sp.add_argument("--user", default="cli-user")
    sp.add_argument("--lang", choices=("sv", "en"), default="sv")


def _when(sp: argparse.ArgumentParser, cadence: str | None = None) -> None:
    sp.add_argument("--cadence", choices=CADENCES, default=cadence)
    sp.add_argument("--weekday", help=f"{', '.join(WEEKDAYS)} (or måndag, ...)")
    sp.add_argument("--time", help="HH:MM")
    sp.add_argument("--tz", default=DEFAULT_TZ, help="time zone (default Europe/Stockholm)")
    sp.add_argument("--months", help="for yearly and twice-yearly: months, e.g. 3,9")


async def cmd_remind(args: argparse.Namespace, settings) -> int:
    return await _run(args, settings, "reminder")


async def cmd_prompt(args: argparse.Namespace, settings) -> int:
    return await _run(args, settings, "prompt")


async def _run(args: argparse.Namespace, settings, kind: str) -> int:
    from bot.runtime import build_bot
    from bot.server import attach_senders

    bot = await build_bot(settings)
    try:
        await attach_senders(bot, settings)  # `prompt post` to a Slack or Teams channel
        return await _act(bot, args, kind)
    except (sched.ScheduleError, CalendarError) as exc:
        print(f"conductbot {'remind' if kind == 'reminder' else 'prompt'}: {exc}", file=sys.stderr)
        return 2
    finally:
        await bot.close()


async def _act(bot, args: argparse.Namespace, kind: str) -> int:
    schedules = bot.schedules
    owner = bot.store.pseudonym("cli", args.user)
    org = getattr(args, "org", None) or bot.settings.default_org
    if args.action == "list":
        rows = await schedules.list(owner=None if args.all else owner, kind=kind)
        for s in rows:
            skip = " (skipping the next)" if s.skip_next else ""
            print(
                f"{s.id}\t{printable(s.org)}\t{printable(s.item or 'prompt')}\t{s.cadence} {WEEKDAYS[s.weekday]} "
                f"{printable(s.at)} {printable(s.tz)}\tnext {local(s.due, s.tz)}{skip}\t{printable(s.place)}"
            )
        if not rows:
            print("none")
        return 0
    if args.action in ("snooze", "skip", "cancel"):
        s = await schedules.get(args.number)
        if s is None or s.kind != kind:
            raise sched.ScheduleError(f"no active {kind} with number {args.number}")
        if args.action == "snooze":
            s = await schedules.snooze(args.number, args.days, owner=owner)
            print(f"{s.id}: next {local(s.due, s.tz)}")
        elif args.action == "skip":
            s = await schedules.skip(args.number, owner=owner)
            print(f"{s.id}: the next one ({local(s.due, s.tz)}) will be skipped")
        else:
            await schedules.cancel(args.number, owner=owner)
            print(f"{s.id}: cancelled")
        return 0
    from bot.cli import known_org

    org = known_org(bot, org)  # an unknown organisation: one line, exit 2
    if kind == "prompt" and args.action == "post":
        prompt = await sched.post_prompt(bot, org, args.role, args.channel, args.lang)
        platform, _ = bot.sender.resolve(org, args.channel) if hasattr(bot.sender, "resolve") else ("?", "")
        if platform or ":" not in args.channel:
            where = args.channel if platform else f"{args.channel} in the terminal outbox"
        else:  # say truthfully that it did not reach the platform the place names
            named = args.channel.partition(":")[0]
            outbox = bot.settings.home / "outbox" / f"{org}.jsonl"
            where = f"the terminal outbox ({outbox}): {named} is not configured"
        print(f"posted prompt {prompt} to {printable(where)}")
        return 0
    months = tuple(int(m) for m in args.months.split(",")) if args.months else ()
    if kind == "prompt":
        if args.role != "group_leader":
            raise sched.ScheduleError("conduct prompts are posted by group leaders (--role group_leader)")
        weekday = weekday_number(args.weekday or "mon")
        s = await schedules.add(
            "prompt",
            org,
            owner,
            args.role,
            args.channel,
            "",
            args.cadence,
            weekday,
            args.time or "09:00",
            args.tz,
            months,
            args.lang,
        )
        print(f"{s.id}: prompts to {s.place}, {s.cadence}, first {local(s.due, s.tz)}")
        return 0
    catalogue = sched.reminders(bot.retriever.corpus).get(org, [])
    mine = [r for r in catalogue if args.role in r.roles]
    r = next((r for r in mine if r.id == args.reminder), None)
    if r is None:
        names = ", ".join(r.id for r in mine) or "none for this role"
        raise sched.ScheduleError(f"choose a reminder for a {args.role} in {org}: {names}")
    cadence = args.cadence or r.cadence
    weekday = weekday_number(args.weekday) if args.weekday else r.weekday
    s = await schedules.add(
        "reminder",
        org,
        owner,
        args.role,
        args.place or f"cli:{args.user}",
        r.id,
        cadence,
        weekday,
        args.time or r.time,
        args.tz,
        months or (r.months if cadence == r.cadence else ()),
        args.lang,
    )
    print(f"{s.id}: {r.id}, {s.cadence} {WEEKDAYS[s.weekday]} {s.at} {s.tz}, first {local(s.due, s.tz)}")
    return 0
