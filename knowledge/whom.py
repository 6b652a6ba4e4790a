"""Routing from the text: for a concept, the sentence of the organisation's own passage that names
whom to tell ("meddela din chef", "vänd dig till HR", "anmäl det till din personalansvarige").

No routing file is needed: the passages tagged with a concept are searched for sentences with a
telling verb (meddela, tala med, vänd dig till, kontakta, rapportera till, anmäl, ...) and, better, a
recipient (chef, HR, gruppledare, skyddsombud, ...). Documents for different audiences give their own
rules (an elected official is told what the elected officials' code says). When no passage about the
concern names anyone, the rule says so plainly and quotes what the documents do say; a general
"how to report" passage of the organisation is used when the concern's own passages name no one.
The answer quotes the Swedish sentence verbatim; nothing is translated by machine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from knowledge import yamlio
from knowledge.corpus import ALL_AUDIENCES, Corpus, Passage
from knowledge.routing import Rule
from knowledge.text import without_exclusions
from knowledge.topics import ConceptIndex

_TELL = re.compile(
    r"\b(meddela[rs]?|(?:tala|prata)[rs]?(?: \w+){0,3} med|vänd[a]?(?: \w+){0,3} dig|vänder dig|kontakta[rs]?|"
    r"ta[rs]? kontakt med|rapportera[rs]?|anmäl[ae]?[rs]?|säg[a]? till|säger till|informera[rs]?|"
    r"ta[rs]? upp|tas upp|larma|ring|slå larm|hör av dig|(?:kan|ska|får) användas|tell|talk to|speak to|contact|"
    r"report|inform|raise|can be used)\b",
    re.I,
)
_WHOM = re.compile(
    r"\b(chef\w*|närmaste|hr|personal\w*|gruppledare\w*|skyddsombud\w*|fackl\w*|företrädare|ledning\w*|vd|"
    r"visselblås\w*|ombud\w*|ordförande\w*|arbetsgivare\w*|ekonomi|manager|supervisor|union|"
    r"representative|management|whistleblow\w*)\b",
    re.I,
)
# a sentence ends at its stop, a list item at its line; a line wrapped by hand goes on
# ("... allvarliga\nmissförhållanden")
_SENTENCE = re.compile(r"(?<=[.!?:])\s+|\n+(?=\s*(?:[-*•]|\d+[.)])\s)|\n{2,}")


def sentences(text: str) -> list[str]:
    """The sentences (and list items) of a passage, as written."""
    out = []
    for s in _SENTENCE.split(text):
        s = " ".join(s.strip().lstrip("-*• ").split())
        if s:
            out.append(s)
    return out


def _best(
    passages: list[tuple[Passage, float]], about: Callable[[str], bool] = lambda s: False
) -> tuple[Passage, str] | None:
    """The passage that best names whom to tell and its telling sentences (those naming a recipient,
    else all that tell), or None when no passage names anyone; a sentence `about` the concern counts."""
    best: tuple[float, Passage, str] | None = None
    for p, strength in passages:
        telling = [s for s in _before_exclusion(sentences(p.text)) if _TELL.search(s)]
        if not telling:
            continue
        whom = [s for s in telling if _WHOM.search(s)]
        own = [s for s in (whom or telling) if about(s)]
        if own:
            whom = own
        elif not whom:  # "rapportera dina timmar": telling no one, and not about the concern
            continue
        score = 1.0 + 1.5 * bool(whom) + 1.0 * bool(own) + 0.5 * min(strength, 4.0)
        if best is None or score > best[0]:
            best = (score, p, " ".join((whom or telling)[:3]))
    return (best[1], best[2]) if best else None


def _before_exclusion(said: list[str]) -> list[str]:
    """The sentences before the first that says what a channel is not for: those after it name whom to tell
    about the excluded matters ("ska inte användas för ... ledarskap. Prata i första hand med din chef om dessa
    synpunkter"), not about the concern."""
    for i, s in enumerate(said):
        if without_exclusions(s) != s:
            return said[:i]
    return said


def _general(corpus: Corpus, rows: list[int], topics: ConceptIndex) -> list[tuple[Passage, float]]:
    """The organisation's general "how to report" passages: a heading about reporting, or much about
    whistleblowing."""
    wb = topics.concepts.by_id.get("whistleblowing")
    out = []
    for r in rows:
        p = corpus.passages[r]
        if _TELL.search(p.section) or (wb is not None and topics.lexical[r, wb] >= 2.0):
            out.append((p, 1.0))
    return out


def _audience_groups(corpus: Corpus, org: str) -> list[tuple[tuple[str, ...], list[int]]]:
    """The organisation's passages grouped by the audiences of their documents."""
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, p in enumerate(corpus.passages):
        if p.org == org:
            key = () if ALL_AUDIENCES in p.doc.audiences else tuple(sorted(p.doc.audiences))
            groups.setdefault(key, []).append(i)
    return sorted(groups.items(), key=lambda kv: (kv[0] == (), kv[0]))  # documents for everyone last


@cache
def _not_for() -> dict[str, Any]:
    data: dict[str, Any] = yamlio.load((Path(__file__).parent / "whom.yaml").read_text(encoding="utf-8")) or {}
    return dict(data.get("not_for") or {})


def _not_for_rules(corpus: Corpus, org: str) -> list[Rule]:
    """Per audience, the ordinary channels a passage names right after saying what the whistleblower function is
    not for (`whom.yaml` not_for)."""
    spec = _not_for()
    if not spec:
        return []
    out = []
    for roles, rows in _audience_groups(corpus, org):
        for r in rows:
            p = corpus.passages[r]
            said = sentences(p.text)
            kept = _before_exclusion(said)
            if len(kept) == len(said) or not re.search(r"(?i)visselblås|whistleblow", said[len(kept)]):
                continue
            after = [s for s in said[len(kept) + 1 :] if _TELL.search(s) and _WHOM.search(s)]
            if after:
                label = dict(spec.get("label") or {})
                out.append(_rule(str(spec["topic"]), label, roles, (p, " ".join(after[:3])), [(p, 1.0)], False))
                break
    return out


def derived_rules(corpus: Corpus, topics: ConceptIndex, org: str) -> list[Rule]:
    """The rules the organisation's own text gives, per reportable concept it covers and audience, and the
    ordinary channels for what its whistleblower function is not for."""
    rules: list[Rule] = _not_for_rules(corpus, org)
    for ci, concept in enumerate(topics.concepts.concepts):
        if not concept.report:
            continue
        for roles, rows in _audience_groups(corpus, org):
            tagged = [(corpus.passages[r], float(topics.lexical[r, ci])) for r in rows if topics.lexical[r, ci] >= 1.0]
            if not tagged:
                continue

            def about(text: str, ci: int = ci) -> bool:
                return ci in topics.concepts.match(text, "sv", question=False)

            found = _best(tagged, about)
            general = False
            if found is None:  # the concern's own sections, then the general reporting passages
                sections = {(p.doc.id, p.section) for p, _ in tagged}
                near = [
                    (corpus.passages[r], 0.5)
                    for r in rows
                    if (corpus.passages[r].doc.id, corpus.passages[r].section) in sections
                ]
                found = _best(near, about)
            if found is None:
                found = _best(_general(corpus, rows, topics))
                general = found is not None
            rules.append(_rule(concept.id, concept.label, roles, found, tagged, general))
    return rules


def _rule(
    topic: str,
    label: dict[str, str],
    roles: tuple[str, ...],
    found: tuple[Passage, str] | None,
    tagged: list[tuple[Passage, float]],
    general: bool,
) -> Rule:
    sv_label, en_label = label.get("sv", topic), label.get("en", topic)
    if found is None:  # the documents speak of the concern but name no one to tell
        p = max(tagged, key=lambda t: t[1])[0]
        # said plainly, with no channel of our own: the organisation may have no manager or HR to name
        sv = (
            f"{p.doc.title} säger inte vem du ska vända dig till om {sv_label}. Det här är vad dokumentet säger om det:"
        )
        en = (
            f"{p.doc.title_en} does not say whom to tell about {en_label}. This is what the document says about it "
            "(quoted in Swedish):"
        )
        return Rule(topic, roles, sv, en, (p,), named=False)
    p, sentence = found
    where_sv = f"{p.doc.title}, avsnittet ”{p.section}”" if p.section else p.doc.title
    where_en = f"{p.doc.title_en}, section “{p.section}”" if p.section else p.doc.title_en
    if general:
        sv = f"Om {sv_label} säger {where_sv} vad som gäller när någon bryter mot koden: ”{sentence}”"
        en = f"On {en_label}, {where_en} says what to do when someone breaks the code (quoted in Swedish): “{sentence}”"
    else:
        sv = f"Om {sv_label} säger {where_sv}: ”{sentence}”"
        en = f"On {en_label}, {where_en} says whom to tell (quoted in Swedish): “{sentence}”"
    return Rule(topic, roles, sv, en, (p,))
