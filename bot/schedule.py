"""Dialogue reminders and conduct prompts: the data, and the texts of their posts.

Data (what HR changes) is in knowledge/schedule/: `reminders.yaml` (per organisation, each resting on a
verbatim quote, checked at start) and `prompts.yaml` (curated scenarios plus discussion questions put
under the organisation's passages).

The subscriptions live in bot/subscriptions.py (`Schedules`, re-exported here), and the delivery
of what has become due in bot/occurrences.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.calendar import CADENCES, weekday_number
from bot.host import Host
from bot.subscriptions import SCHEMA, Schedule, ScheduleError, Schedules
from bot.types import Choice
from knowledge.corpus import Corpus, Passage
from knowledge.routing import RoutingError, find_passage
from knowledge.yamlio import load as load_yaml

__all__ = ["SCHEMA", "Prompt", "Reminder", "Schedule", "ScheduleError", "Schedules"]

log = logging.getLogger(__name__)

DATA = Path(__file__).resolve().parents[1] / "knowledge" / "schedule"
HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class Reminder:
    id: str
    org: str
    roles: tuple[str, ...]
    cadence: str
    weekday: int
    time: str
    months: tuple[int, ...]
    passage: Passage
    title: dict[str, str]
    agenda: dict[str, list[str]]
    offer: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Prompt:
    id: str
    org: str
    passage: Passage
    text: dict[str, str]


def _find(corpus: Corpus, doc: str, quote: str, where: str) -> Passage:
    try:
        return find_passage(corpus, doc, quote, where)
    except RoutingError as exc:
        raise ScheduleError(str(exc)) from exc


@cache
def _raw(name: str) -> dict[str, Any]:
    return load_yaml((DATA / name).read_text(encoding="utf-8")) or {}


def reminders(corpus: Corpus) -> dict[str, list[Reminder]]:
    """Every organisation's reminders, each resolved to its passage (ScheduleError when a quote is wrong)."""
    out: dict[str, list[Reminder]] = {}
    for org, items in _raw("reminders.yaml").items():
        if org not in corpus.orgs():  # reminders of an organisation whose documents are not loaded
            continue
        for r in items:
            where = f"knowledge/schedule/reminders.yaml: {org}/{r.get('id')}"
            if r["cadence"] not in CADENCES:
                raise ScheduleError(f"{where}: unknown cadence {r['cadence']!r}")
            out.setdefault(org, []).append(
                Reminder(
                    id=r["id"],
                    org=org,
                    roles=tuple(r["roles"]),
                    cadence=r["cadence"],
                    weekday=weekday_number(r.get("weekday", "mon")),
                    time=str(r.get("time", "09:00")),
                    months=tuple(r.get("months") or ()),
                    passage=_find(corpus, r["rests_on"]["doc"], r["rests_on"]["quote"], where),
                    title=r["title"],
                    agenda=r["agenda"],
                    offer=tuple(r.get("offer") or ()),
                )
            )
    return out


def prompt_bank(corpus: Corpus, org: str, audiences: tuple[str, ...]) -> list[Prompt]:
    """The curated prompts of an organisation for these audiences, then one per passage of its documents."""
    data = _raw("prompts.yaml")
    bank: list[Prompt] = []
    for item in (data.get("curated") or {}).get(org, []):
        if set(item.get("audiences") or audiences) & set(audiences):
            where = f"knowledge/schedule/prompts.yaml: {org}/{item['id']}"
            passage = _find(corpus, item["rests_on"]["doc"], item["rests_on"]["quote"], where)
            bank.append(Prompt(item["id"], org, passage, {"sv": item["sv"], "en": item["en"]}))
    questions = data["questions"]
    n = 0
    for p in corpus.passages:
        doc_audiences = set(p.doc.audiences)
        if p.org != org or not (doc_audiences & set(audiences)) or len(p.text) < 80:
            continue
        q = {lang: questions[lang][n % len(questions[lang])] for lang in ("sv", "en")}
        n += 1
        bank.append(Prompt(p.id, org, p, q))
    return bank


def validate(corpus: Corpus) -> None:
    """Fail at start, not at 09:00 on a Monday, when a reminder or prompt cites text that is not there."""
    reminders(corpus)
    for org in _raw("prompts.yaml").get("curated") or {}:
        if org in corpus.orgs():
            prompt_bank(corpus, org, ("employee", "manager", "elected", "group_leader"))


def audiences_for(role: str | None) -> tuple[str, ...]:
    return ("elected", "group_leader") if role in ("elected", "group_leader") else ("employee", "manager")


# ---- the texts of a reminder and a prompt ---------------------------------------------------------


def reminder_text(r: Reminder, lang: str) -> str:
    from intents.phrases import say

    agenda = "\n".join(f"• {line}" for line in r.agenda.get(lang) or r.agenda["sv"])
    title = r.title.get(lang) or r.title["sv"]
    doc_title = r.passage.doc.title
    source = say("schedule", "source", lang, title=doc_title, section=r.passage.section)
    quote = "\n".join("> " + line for line in r.passage.text.splitlines())
    return f"{title}\n\n{say('schedule', 'agenda', lang)}\n{agenda}\n\n{source}\n{quote}"


def reminder_choices(r: Reminder, lang: str) -> tuple[Choice, ...]:
    from intents.phrases import say

    out = []
    if "fqc" in r.offer:
        out.append(Choice(say("schedule", "offer_fqc", lang), "fqc:start"))
    if "prompt" in r.offer:
        out.append(Choice(say("schedule", "offer_prompt", lang), "sched:post"))
    return tuple(out)


def prompt_text(p: Prompt, lang: str) -> str:
    from intents.phrases import say

    quote = "\n".join("> " + line for line in p.passage.text.splitlines())
    head = say("schedule", "prompt_head", lang, title=p.passage.doc.title, section=p.passage.section)
    pulse = _raw("prompts.yaml")["pulse"].get(lang) or _raw("prompts.yaml")["pulse"]["sv"]
    return f"{head}\n{quote}\n\n{p.text.get(lang) or p.text['sv']}\n\n{pulse}"


def pulse_choices(post: str) -> tuple[Choice, ...]:
    return tuple(Choice(str(n), f"pulse:{post}:{n}") for n in range(1, 6))


async def pick_prompt(bot: Host, org: str, role: str | None, place: str) -> Prompt:
    """The least used prompt in this place, never the one posted there last."""
    bank = prompt_bank(bot.retriever.corpus, org, audiences_for(role))
    if not bank:
        raise ScheduleError(f"no prompts for {org}")
    schedules = bot.schedules
    assert schedules is not None
    last = await schedules.last_prompt(place)
    uses = await schedules.prompt_uses(place)
    choices = [p for p in bank if p.id != last] or bank
    return min(choices, key=lambda p: (uses.get(p.id, 0), bank.index(p)))


async def post_prompt(bot: Host, org: str, role: str | None, place: str, lang: str, key: str | None = None) -> str:
    """Post a prompt to a place now; returns the prompt's id."""
    prompt = await pick_prompt(bot, org, role, place)
    post_key = key or f"p{int(bot.clock() * 1000):x}"
    await bot.sender.post(org, place, prompt_text(prompt, lang), None, pulse_choices(post_key), key=post_key)
    assert bot.schedules is not None
    await bot.schedules.record_prompt(place, prompt.id, bot.clock())
    return prompt.id
