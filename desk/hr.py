"""What HR's page shows: themes of what the bot could not answer and of 👎 answers, per week; which
sections answers cite; the shares answered, abstained on and rated; and a question tried as the bot
would answer it.

Nothing here is case content and nothing is anyone's wording: the question log is already redacted
and reduced (bot/questions.py), and a theme is listed only once at least `K_ANONYMITY` different
people asked it; fewer are only counted ("2 themes not shown"). A tried question goes through
`Bot.handle` of a sandbox bot: the same corpus, retriever and worker pool, but its state in a
throw-away in-memory database and nothing recorded for HR (as `conductbot ask` answers), so it is never
kept, counted or rated, and it is answered by whichever intent would answer it in chat.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot import limits
from bot.questions import K_ANONYMITY, grouped
from bot.types import Citation, Incoming

DAY = 86400.0
WEEK = 7 * DAY
WEEKS = 13  # the question log is kept 90 days by default
TOP_SECTIONS = 12


@dataclass(frozen=True, slots=True)
class ThemeRow:
    """One theme as HR sees it: what (an example or the passages), how many, how many people, per week."""

    label: str
    count: int
    people: int
    weekly: list[int]
    last_day: float


@dataclass(slots=True)
class Analytics:
    """Everything on HR's page for one organisation."""

    weeks: list[int] = field(default_factory=list)  # ISO week numbers, oldest first
    unanswered_weekly: list[int] = field(default_factory=list)
    down_weekly: list[int] = field(default_factory=list)
    unanswered: list[ThemeRow] = field(default_factory=list)
    down: list[ThemeRow] = field(default_factory=list)
    hidden: int = 0
    sections: list[tuple[str, int]] = field(default_factory=list)
    answered: int = 0
    abstained: int = 0
    rated_up: int = 0
    rated_down: int = 0


@dataclass(frozen=True, slots=True)
class Tried:
    """A question tried on HR's page: the answer's text and citations, or why there is none."""

    text: str = ""
    citations: tuple[Citation, ...] = ()
    abstained: bool = False
    problem: str = ""  # a label key: try_busy, try_too_long


def _week_start(ts: float) -> float:
    day = ts - ts % DAY
    weekday = (int(day // DAY) + 3) % 7  # 1970-01-01 was a Thursday; 0 is Monday
    return day - weekday * DAY


def _iso_week(ts: float) -> int:
    import datetime as dt

    return dt.datetime.fromtimestamp(ts, dt.UTC).isocalendar()[1]


def passage_label(bot: Any, passages: tuple[str, ...] | list[str]) -> str:
    """'Title › Section; …' for the stored 'doc-id › section' strings."""
    titles = {d.id: d.title for d in bot.retriever.corpus.documents}
    out = []
    for p in passages:
        doc, _, section = p.partition(" › ")
        out.append(f"{titles.get(doc, doc)} › {section}" if section else titles.get(doc, doc))
    return "; ".join(out)


async def analytics(bot: Any, org: str, now: float) -> Analytics:
    """HR's figures for `org` as of `now`, from the question log, the answer records and the feedback."""
    first = _week_start(now) - (WEEKS - 1) * WEEK
    starts = [first + i * WEEK for i in range(WEEKS)]
    out = Analytics(weeks=[_iso_week(s) for s in starts])

    def weekly(days: list[float]) -> list[int]:
        counts = [0] * WEEKS
        for d in days:
            i = int((_week_start(d) - first) // WEEK)
            if 0 <= i < WEEKS:
                counts[i] += 1
        return counts

    entries = await bot.store.questions(org)
    out.unanswered_weekly = weekly([e.day for e in entries if e.reason == "abstained"])
    out.down_weekly = weekly([e.day for e in entries if e.reason == "thumbs_down"])
    for theme, members in grouped(entries, K_ANONYMITY):
        if theme.people < K_ANONYMITY:
            out.hidden += 1
            continue
        if theme.reason == "thumbs_down":
            label = passage_label(bot, theme.passages)
        else:
            label = theme.example or ""
        row = ThemeRow(label, theme.count, theme.people, weekly([m.day for m in members]), theme.last_day)
        (out.down if theme.reason == "thumbs_down" else out.unanswered).append(row)
    db = bot.store.db
    cited: Counter[str] = Counter()
    async with db.execute("SELECT passages FROM answered WHERE org=?", (org,)) as cur:
        for (raw,) in await cur.fetchall():
            for p in dict.fromkeys(json.loads(raw)):
                cited[p] += 1
            out.answered += 1
    out.sections = [(passage_label(bot, [p]), n) for p, n in cited.most_common(TOP_SECTIONS)]
    async with db.execute("SELECT count(*) FROM question_log WHERE org=? AND reason='abstained'", (org,)) as cur:
        row = await cur.fetchone()
    out.abstained = int(row[0]) if row else 0
    async with db.execute(
        "SELECT f.helpful, count(DISTINCT f.answer_id) FROM feedback f JOIN answered a ON a.answer_id=f.answer_id"
        " WHERE a.org=? GROUP BY f.helpful",
        (org,),
    ) as cur:
        for helpful, n in await cur.fetchall():
            if helpful:
                out.rated_up = int(n)
            else:
                out.rated_down = int(n)
    return out


class Sandbox:
    """A second bot over the same retriever, for questions tried on HR's page: nothing it does is kept."""

    def __init__(self, bot: Any) -> None:
        self.bot = bot
        self._inner: Any = None
        self._lock = asyncio.Lock()

    async def inner(self) -> Any:
        from bot.runtime import build_bot

        async with self._lock:
            if self._inner is None:
                settings = self.bot.settings.model_copy(update={"record_questions": False})
                inner = await build_bot(settings, retriever=self.bot.retriever, memory=True)
                inner.workers.close()
                inner.workers = self.bot.workers  # one bounded pool for the process
                self._inner = inner
        return self._inner

    async def close(self) -> None:
        if self._inner is not None:
            await self._inner.store.close()
            self._inner = None

    async def ask(self, org: str, role: str, text: str) -> Tried:
        """The replies the bot would give `role` in `org` to `text`, in a conversation of its own."""
        text = text.strip()
        if limits.too_long(text) or limits.word_too_long(text):
            return Tried(problem="try_too_long")
        inner = await self.inner()
        conversation = "desk-try-" + secrets.token_hex(8)
        incoming = Incoming(user="desk-hr", conversation=conversation, text=text, org=org, role=role, platform="desk")
        replies = await inner.handle(incoming)
        await inner.store.clear_state(inner.store.pseudonym("desk", conversation))
        if replies and replies[0].intent == "error" and replies[0].abstained:
            return Tried(replies[0].text, (), True)
        body = "\n\n".join(r.text for r in replies if r.text)
        cited = tuple(c for r in replies for c in r.citations)
        return Tried(body, cited, all(r.abstained for r in replies))
