"""Retrieval and grounded answers, asked through `conductbot ask --json --batch -`: per organisation
and role, in the language of the question, tolerant of typos, and abstaining when the documents do
not answer. Nothing here depends on a score's value, only on what is cited and said."""

from __future__ import annotations

import pytest
from conftest import (
    DOC_ALINGSAS,
    DOC_ELECTED,
    DOC_EMPLOYEES,
    DOC_INTERPELLATION,
    DOC_KOMMUN,
    Cli,
    cited_docs,
)

from knowledge.retrieval import UnknownOrganisation

VASTERAS_DOCS = {DOC_EMPLOYEES, DOC_ELECTED, DOC_INTERPELLATION}

# the same question about an intoxicated colleague, as people ask it
INTOXICATED = [
    "Vem ska jag säga till om en kollega verkar påverkad på jobbet?",
    "Vad gör jag om en kollega är berusad?",
    "What should I do if a colleague seems drunk?",
]


def _q(q: str, org: str = "vasteras", role: str = "employee", qid: str | None = None) -> dict:
    return {"id": qid or q, "org": org, "role": role, "q": q}


TYPOS = [
    ("vad ar trakaserier", "Trakasserier är ett agerande som kränker någons värdighet"),
    ("jag blir trakaserad av en kolega, vem pratar jag med", "Tala i första hand med närmaste chef"),
    ("hur anvander jag visselblasarfunktionen", "visselblåsarfunktion"),
    ("far jag anvanda visselblasarfunktionen for klagomal pa min chef", "inte användas för generella synpunkter"),
    ("vad ar krankande sarbehandling", "förnedras och blir behandlad annorlunda"),
    ("sexuela trakaserier", "trakasserier av sexuell natur"),
]

OUT_OF_SCOPE = [
    ("vasteras", "employee", "What's on the lunch menu today?"),
    ("vasteras", "employee", "Vad blir det för lunch idag?"),
    ("vasteras", "employee", "What is the wifi password?"),
    ("kommun", "employee", "Vad är lösenordet till wifi?"),
    ("vasteras", "employee", "How many vacation days do I get?"),
    ("vasteras", "manager", "Hur många semesterdagar har jag?"),
    ("vasteras", "employee", "How do I apply for a building permit?"),
    ("vasteras", "employee", "Hur söker jag bygglov för ett garage?"),
    ("alingsas", "employee", "tell me a joke"),
    ("vasteras", "employee", "Berätta ett skämt"),
    ("vasteras", "elected", "What's on the lunch menu today?"),
]


@pytest.fixture(scope="module")
def answers(tmp_path_factory, session_index) -> dict[tuple[str, str, str], dict]:
    """Every parametrised question of this module, asked in one `conductbot ask --json --batch -` run."""
    keys = [("vasteras", r, q) for q in INTOXICATED for r in ("employee", "manager", "elected", "group_leader")]
    keys += [("vasteras", "employee", q) for q, _ in TYPOS]
    keys += OUT_OF_SCOPE
    cli = Cli(tmp_path_factory.mktemp("answers") / "home", session_index.cache)
    out = cli.batch([{"id": i, "org": o, "role": r, "q": q} for i, (o, r, q) in enumerate(keys)])
    assert [a["id"] for a in out] == list(range(len(keys)))
    return dict(zip(keys, out, strict=True))


# -- organisation and role ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["employee", "manager"])
@pytest.mark.parametrize("question", INTOXICATED, ids=["sv-paverkad", "sv-berusad", "en-drunk"])
def test_intoxicated_colleague_for_an_employee_cites_the_employees_code_and_says_chef(answers, question, role):
    a = answers["vasteras", role, question]
    assert not a["abstained"]
    top = a["citations"][0]
    assert top["doc"] == DOC_EMPLOYEES
    assert "meddela din chef" in top["text"], top
    text = a["text"].lower()
    assert "chef" in text  # the Swedish quote names the manager (an English answer also says "manager")
    assert "gruppledare" not in text and "group leader" not in text


@pytest.mark.parametrize("role", ["elected", "group_leader"])
@pytest.mark.parametrize("question", INTOXICATED, ids=["sv-paverkad", "sv-berusad", "en-drunk"])
def test_intoxicated_colleague_for_an_elected_official_cites_the_elected_officials_code(answers, question, role):
    a = answers["vasteras", role, question]
    assert not a["abstained"]
    top = a["citations"][0]
    assert top["doc"] == DOC_ELECTED
    assert "meddela din gruppledare" in top["text"], top
    assert "gruppledare" in a["text"].lower()
    assert "meddela din chef" not in a["text"]


def test_an_elected_official_is_routed_to_the_group_leader_for_harassment(cli):
    a, b = cli.batch(
        [
            _q("Jag känner mig kränkt av en annan politiker, vem pratar jag med?", role="elected"),
            _q("I feel harassed by another politician, who do I talk to first?", role="elected"),
        ]
    )
    for ans in (a, b):
        assert ans["citations"][0]["doc"] == DOC_ELECTED
        assert "Tala i första hand med din gruppledare" in ans["citations"][0]["text"]


ALINGSAS_QUESTIONS = [
    "Vad säger policyn om alkohol på arbetsplatsen?",
    "Får man röka på arbetstid?",
    "Vad gäller om trakasserier och kränkande särbehandling?",
    "What does the policy say about harassment?",
    "Vem ska jag säga till om en kollega verkar påverkad på jobbet?",
    "Hur fungerar visselblåsarfunktionen?",  # only Västerås has one
    "Vad förväntas av mig som chef?",
    "What does the code of conduct say about bribes?",
]


@pytest.mark.parametrize("role", ["employee", "manager"])
def test_alingsas_is_never_answered_from_another_organisations_documents(cli, role):
    outs = cli.batch([_q(q, "alingsas", role) for q in ALINGSAS_QUESTIONS])
    cited = [d for a in outs for d in cited_docs(a)]
    assert cited, "no Alingsås question was answered at all"
    assert set(cited) == {DOC_ALINGSAS}
    for a in outs:
        assert "Västerås" not in a["text"], a["text"]
    # and the clear ones are answered from the right passage
    alcohol, smoking = outs[0], outs[1]
    assert "påverkad av alkohol, droger eller andra berusningsmedel" in alcohol["citations"][0]["text"]
    assert any("röka på arbetstid" in c["text"] for c in smoking["citations"][:3])


def test_each_organisation_answers_only_from_its_own_documents(cli):
    own = {"vasteras": VASTERAS_DOCS, "kommun": {DOC_KOMMUN}, "alingsas": {DOC_ALINGSAS}}
    questions = [
        "Vad är kränkande särbehandling?",
        "What are the core values?",
        "Vad betyder medarbetarskap?",
        "Hur följs policyn upp?",
        "Får jag vara påverkad av alkohol på jobbet?",
    ]
    items = [_q(q, org, "employee", f"{org}:{q}") for org in own for q in questions]
    for it, a in zip(items, cli.batch(items), strict=True):
        assert a["id"] == it["id"]
        assert set(cited_docs(a)) <= own[it["org"]], (it, cited_docs(a))


def test_the_kommun_policy_answers_what_medarbetarskap_means(cli):
    a = cli.ask("Vad är medarbetarskap?", "kommun", "employee")
    assert not a["abstained"]
    assert any("arbetsglädje, vilja och förmåga" in c["text"] for c in a["citations"][:3])


# -- language --------------------------------------------------------------------------------------------------


def test_an_english_question_gets_an_english_rule_and_the_swedish_quote(cli):
    a = cli.ask("Who do I tell if a colleague seems to be under the influence at work?", "vasteras", "employee")
    assert a["lang"] == "en"
    assert not a["abstained"]
    top = a["citations"][0]
    assert top["doc"] == DOC_EMPLOYEES
    assert "meddela din chef" in top["text"]
    # the rule in English ...
    assert "tell your manager" in a["text"]
    # ... and the Swedish source quoted verbatim, as a block quote
    quoted = "\n".join(line[2:] for line in a["text"].splitlines() if line.startswith("> "))
    assert top["text"] in quoted


def test_a_swedish_question_gets_a_swedish_answer_that_quotes_the_passage(cli):
    a = cli.ask("Vad är sexuella trakasserier?", "vasteras", "employee")
    assert a["lang"] == "sv"
    assert "Sexuella trakasserier är trakasserier av sexuell natur." in a["text"]
    assert "says" not in a["text"]
    # the answer names document and section
    top = a["citations"][0]
    assert top["title"] in a["text"] and top["section"] in a["text"]


def test_an_english_answer_names_the_document_in_both_languages(cli):
    a = cli.ask("Is smoking allowed during working hours?", "alingsas", "employee")
    assert a["lang"] == "en"
    assert "röka på arbetstid" in a["citations"][0]["text"]
    assert "Employee policy" in a["text"] and "Medarbetarpolicy" in a["text"]


# -- typos and missing å ä ö ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "gold"), TYPOS, ids=[q for q, _ in TYPOS])
def test_typos_and_missing_diacritics_still_find_the_passage(answers, question, gold):
    a = answers["vasteras", "employee", question]
    assert a["lang"] == "sv"
    assert not a["abstained"]
    assert any(gold.lower() in c["text"].lower() for c in a["citations"][:3]), [
        c["text"][:80] for c in a["citations"][:3]
    ]


# -- abstention -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("org", "role", "question"), OUT_OF_SCOPE, ids=[f"{o}-{r}-{q}" for o, r, q in OUT_OF_SCOPE])
def test_out_of_scope_questions_abstain_and_point_to_hr_or_the_manager(answers, org, role, question):
    a = answers[org, role, question]
    assert a["abstained"] is True, (a["text"][:200], cited_docs(a))
    assert a["citations"] == []
    text = a["text"]
    assert any(w in text for w in ("HR", "chef", "manager")), text
    assert ">" not in text, "an abstention quotes no policy text"


def test_an_abstention_is_in_the_language_of_the_question(cli):
    en, sv = cli.batch([_q("What is the wifi password?"), _q("Vad är lösenordet till wifi?")])
    assert en["lang"] == "en" and "manager" in en["text"]
    assert sv["lang"] == "sv" and "chef" in sv["text"]


def test_clear_questions_in_scope_are_not_abstained(cli):
    outs = cli.batch(
        [
            _q("Vad är kränkande särbehandling?"),
            _q("Har jag rätt att gå med i ett fackförbund?"),
            _q("What are the city's core values?"),
            _q("Vad säger policyn om alkohol på arbetsplatsen?", "alingsas"),
        ]
    )
    assert [a["abstained"] for a in outs] == [False] * 4
    assert all(a["citations"] for a in outs)


# -- in-process: the Retriever behind the CLI ------------------------------------------------------------------------


def test_search_ranks_only_the_organisations_passages(retriever):
    for org, docs in (("alingsas", {DOC_ALINGSAS}), ("kommun", {DOC_KOMMUN}), ("vasteras", VASTERAS_DOCS)):
        r = retriever.search("Vad gäller om alkohol och trakasserier på jobbet?", org, "employee", k=10)
        assert r.hits
        assert {h.passage.doc.id for h in r.hits} <= docs
        scores = [h.score for h in r.hits]
        assert scores == sorted(scores, reverse=True)


def test_search_prefers_the_document_written_for_the_role(retriever):
    q = "Vad ska jag göra om någon verkar påverkad av alkohol?"
    emp = retriever.search(q, "vasteras", "employee")
    ele = retriever.search(q, "vasteras", "elected")
    assert emp.hits[0].passage.doc.id == DOC_EMPLOYEES
    assert ele.hits[0].passage.doc.id == DOC_ELECTED


def test_search_for_an_unknown_organisation_raises(retriever):
    with pytest.raises(UnknownOrganisation):
        retriever.search("Vad är kränkande särbehandling?", "nowhere", "employee")


def test_search_detects_the_language(retriever):
    assert retriever.search("What is harassment?", "vasteras").lang == "en"
    assert retriever.search("Vad är trakasserier?", "vasteras").lang == "sv"


def test_search_abstains_on_an_empty_or_meaningless_question(retriever):
    assert retriever.search("???", "vasteras", "employee").abstain
    assert retriever.search("asdf qwerty zxcv", "vasteras", "employee").abstain
