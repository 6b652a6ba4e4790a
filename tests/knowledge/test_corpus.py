"""The policy corpus: front matter, section-aware passages with stable ids, cleaning, verbatim text,
and adding a document (or breaking one) with no code change."""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from conftest import (
    BUNDLED_CORPUS,
    DOC_ALINGSAS,
    DOC_ELECTED,
    DOC_EMPLOYEES,
    DOC_INTERPELLATION,
    DOC_KOMMUN,
    ORGS,
    cited_docs,
)

from bot.types import ROLES
from knowledge.corpus import CorpusError, load_corpus, parse_document, slug

FRONT_KEYS = ("id", "organisation", "audiences", "title", "source", "date")
BUNDLED_FILES = sorted(BUNDLED_CORPUS.rglob("*.md"))
VALUE_WORDS = (
    "ÖPPENHET", "KREATIVITET", "SAMARBETE", "HANDLINGSKRAFT", "ANSVARSTAGANDE",
    "DELAKTIGHET", "RESPEKT", "OMTANKE",
)  # fmt: skip


def _front(path: Path) -> dict:
    raw = path.read_text(encoding="utf-8")
    m = re.match(r"\A---\s*\n(.*?)\n---\s*\n", raw, re.S)
    assert m, f"{path.name}: no front matter"
    return yaml.safe_load(m.group(1))


# -- documents and front matter -----------------------------------------------------------------


def test_the_five_bundled_documents_load_for_three_organisations(bundled_corpus):
    ids = {d.id for d in bundled_corpus.documents}
    assert {DOC_EMPLOYEES, DOC_ELECTED, DOC_INTERPELLATION, DOC_ALINGSAS, DOC_KOMMUN} <= ids
    assert set(bundled_corpus.orgs()) == set(ORGS)
    assert len(bundled_corpus.documents) == len(BUNDLED_FILES)


@pytest.mark.parametrize("path", BUNDLED_FILES, ids=lambda p: p.stem)
def test_every_bundled_file_has_the_front_matter_fields(path: Path, bundled_corpus):
    meta = _front(path)
    missing = [k for k in FRONT_KEYS if k not in meta]
    assert not missing, f"{path.name} lacks {missing}"
    for key in ("id", "organisation", "title", "source"):
        assert str(meta[key]).strip(), f"{path.name}: empty {key}"
    assert meta["organisation"] in ORGS
    assert path.parent.name == meta["organisation"], "files are grouped by organisation"
    auds = meta["audiences"]
    assert isinstance(auds, list) and auds
    assert set(auds) <= {*ROLES, "all"}
    doc = next(d for d in bundled_corpus.documents if d.id == meta["id"])
    assert (doc.org, doc.title, doc.source, doc.audiences) == (
        meta["organisation"],
        meta["title"],
        meta["source"],
        tuple(auds),
    )


def test_audiences_route_the_vasteras_codes_to_their_roles(bundled_corpus):
    docs = {d.id: d for d in bundled_corpus.documents}
    assert {"employee", "manager"} <= set(docs[DOC_EMPLOYEES].audiences)
    assert not docs[DOC_EMPLOYEES].serves("elected")
    assert docs[DOC_ELECTED].serves("elected") and docs[DOC_ELECTED].serves("group_leader")
    assert not docs[DOC_ELECTED].serves("employee")
    assert all(docs[DOC_INTERPELLATION].serves(r) for r in ROLES)


# -- passages ---------------------------------------------------------------------------------------


def test_passage_ids_are_unique_and_shaped_doc_hash_section_slug_n(bundled_corpus):
    ps = bundled_corpus.passages
    assert len({p.id for p in ps}) == len(ps)
    numbers: dict[tuple[str, str], list[int]] = defaultdict(list)
    for p in ps:
        m = re.fullmatch(r"(?P<doc>[^#]+)#(?P<slug>[a-z0-9-]+)-(?P<n>\d+)", p.id)
        assert m, p.id
        assert m["doc"] == p.doc.id
        assert m["slug"] == slug(p.section), (p.id, p.section)
        numbers[(m["doc"], m["slug"])].append(int(m["n"]))
    for key, ns in numbers.items():
        assert sorted(ns) == list(range(1, len(ns) + 1)), key


def test_section_slugs_have_no_dangling_or_doubled_hyphens(bundled_corpus):
    # a long heading is cut to 60 characters; the cut must not leave "...-basta--1" in the id
    bad = [p.id for p in bundled_corpus.passages if "--" in p.id or re.search(r"-#|#-", p.id)]
    assert not bad
    assert not slug("Fråga 2: Hur ser arbetet ut för att säkerställa alltid bästa möjliga möte").endswith("-")


def test_passage_ids_are_stable_across_loads_and_do_not_depend_on_other_files(bundled_corpus, tmp_path):
    again = load_corpus()
    assert [p.id for p in again.passages] == [p.id for p in bundled_corpus.passages]
    assert again.fingerprint == bundled_corpus.fingerprint
    # the same document alone (another folder, no other documents) keeps its ids
    src = next(BUNDLED_CORPUS.rglob(f"{DOC_EMPLOYEES}.md"))
    alone = tmp_path / "alone" / src.name
    alone.parent.mkdir()
    alone.write_bytes(src.read_bytes())
    _, ps = parse_document(alone)
    assert [p.id for p in ps] == [p.id for p in bundled_corpus.passages if p.doc.id == DOC_EMPLOYEES]


def test_the_slug_is_ascii_folded():
    assert slug("Vi använder inte alkohol eller andra droger på jobbet") == (
        "vi-anvander-inte-alkohol-eller-andra-droger-pa-jobbet"
    )


def test_every_passage_carries_its_document_title_and_section(bundled_corpus):
    for p in bundled_corpus.passages:
        assert p.doc.title.strip(), p.id
        assert p.section.strip(), p.id
        assert p.text.strip(), p.id
    by_id = {p.id: p for p in bundled_corpus.passages}
    p = next(p for p in by_id.values() if "meddela din chef" in p.text)
    assert p.doc.id == DOC_EMPLOYEES
    assert p.section == "Vi använder inte alkohol eller andra droger på jobbet"
    assert p.doc.title == "Bemötandekod"
    q = next(p for p in by_id.values() if "meddela din gruppledare" in p.text)
    assert q.doc.id == DOC_ELECTED
    assert q.section == "Att inte använda alkohol/droger"


def test_passages_are_sections_not_whole_documents(bundled_corpus):
    for d in bundled_corpus.documents:
        ps = [p for p in bundled_corpus.passages if p.doc.id == d.id]
        assert len(ps) >= 3, d.id
        assert len({p.section for p in ps}) >= 2, d.id
    assert max(len(p.text) for p in bundled_corpus.passages) < 2500


def test_english_renderings_and_example_questions_are_never_passage_text(bundled_corpus):
    for p in bundled_corpus.passages:
        assert "<!--" not in p.text and "-->" not in p.text, p.id
    # the Västerås codes carry an English rendering for every passage (English answers state it)
    for p in bundled_corpus.passages:
        if p.doc.id in (DOC_EMPLOYEES, DOC_ELECTED):
            assert p.en.strip(), p.id


# -- cleaning: what PDF extraction broke is repaired ---------------------------------------------------


def _lines(corpus):
    for p in corpus.passages:
        for line in p.text.splitlines():
            yield p, line.strip()


@pytest.mark.parametrize("broken", ["värde grunden", "arbets rutiner", "HRfrågor"])
def test_words_split_or_joined_by_extraction_are_repaired(bundled_corpus, broken):
    bad = [p.id for p in bundled_corpus.passages if broken.lower() in " ".join(p.text.split()).lower()]
    bad += [p.id for p in bundled_corpus.passages if broken.lower() in p.section.lower()]
    assert not bad, f"{broken!r} in {bad}"


def test_repaired_words_read_as_one_word(bundled_corpus):
    text = "\n".join(p.text for p in bundled_corpus.passages)
    assert "värdegrunden" in text
    assert "riskabla arbetsrutiner" in text
    assert "HR-frågor kopplade till enskilda medarbetare" in text


def test_no_page_number_lines(bundled_corpus):
    bad = [(p.id, line) for p, line in _lines(bundled_corpus) if re.fullmatch(r"[-–—\s]*\d{1,3}[-–—\s]*", line)]
    assert not bad


def test_no_lone_all_caps_value_words(bundled_corpus):
    bad = [(p.id, line) for p, line in _lines(bundled_corpus) if re.fullmatch(r"[A-ZÅÄÖ]{3,}[.!]?", line)]
    assert not bad
    for p in bundled_corpus.passages:
        assert p.section not in VALUE_WORDS and p.part not in VALUE_WORDS, p.id
        assert p.text.strip() not in VALUE_WORDS, p.id
    # running page headers of the PDF are gone too
    assert not [p.id for p, line in _lines(bundled_corpus) if line in ("VÅRT SÄTT ATT VARA", "VÅRT SÄTT ATT ARBETA")]


def test_no_pull_quotes(bundled_corpus):
    text = " ".join(" ".join(p.text.split()) for p in bundled_corpus.passages)
    for fragment in ("Ingen metod är mer effektiv", "Vattna där det gror", "Samarbeta med andra så att varje möte"):
        assert fragment not in text
    for p, line in _lines(bundled_corpus):
        assert not p.text.lstrip().startswith("”"), p.id
        if line.startswith("”"):
            # only a real quotation, closed on its line (the interpellation quotes an article) may start so
            assert line.count("”") >= 2, (p.id, line)


# -- verbatim text -----------------------------------------------------------------------------------

VERBATIM = [
    (DOC_EMPLOYEES, "Misstänker du att någon på din arbetsplats är påverkad, har alkohol eller andra drogproblem "
     "behöver du meddela din chef."),
    (DOC_EMPLOYEES, "Kränkande särbehandling är när en medarbetare genom ord eller handling förnedras och blir "
     "behandlad annorlunda på ett obegripligt och orättvist sätt."),
    (DOC_EMPLOYEES, "Sexuella trakasserier är trakasserier av sexuell natur."),
    (DOC_EMPLOYEES, "Tala i första hand med närmaste chef eller chef över chef."),
    (DOC_ELECTED, "Misstänker du att någon förtroendevald är påverkad eller har alkohol eller drogproblem behöver "
     "du meddela din gruppledare."),
    (DOC_ELECTED, "Tala i första hand med din gruppledare."),
    (DOC_ALINGSAS, "Det är inte tillåtet att vara påverkad av alkohol, droger eller andra berusningsmedel på "
     "arbetsplatsen under arbetstid."),
    (DOC_KOMMUN, "Medarbetarskap handlar om arbetsglädje, vilja och förmåga att utveckla verksamheten och sig själv"),
]  # fmt: skip


@pytest.mark.parametrize(("doc", "sentence"), VERBATIM, ids=[f"{d}:{s[:24]}" for d, s in VERBATIM])
def test_known_sentences_are_kept_verbatim_within_one_passage(bundled_corpus, doc, sentence):
    holders = [p for p in bundled_corpus.passages if sentence in p.text]
    assert holders, f"not verbatim in any passage: {sentence}"
    assert {p.doc.id for p in holders} == {doc}


# -- adding a document needs no code change ---------------------------------------------------------------

NEW_DOC = """\
---
id: testby-ordningsregler
organisation: testby
audiences: [all]
title: "Ordningsregler för Testby kommun"
title_en: "House rules of Testby Municipality"
source: "written for the test suite"
date: "2024-01-01"
---

## Cyklar
<!-- en: Bicycles -->

Cyklar ska parkeras i cykelrummet i källaren och aldrig i korridoren eller i trapphuset.
<!-- en: Bicycles must be parked in the bicycle room in the basement and never in the corridor or the stairwell. -->

## Kaffemaskinen
<!-- en: The coffee machine -->

Den som tömmer kaffemaskinens sumpbehållare ska också diska kannan och torka av bänken.
<!-- en: Whoever empties the coffee machine's grounds container must also wash the jug and wipe the counter. -->

## Besökare
<!-- en: Visitors -->

Besökare ska alltid hämtas i receptionen och bära en besöksbricka synligt under hela besöket.
<!-- en: Visitors must always be collected at the reception and wear a visitor badge visibly during the whole visit. -->
"""


def test_a_new_organisation_document_is_answered_from_with_no_code_change(cli, session_index, corpus_copy, tmp_path):
    (corpus_copy / "testby").mkdir()
    (corpus_copy / "testby" / "testby-ordningsregler.md").write_text(NEW_DOC, encoding="utf-8")
    cli.configure(corpus_dirs=[corpus_copy])
    # a corpus of its own gets an index of its own: a copy of the session's, so only the new document is embedded
    cache = tmp_path / "cache"
    shutil.copytree(session_index.cache, cache)

    idx = cli.run("index", cache=cache)
    assert idx.returncode == 0, str(idx)
    assert "testby" in idx.stdout and "testby-ordningsregler" in idx.stdout

    answers = cli.batch(
        [
            {"id": "bike", "org": "testby", "role": "employee", "q": "Var ska jag parkera min cykel?"},
            {"id": "visit", "org": "testby", "role": "employee", "q": "Hur tar jag emot besökare?"},
            {"id": "vst", "org": "vasteras", "role": "employee", "q": "Var ska jag parkera cyklar?"},
            {"id": "vst2", "org": "vasteras", "role": "employee", "q": "Vad är kränkande särbehandling?"},
        ],
        cache=cache,
    )
    bike, visit, vst, vst2 = answers
    assert not bike["abstained"]
    assert bike["citations"][0]["doc"] == "testby-ordningsregler"
    assert bike["citations"][0]["section"] == "Cyklar"
    assert "cykelrummet i källaren" in bike["text"]
    assert visit["citations"][0]["section"] == "Besökare"
    assert set(cited_docs(bike)) | set(cited_docs(visit)) == {"testby-ordningsregler"}
    # the other organisations never see the new document
    assert "testby-ordningsregler" not in cited_docs(vst) + cited_docs(vst2)
    assert vst2["citations"][0]["doc"] == DOC_EMPLOYEES

    one = cli.ask("Får man ställa cykeln i korridoren?", "testby", None, cache=cache)
    assert one["citations"][0]["doc"] == "testby-ordningsregler"


BROKEN_FRONT_MATTER = {
    "bad-yaml.md": "---\nid: [unclosed\norganisation: testby\n---\n\n## Rubrik\n\nText.\n",
    "not-a-mapping.md": "---\n- a\n- b\n---\n\n## Rubrik\n\nText.\n",
}


@pytest.mark.parametrize(
    "text",
    ["## Rubrik\n\nText utan front matter.\n", '---\nid: x-doc\ntitle: "X"\n---\n\n## Rubrik\n\nText.\n'],
    ids=["no-front-matter", "no-organisation"],
)
def test_a_document_as_hr_has_it_needs_no_front_matter(tmp_path, text):
    # the organisation is the folder's, the id the file's (unless given), the title the first heading's
    doc = tmp_path / "corpus" / "testby" / "policy.md"
    doc.parent.mkdir(parents=True)
    doc.write_text(text, encoding="utf-8")
    c = load_corpus([tmp_path / "corpus"])
    (d,) = c.documents
    assert d.org == "testby" and d.id in ("policy", "x-doc") and d.title in ("Rubrik", "X")
    assert c.passages[0].text.startswith("Text")


@pytest.mark.parametrize("name", sorted(BROKEN_FRONT_MATTER))
def test_bad_front_matter_is_an_error_naming_the_file(tmp_path, name):
    bad = tmp_path / "corpus" / "testby" / name
    bad.parent.mkdir(parents=True)
    bad.write_text(BROKEN_FRONT_MATTER[name], encoding="utf-8")
    with pytest.raises(CorpusError) as exc:
        load_corpus([tmp_path / "corpus"])
    assert name in str(exc.value)


def test_bad_front_matter_through_the_cli_is_a_clear_message_not_a_traceback(cli, corpus_copy, tmp_path):
    bad = corpus_copy / "vasteras" / "broken-policy.md"
    bad.write_text(BROKEN_FRONT_MATTER["bad-yaml.md"], encoding="utf-8")
    cli.configure(corpus_dirs=[corpus_copy])
    r = cli.run("ask", "--json", "Vad är kränkande särbehandling?", cache=tmp_path / "cache")
    assert r.returncode != 0, str(r)
    assert "broken-policy.md" in r.stderr, str(r)
    assert "not valid YAML" in r.stderr, str(r)
    assert "Traceback" not in r.stderr, str(r)
    assert not r.stdout.strip(), "no answer from a corpus that failed to load"
