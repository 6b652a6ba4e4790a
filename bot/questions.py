"""The questions HR sees: what the bot could not answer and which answers got 👎, as themes.

Nothing is written as typed. A question the bot abstained on is redacted (bot/redact.py) and reduced
to a theme key; a 👎 keeps only the passages of the answer it judges. And nothing is written at once:
an entry is held in memory for `hold_seconds`, and dropped if its conversation comes near an anonymous
report (a report offered, started, written, reviewed or followed up), because what a person describes
just before reporting is the report. While a conversation is in or near a report, nothing of it is
kept at all.

`themes` groups the kept entries into themes with counts; a theme's example text is shown only when at
least `k` different people asked it, so one person's situation is never on the list.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.redact import redact, similar, theme_key
from bot.store import QuestionEntry, Store

K_ANONYMITY = 3


@dataclass(frozen=True, slots=True)
class Theme:
    """Similar entries grouped: how many, from how many people, why, and an example when safe."""

    org: str
    reason: str
    count: int
    people: int
    example: str | None
    passages: tuple[str, ...]
    first_day: float
    last_day: float


class QuestionLog:
    """Holds entries per conversation, then stores them reduced, unless a report came near."""

    def __init__(
        self,
        store: Store,
        hold_seconds: float = 600.0,
        clock: Callable[[], float] = time.time,
        known: Callable[[str], bool] | None = None,
    ) -> None:
        self.store = store
        self.hold_seconds = hold_seconds
        self.clock = clock
        self.known = known
        self._held: dict[str, list[tuple[float, QuestionEntry]]] = {}
        self._quiet: dict[str, float] = {}

    def quiet(self, conv_key: str) -> bool:
        """True while the conversation is in or near a report: nothing of it is kept."""
        until = self._quiet.get(conv_key)
        if until is None:
            return False
        if until < self.clock():
            del self._quiet[conv_key]
            return False
        return True

    def suppress(self, conv_key: str) -> None:
        """A report is offered or under way here: drop what is held and keep nothing for a while."""
        self._held.pop(conv_key, None)
        self._quiet[conv_key] = self.clock() + self.hold_seconds

    def note(
        self,
        conv_key: str,
        user_key: str,
        org: str,
        role: str | None,
        lang: str,
        reason: str,
        text: str | None = None,
        passages: tuple[str, ...] = (),
    ) -> None:
        """Hold one entry: a question not answered (its text, redacted now) or a 👎 (its passages)."""
        if self.quiet(conv_key):
            return
        reduced = redact(text, self.known) if text else None
        theme = theme_key(reduced) if reduced else "|".join(passages)
        entry = QuestionEntry(org, role, lang, reason, reduced, theme, self.store.asker(user_key), passages)
        self._held.setdefault(conv_key, []).append((self.clock() + self.hold_seconds, entry))

    async def flush(self, force: bool = False) -> int:
        """Store the entries whose hold is over (all of them with `force`); returns how many."""
        now = self.clock()
        n = 0
        for conv in list(self._held):
            if self.quiet(conv):
                self._held.pop(conv, None)
                continue
            keep = []
            for due, entry in self._held[conv]:
                if force or due <= now:
                    await self.store.add_question(entry)
                    n += 1
                else:
                    keep.append((due, entry))
            if keep:
                self._held[conv] = keep
            else:
                del self._held[conv]
        return n


def themes(entries: list[QuestionEntry], k: int = K_ANONYMITY) -> list[Theme]:
    """Entries grouped into themes (same reason and organisation, similar theme keys), most asked first."""
    return [theme for theme, _ in grouped(entries, k)]


def grouped(entries: list[QuestionEntry], k: int = K_ANONYMITY) -> list[tuple[Theme, list[QuestionEntry]]]:
    """The themes with the entries that make each one up (the desk counts them per week), most asked first."""
    groups: list[tuple[QuestionEntry, list[QuestionEntry]]] = []
    for e in entries:
        for head, members in groups:
            if head.org == e.org and head.reason == e.reason and _same_theme(head, e):
                members.append(e)
                break
        else:
            groups.append((e, [e]))
    out = []
    for head, members in groups:
        people = len({m.asker for m in members})
        texts = [m.text for m in members if m.text]
        example = max(set(texts), key=texts.count) if texts and people >= k else None
        days = [m.day for m in members]
        theme = Theme(head.org, head.reason, len(members), people, example, head.passages, min(days), max(days))
        out.append((theme, members))
    out.sort(key=lambda tm: (-tm[0].count, tm[0].org, tm[0].reason))
    return out


def _same_theme(a: QuestionEntry, b: QuestionEntry) -> bool:
    if a.text is None or b.text is None:
        return a.text is None and b.text is None and a.passages == b.passages
    return a.theme == b.theme or similar(a.theme, b.theme)
