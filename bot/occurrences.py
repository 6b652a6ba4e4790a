"""Delivery of reminders' and prompts' occurrences: what has become due is posted once, or skipped,
or reported as missed, whichever of several processes gets there first.

Every occurrence (a subscription and its due time) is claimed (bot/claims.py) before anything is
done with it, then posted with the occurrence's key, then recorded in `schedule_sends` and the
subscription advanced to its next occurrence. A post the sender refused is retried in this round
and later ones, up to a limit, then reported as not delivered and the subscription moves on; one
that timed out, or that a crash left unconfirmed where the sender cannot tell, is not posted again
and reported as "maybe delivered". Occurrences missed while nothing ran are caught up when they are
at most `schedule_catch_up_hours` old; older ones are reported as missed.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable

from bot import schedule as data
from bot.calendar import local
from bot.claims import Claim, Claims, attempt
from bot.host import Host
from bot.subscriptions import Schedule

HOUR = 3600.0
Job = tuple[str, Callable[[], Awaitable[tuple[list[str], bool]]]]


def key_of(s: Schedule, due: float) -> str:
    """The post key of an occurrence (the outbox records it; `was_posted` looks for it)."""
    return f"s{s.id}-{int(due)}"


async def jobs(host: Host, claims: Claims, now: float) -> list[Job]:
    """One job per active subscription with something due, named by the place it posts to."""
    assert host.schedules is not None
    catalogue = {(r.org, r.id): r for rs in data.reminders(host.retriever.corpus).values() for r in rs}
    out: list[Job] = []
    for s in await host.schedules.list():
        if s.due <= now:

            async def run(s: Schedule = s) -> tuple[list[str], bool]:
                return await _catch_up(host, claims, s, now, catalogue)

            out.append((f"{s.org}/{s.place}", run))
    return out


async def _catch_up(
    host: Host, claims: Claims, s: Schedule, now: float, catalogue: dict[tuple[str, str], data.Reminder]
) -> tuple[list[str], bool]:
    """Everything due of one subscription, oldest first; stops at the first occurrence it cannot finish."""
    assert host.schedules is not None
    max_age = float(host.settings.schedule_catch_up_hours) * HOUR
    lines: list[str] = []
    current: Schedule | None = s
    while current is not None and current.active and current.due <= now:
        s, due = current, current.next_due
        claim = await claims.claim(f"occ:{key_of(s, due)}")
        if claim is None:
            if await claims.settled(f"occ:{key_of(s, due)}"):  # delivered, but a crash kept it from advancing
                await host.schedules.advance(s, due)
            return lines, True  # another process has it, or it waits for its retry time
        if s.skip_next:
            await _finish(host, s, due, "skipped", None, skip=True)
            await claims.finish(claim.key)
            lines.append(f"{s.org}: {s.kind} {s.id} skipped once ({local(s.due, s.tz)})")
        elif now - s.due > max_age and not claim.resumed:
            await _finish(host, s, due, "missed", None)
            await claims.finish(claim.key)
            lines.append(f"{s.org}: {s.kind} {s.id} missed ({local(s.due, s.tz)}, older than the catch-up limit)")
        else:
            line, ok = await _send(host, claims, claim, s, due, catalogue)
            lines.append(line)
            if not ok:
                return lines, False
        current = await host.schedules.get(s.id)
        if current is not None and current.next_due == due:
            break  # not advanced (changed meanwhile): the next round looks again
    return lines, True


async def _send(
    host: Host,
    claims: Claims,
    claim: Claim,
    s: Schedule,
    due: float,
    catalogue: dict[tuple[str, str], data.Reminder],
) -> tuple[str, bool]:
    key = key_of(s, due)
    when = local(s.due, s.tz)
    if claim.posting:  # a crash after the post began: did it happen?
        posted = await _was_posted(host, s, key)
        if posted is not False:
            await _finish(host, s, due, "sent" if posted else "uncertain", None)
            await claims.finish(claim.key, "done" if posted else "uncertain", attempts=claim.attempts)
            return f"{s.org}: {s.kind} {s.id} {'already delivered' if posted else 'maybe delivered (not resent)'}", True
    if os.environ.get("CONDUCTBOT_TEST_CRASH") == "before-post":
        os._exit(3)  # a test's stand-in for the process dying between claim and post
    prompt_id = None
    if s.kind == "reminder":
        r = catalogue.get((s.org, s.item))
        if r is None:
            await _finish(host, s, due, "missed", None)
            await claims.finish(claim.key)
            return f"{s.org}: reminder {s.id} ({s.item}) no longer exists", True
        text, choices = data.reminder_text(r, s.lang), data.reminder_choices(r, s.lang)
        what = f"reminder {s.id} {s.item}"
    else:
        prompt = await data.pick_prompt(host, s.org, s.role, s.place)
        text, choices, prompt_id = data.prompt_text(prompt, s.lang), data.pulse_choices(key), prompt.id
        what = f"prompt {s.id} {prompt.id}"

    async def post() -> str:
        return await host.sender.post(s.org, s.place, text, None, choices, key=key)

    timeout = float(host.settings.post_timeout_seconds)
    outcome = await attempt(claims, claim, post, lambda: _was_posted(host, s, key), timeout)
    if os.environ.get("CONDUCTBOT_TEST_CRASH") == "after-post":
        os._exit(3)  # a test's stand-in for the process dying between post and confirmation
    where = f"to {s.place} ({when})"
    if outcome.status != "failed":
        final = {"sent": "done", "uncertain": "uncertain", "gave_up": "gave_up"}[outcome.status]
        await claims.finish(claim.key, final, outcome.error or None, outcome.attempts)
    if outcome.status == "sent":
        await _finish(host, s, due, "sent", outcome.message, prompt_id)
        return f"{s.org}: {what} {where}{' after a restart' if claim.resumed else ''}", True
    if outcome.status == "uncertain":
        await _finish(host, s, due, "uncertain", None)
        return f"{s.org}: {what} {where} maybe delivered (timed out; not resent)", True
    if outcome.status == "gave_up":
        await _finish(host, s, due, "failed", None)
        return f"{s.org}: {what} {where} NOT delivered after {outcome.attempts} attempts ({outcome.error})", True
    await claims.failed(claim.key, outcome)
    retry = max(0.0, outcome.retry_at - claims.wall())
    return f"{s.org}: {what} {where} not posted ({outcome.error}); retrying in {retry:.0f} s", False


async def _was_posted(host: Host, s: Schedule, key: str) -> bool | None:
    check = getattr(host.sender, "was_posted", None)
    return await check(s.org, s.place, key) if check else None


async def _finish(
    host: Host, s: Schedule, due: float, status: str, message: str | None, prompt: str | None = None, skip: bool = False
) -> None:
    """Record the occurrence and move the subscription to its next occurrence, in one transaction."""
    sched = host.schedules
    assert sched is not None
    nxt = sched.following(s, max(due, s.due))
    await sched.db.execute(
        "INSERT INTO schedule_sends (schedule_id, due, status, message, prompt, at) VALUES (?,?,?,?,?,?) "
        "ON CONFLICT(schedule_id, due) DO UPDATE SET status=excluded.status, message=excluded.message, "
        "prompt=excluded.prompt, at=excluded.at",
        (s.id, due, status, message, prompt, host.clock()),
    )
    if prompt:
        await sched.db.execute(
            "INSERT INTO prompt_history VALUES (?,?,?)", (sched.places.tag(s.place), prompt, host.clock())
        )
    await sched.db.execute(
        "UPDATE schedules SET next_due=?, snoozed_until=NULL"
        + (", skip_next=0" if skip else "")
        + " WHERE id=? AND next_due=?",
        (nxt, s.id, due),
    )
    await sched.db.commit()
