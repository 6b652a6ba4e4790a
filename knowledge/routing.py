"""Routing rules: whom to tell about what, per organisation and role, each resting on a passage.

Data lives in `knowledge/routing/<organisation>.yaml` (see `vasteras.yaml` for the format). A rule
names the passage it rests on by document id and a verbatim snippet; loading fails with a clear
message when a snippet is not in that document, so a rule can never cite text the policy lacks.
Adding an organisation needs no file: for topics no file covers, the rules are found in the
organisation's own text (`whom.py`); a file only refines them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from knowledge import yamlio
from knowledge.corpus import Corpus, Passage
from knowledge.lexicon import Lexicon
from knowledge.text import detect_lang, normalize

if TYPE_CHECKING:
    from knowledge.topics import ConceptIndex

BUNDLED_ROUTING = Path(__file__).parent / "routing"
ANONYMOUS_REPORT_TOPICS = ("corruption", "whistleblowing", "conflict_of_interest")


class RoutingError(ValueError):
    """A routing file that cannot be used: says which file and what is wrong."""


@dataclass(frozen=True, slots=True)
class Rule:
    """What to tell a person with one of `roles` about a topic, and the passages it rests on."""

    topic: str
    roles: tuple[str, ...]
    sv: str
    en: str
    rests_on: tuple[Passage, ...]
    offer: tuple[str, ...] = ()
    named: bool = True  # False: the organisation's documents name no one to tell about this topic
    answers: bool = True  # False: ... nor say anything about it (a routing file's general advice): a decline
    derived: bool = False  # found in the text (knowledge/whom.py), not written in a routing file


@dataclass(frozen=True, slots=True)
class OrgRouting:
    """One organisation's routing: its topics in priority order and their rules."""

    org: str
    topics: tuple[str, ...]
    rules: tuple[Rule, ...]
    channels: dict[str, dict[str, str]]

    def rule(self, topic: str, role: str) -> Rule | None:
        """The rule for this topic and role (a rule with no roles serves everyone)."""
        for r in self.rules:
            if r.topic == topic and (role in r.roles or not r.roles):
                return r
        return None

    def depends_on_role(self, topic: str) -> bool:
        """True when people of different roles are told different things about the topic."""
        return len({(r.sv, r.en) for r in self.rules if r.topic == topic}) > 1


def find_passage(corpus: Corpus, doc: str, quote: str, path: Path | str) -> Passage:
    """The passage of document `doc` that contains `quote` (whitespace and case aside); RoutingError if none."""
    want = normalize(" ".join(quote.split()))
    for p in corpus.passages:
        if p.doc.id == doc and want in normalize(" ".join(p.text.split())):
            return p
    raise RoutingError(f"{path}: no passage of document '{doc}' contains {quote!r}")


class Routing:
    """All organisations' routing rules and the topic matcher built from their trigger words."""

    def __init__(
        self, orgs: dict[str, OrgRouting], triggers: dict[str, Lexicon], concepts: ConceptIndex | None = None
    ) -> None:
        self.orgs = orgs
        self._triggers = triggers
        self._concepts = concepts
        self._derived: dict[str, set[str]] = {}  # per organisation, the topics found in its text
        # per organisation, the domain concepts (concepts.yaml) each routing-file topic covers
        self.topic_concepts: dict[str, dict[str, frozenset[str]]] = {}

    @classmethod
    def load(cls, corpus: Corpus, folder: Path | None = None, concepts: ConceptIndex | None = None) -> Routing:
        """Read every `<org>.yaml` in the folder (default: the bundled one) against the corpus, then add
        for every organisation the rules its own text gives (`whom.py`) for topics no file covers."""
        folder = folder or BUNDLED_ROUTING
        orgs: dict[str, OrgRouting] = {}
        triggers: dict[str, Lexicon] = {}
        covers: dict[str, dict[str, frozenset[str]]] = {}  # per organisation, each topic's concepts
        for path in sorted(folder.glob("*.yaml")):
            try:
                data: dict[str, Any] = yamlio.load(path.read_text(encoding="utf-8")) or {}
            except yaml.YAMLError as exc:
                raise RoutingError(f"{path}: not valid YAML: {exc}") from exc
            org = str(data.get("organisation") or "")
            if not org:
                raise RoutingError(f"{path}: lacks 'organisation'")
            if org not in corpus.orgs():  # a routing file of an organisation whose documents are not loaded
                continue
            topics: list[str] = []
            rules: list[Rule] = []
            entries = []
            for t in data.get("topics") or []:
                tid = str(t["id"])
                topics.append(tid)
                covers.setdefault(org, {})[tid] = frozenset(str(c) for c in t.get("concepts") or [tid])
                entries.append({"means": [tid], "said": [str(x) for x in t.get("triggers") or []]})
                for r in t.get("rules") or []:
                    cites = [r["rests_on"], *(r.get("also") or [])]
                    passages = tuple(find_passage(corpus, str(c["doc"]), str(c["quote"]), path) for c in cites)
                    for p in passages:
                        if p.org != org:
                            raise RoutingError(f"{path}: rule for '{tid}' cites {p.doc.id} of another organisation")
                    rules.append(
                        Rule(
                            tid,
                            tuple(r.get("roles") or ()),
                            str(r["sv"]).strip(),
                            str(r["en"]).strip(),
                            passages,
                            tuple(r.get("offer") or ()),
                            named=bool(r.get("answers", True)),
                            answers=bool(r.get("answers", True)),
                        )
                    )
            orgs[org] = OrgRouting(org, tuple(topics), tuple(rules), dict(data.get("channels") or {}))
            triggers[org] = Lexicon(entries)
        routing = cls(orgs, triggers, concepts)
        if concepts is not None:  # a topic covers the concepts that are part of one it covers (jäv: corruption)
            names = concepts.concepts.concepts
            for org_covers in covers.values():
                for tid, cs in org_covers.items():
                    org_covers[tid] = cs | {c.id for c in names if c.broader in cs}
        routing.topic_concepts = covers
        if concepts is not None:
            routing._derive(corpus, concepts)
        return routing

    def _derive(self, corpus: Corpus, concepts: ConceptIndex) -> None:
        from knowledge.orgs import org_info, org_name
        from knowledge.whom import derived_rules

        for org in corpus.orgs():
            rules = [replace(r, derived=True) for r in derived_rules(corpus, concepts, org)]
            have = self.orgs.get(org)
            topics = list(dict.fromkeys(r.topic for r in rules if not have or r.topic not in have.topics))
            self._derived[org] = set(topics)
            if (corpus.org_info.get(org) or org_info(org)).get("whistleblower"):
                # an organisation with a whistleblower function: serious wrongdoing offers the anonymous report
                rules = [
                    replace(r, offer=("anonymous_report",)) if r.topic in ANONYMOUS_REPORT_TOPICS else r for r in rules
                ]
            channels = dict(have.channels) if have else {}
            url = (corpus.org_info.get(org) or org_info(org)).get("whistleblower")
            if url and "whistleblower" not in channels:
                channels["whistleblower"] = {
                    "sv": f"{org_name(org, 'sv')}s visselblåsarfunktion, {url}",
                    "en": f"the whistleblower function of {org_name(org, 'en')}, {url}",
                }
            self.orgs[org] = OrgRouting(
                org,
                (*(have.topics if have else ()), *topics),
                (*(have.rules if have else ()), *(r for r in rules if r.topic in topics)),
                channels,
            )

    def topics(self, org: str, text: str) -> list[str]:
        """The organisation's topics the text is about, in the organisation's priority order."""
        routing = self.orgs.get(org)
        if routing is None:
            return []
        trig = self._triggers.get(org)
        found = {m for e in trig.expand(text) for m in e.means} if trig else set()
        derived = self._derived.get(org, set())
        ranked_ids: list[str] = []
        if self._concepts is not None:
            names = self._concepts.concepts
            hits = names.match(text, detect_lang(text), question=True)
            ranked_ids = [names.concepts[ci].id for ci, _ in sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))]
        # a routing file's topic is found by its trigger words or by the domain concepts it covers
        covers = self.topic_concepts.get(org, {})
        said = set(ranked_ids)
        out = [t for t in routing.topics if t in found or (t in covers and covers[t] & said)]
        out += [c for c in ranked_ids if c in derived and c not in out]
        return out

    def topic_of_passage(self, org: str, passage_id: str) -> str | None:
        """The topic whose rule rests on this passage, if any."""
        routing = self.orgs.get(org)
        if routing is None:
            return None
        for r in routing.rules:
            if any(p.id == passage_id for p in r.rests_on[:1]):
                return r.topic
        return None
