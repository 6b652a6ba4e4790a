"""Intent recognition measured: a labelled set of first messages, precision and recall per intent.

`conductbot eval --intents FILE` reads JSON lines `{"id", "text", "intent", "org"?, "role"?}`, gives each
message to the bot as the first message of its own conversation, and compares the intent of the first
reply with the label. Reply intents are mapped to the labels: greetings, help and thanks are `smalltalk`;
an abstention is `policy_answer` (a question about the rules that the rules do not answer). A message that
starts a flow after a first reply (the four-question check quotes the rule that answers an "is it OK to ..."
question first, then asks its first question) is labelled with the flow it started.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.types import Incoming

LABEL_OF = {
    "greeting": "smalltalk",
    "help": "smalltalk",
    "thanks": "smalltalk",
    "out_of_scope": "policy_answer",
    "pulse": "schedule",
}
FLOWS = ("four_question_check", "anonymous_report")  # intents whose reply starts a conversation of its own


@dataclass
class IntentScores:
    """Counts per intent and the confusions, with precision/recall lines for the report."""

    total: int = 0
    right: int = 0
    tp: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    gold: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    def summary(self, misses: bool = False) -> str:
        lines = [f"{'intent':22} {'precision':>9} {'recall':>7} {'n':>4}"]
        for name in sorted(set(self.gold) | set(self.predicted)):
            p = self.tp[name] / self.predicted[name] if self.predicted[name] else 0.0
            r = self.tp[name] / self.gold[name] if self.gold[name] else 0.0
            lines.append(f"{name:22} {p:9.3f} {r:7.3f} {self.gold[name]:4d}")
        acc = self.right / self.total if self.total else 0.0
        lines.append(f"SCORE intents accuracy={acc:.3f} n={self.total}")
        return "\n".join((self.misses if misses else []) + lines)


async def score_intents(bot: Any, items: list[dict[str, Any]]) -> IntentScores:
    """Run every labelled message through the bot, each in a fresh conversation."""
    s = IntentScores()
    for n, it in enumerate(items):
        text = str(it.get("text", ""))
        inc = Incoming(user=f"intent-eval-{n}", conversation=f"intent-eval-{n}", text=text,
                       org=it.get("org"), role=it.get("role") or "manager")  # fmt: skip
        replies = await bot.handle(inc)
        bot.ephemeral.pop(bot.store.pseudonym("cli", f"intent-eval-{n}"), None)
        got = replies[0].intent if replies else "error"
        if len(replies) > 1 and replies[-1].intent in FLOWS:
            got = replies[-1].intent
        got = LABEL_OF.get(got, got)
        want = str(it.get("intent"))
        s.total += 1
        s.gold[want] += 1
        s.predicted[got] += 1
        if got == want:
            s.right += 1
            s.tp[want] += 1
        else:
            s.misses.append(f"MISS {it.get('id', n)}: want {want}, got {got}")
    return s
