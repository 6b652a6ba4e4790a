"""When a recurring reminder or prompt falls: cadences, Swedish public holidays, time zones.

Occurrences are computed in the subscriber's own zone (Europe/Stockholm unless they chose another), so
09:00 stays 09:00 across the daylight-saving changes. An occurrence on a Saturday, Sunday or Swedish
public holiday (or a de facto holiday: midsommarafton, julafton, nyårsafton) moves to the next working
day at the same time.

Cadences:
- `weekly`, `biweekly`: every (other) `weekday`, counted from the subscription's anchor date;
- `monthly`: the first `weekday` of every month;
- `twice-yearly`, `yearly`: the first `weekday` of each of `months` (defaults [3, 9] and [9]).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

CADENCES = ("weekly", "biweekly", "monthly", "twice-yearly", "yearly")
DEFAULT_MONTHS = {"twice-yearly": (3, 9), "yearly": (9,)}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_TZ = "Europe/Stockholm"


class CalendarError(ValueError):
    pass


def easter(year: int) -> dt.date:
    """Easter Sunday (the Gregorian computus, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    m = (32 + 2 * e + 2 * i - h - k) % 7
    n = (a + 11 * h + 22 * m) // 451
    month = (h + m - 7 * n + 114) // 31
    day = (h + m - 7 * n + 114) % 31 + 1
    return dt.date(year, month, day)


def _weekday_between(year: int, month: int, first: int, last: int, weekday: int) -> dt.date:
    for day in range(first, last + 1):
        d = dt.date(year, month, day)
        if d.weekday() == weekday:
            return d
    raise AssertionError("a 7-day window has every weekday")


@cache
def holidays(year: int) -> dict[dt.date, str]:
    """Swedish public holidays (lag 1989:253) and the de facto holidays (eves) of a year."""
    e = easter(year)
    days = {
        dt.date(year, 1, 1): "nyårsdagen",
        dt.date(year, 1, 6): "trettondedag jul",
        e - dt.timedelta(days=2): "långfredagen",
        e: "påskdagen",
        e + dt.timedelta(days=1): "annandag påsk",
        dt.date(year, 5, 1): "första maj",
        e + dt.timedelta(days=39): "Kristi himmelsfärdsdag",
        e + dt.timedelta(days=49): "pingstdagen",
        dt.date(year, 6, 6): "Sveriges nationaldag",
        _weekday_between(year, 6, 19, 25, 4): "midsommarafton",
        _weekday_between(year, 6, 20, 26, 5): "midsommardagen",
        dt.date(year, 12, 24): "julafton",
        dt.date(year, 12, 25): "juldagen",
        dt.date(year, 12, 26): "annandag jul",
        dt.date(year, 12, 31): "nyårsafton",
    }
    # alla helgons dag: the Saturday between 31 October and 6 November
    saints = dt.date(year, 10, 31)
    while saints.weekday() != 5:
        saints += dt.timedelta(days=1)
    days[saints] = "alla helgons dag"
    return days


def working_day(day: dt.date) -> dt.date:
    """The day itself if it is a working day, else the next one."""
    while day.weekday() >= 5 or day in holidays(day.year):
        day += dt.timedelta(days=1)
    return day


def parse_time(text: str) -> tuple[int, int]:
    try:
        hour, minute = (int(x) for x in text.replace(".", ":").split(":"))
    except ValueError as exc:
        raise CalendarError(f"time must be HH:MM, not {text!r}") from exc
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise CalendarError(f"time must be HH:MM, not {text!r}")
    return hour, minute


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError) as exc:
        raise CalendarError(f"unknown time zone {name!r}") from exc


def _slots(cadence: str, weekday: int, months: tuple[int, ...], anchor: dt.date, start: dt.date):
    """Unshifted occurrence dates of a cadence, from the first on or after `start`'s period."""
    if cadence in ("weekly", "biweekly"):
        step = 7 if cadence == "weekly" else 14
        first = anchor + dt.timedelta(days=(weekday - anchor.weekday()) % 7)
        if start > first:
            periods = (start - first).days // step
            first += dt.timedelta(days=periods * step)
        day = first
        while True:
            yield day
            day += dt.timedelta(days=step)
    year, month = start.year, start.month
    wanted = tuple(range(1, 13)) if cadence == "monthly" else months
    # start one month early: a slot shifted past a month's end is still found
    month -= 1
    if month == 0:
        year, month = year - 1, 12
    while True:
        if month in wanted:
            yield _weekday_between(year, month, 1, 7, weekday)
        month += 1
        if month == 13:
            year, month = year + 1, 1


def next_occurrence(
    after: float,
    cadence: str,
    weekday: int,
    at: str,
    tz: str = DEFAULT_TZ,
    months: tuple[int, ...] = (),
    anchor: dt.date | None = None,
) -> float:
    """The first occurrence strictly after the instant `after` (a Unix time), moved off holidays."""
    if cadence not in CADENCES:
        raise CalendarError(f"cadence must be one of {', '.join(CADENCES)}, not {cadence!r}")
    if not 0 <= weekday <= 6:
        raise CalendarError("weekday must be 0 (Monday) to 6 (Sunday)")
    zi = zone(tz)
    hour, minute = parse_time(at)
    months = months or DEFAULT_MONTHS.get(cadence, ())
    local_after = dt.datetime.fromtimestamp(after, zi)
    start = local_after.date() - dt.timedelta(days=40)
    for slot in _slots(cadence, weekday, months, anchor or start, start):
        day = working_day(slot)
        when = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zi).timestamp()
        if when > after:
            return when
    raise AssertionError("cadences never end")


def weekday_number(text: str) -> int:
    key = text.strip().casefold()[:3]
    names = {
        **{w: i for i, w in enumerate(WEEKDAYS)},
        **{w: i for i, w in enumerate(("mån", "tis", "ons", "tor", "fre", "lör", "sön"))},
    }
    if key not in names:
        raise CalendarError(f"weekday must be one of {', '.join(WEEKDAYS)}, not {text!r}")
    return names[key]


def local(ts: float, tz: str = DEFAULT_TZ) -> str:
    """An instant as the subscriber reads it: `2027-03-01 09:00`."""
    return dt.datetime.fromtimestamp(ts, zone(tz)).strftime("%Y-%m-%d %H:%M")


def parse_instant(value: str) -> float:
    """An ISO time as a Unix time; a time without a zone is Europe/Stockholm."""
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise CalendarError(f"expected an ISO time such as 2027-03-01T09:00:00+01:00, not {value!r}") from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=ZoneInfo(DEFAULT_TZ))
    return when.timestamp()
