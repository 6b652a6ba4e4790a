"""report_concern: whom to tell about what, by topic, organisation and role, in Swedish and English.

Every route is asked twice through the front door: once in one `ask --json --batch` run (so the test
can see the intent and the citations), and once in a scripted `conductbot chat` per organisation and
role (so the test sees what a person sees). Each answer must name the right channel, cite the passage
its rule rests on first, and quote that passage verbatim.
"""

from __future__ import annotations

from typing import Any

import pytest
from conftest import (
    DOC_ALINGSAS,
    DOC_ELECTED,
    DOC_EMPLOYEES,
    DOC_INTERPELLATION,
    DOC_KOMMUN,
    Cli,
    SessionIndex,
    transcript,
)

# -- the questions: one per topic and language, worded so that they fit every role --------------------

QUESTIONS: dict[str, dict[str, str]] = {
    "intoxication": {
        "sv": "Min kollega verkar påverkad på jobbet, vem säger jag till?",
        "en": "My colleague seems drunk at work, who do I tell?",
    },
    "harassment": {
        "sv": "Jag blir mobbad, vem vänder jag mig till?",
        "en": "I'm being bullied, who do I talk to?",
    },
    "discrimination": {
        "sv": "Jag blir diskriminerad på grund av min religion, vem vänder jag mig till?",
        "en": "I'm being discriminated against because of my age, who do I report it to?",
    },
    "safety": {
        "sv": "Det hände en olycka på jobbet, vem ska jag rapportera till?",
        "en": "There was an accident at work, who do I report it to?",
    },
    "corruption": {
        "sv": "Jag misstänker att en kollega tar emot mutor, vart vänder jag mig?",
        "en": "I suspect a colleague is taking bribes, where do I report it?",
    },
    "conflict_of_interest": {
        "sv": "Min chef är jävig i en upphandling, vem ska jag säga till?",
        "en": "A colleague has a side job with one of our suppliers, who do I tell?",
    },
    "fraud": {
        "sv": "Jag tror att någon fuskar med fakturor, vem ska jag kontakta?",
        "en": "I suspect fraud with invoices in my unit, who do I tell?",
    },
    "complaint": {
        "sv": "Jag har klagomål på schemat och planeringen, vem vänder jag mig till?",
        "en": "I want to complain about the leadership in my unit, who do I talk to?",
    },
}

SEVEN_GROUNDS = {
    "sv": [
        "kön",
        "könsöverskridande identitet eller uttryck",
        "etnisk tillhörighet",
        "religion eller annan trosuppfattning",
        "funktionsnedsättning",
        "sexuell läggning",
        "ålder",
    ],
    "en": [
        "sex",
        "transgender identity or expression",
        "ethnicity",
        "religion or other belief",
        "disability",
        "sexual orientation",
        "age",
    ],
}

# -- what each answer must say, per organisation and audience ---------------------------------------


def _exp(doc: str, snippet: str, sv: list[str], en: list[str], never: list[str] = ()) -> dict[str, Any]:
    return {"doc": doc, "snippet": snippet, "sv": sv, "en": en, "never": list(never)}


WHISTLE_URL = "vasteras.se/visselblåsarfunktion"

VASTERAS_STAFF = {
    "intoxication": _exp(
        DOC_EMPLOYEES,
        "behöver du meddela din chef",
        ["Säg till din chef", "meddela din chef"],
        ["Tell your manager", "meddela din chef"],
        ["gruppledare", "group leader"],
    ),
    "harassment": _exp(
        DOC_EMPLOYEES,
        "Tala i första hand med närmaste chef eller chef över chef",
        ["närmaste chef", "chefens chef", "HR", "fackligt ombud"],
        ["nearest manager", "manager's manager", "HR", "union representative"],
        ["gruppledare", "group leader", WHISTLE_URL],
    ),
    "discrimination": _exp(
        DOC_EMPLOYEES,
        "Tala i första hand med närmaste chef eller chef över chef",
        ["närmaste chef", "chefens chef", "HR", "fackligt ombud", "sju diskrimineringsgrunderna", *SEVEN_GROUNDS["sv"]],
        ["nearest manager", "manager's manager", "HR", "union representative", "seven grounds", *SEVEN_GROUNDS["en"]],
        ["gruppledare", "group leader"],
    ),
    "safety": _exp(
        DOC_EMPLOYEES,
        "omedelbart rapportera olyckor",
        ["till din chef med en gång", "omedelbart"],
        ["to your manager straight away", "immediately"],
        ["gruppledare", "group leader"],
    ),
    "corruption": _exp(
        DOC_EMPLOYEES,
        "Västerås stad har en visselblåsarfunktion",
        ["visselblåsarfunktion", "webbformulär", WHISTLE_URL, "mutor"],
        ["whistleblower function", "web form", WHISTLE_URL, "bribes"],
    ),
    "complaint": _exp(
        DOC_EMPLOYEES,
        "inte användas för generella synpunkter",
        ["hör inte hemma i visselblåsarfunktionen", "din chef", "chefens chef", "facklig företrädare", "HR"],
        [
            "do not belong in the whistleblower function",
            "your manager",
            "manager's manager",
            "union representative",
            "HR",
        ],
        [WHISTLE_URL, "gruppledare", "group leader"],
    ),
}
VASTERAS_STAFF["conflict_of_interest"] = VASTERAS_STAFF["corruption"]
VASTERAS_STAFF["fraud"] = VASTERAS_STAFF["corruption"]

VASTERAS_ELECTED = {
    "intoxication": _exp(
        DOC_ELECTED,
        "behöver du meddela din gruppledare",
        ["Säg till din gruppledare", "meddela din gruppledare"],
        ["Tell your group leader", "meddela din gruppledare"],
        ["chef", "manager"],
    ),
    "harassment": _exp(
        DOC_ELECTED,
        "Tala i första hand med din gruppledare",
        ["Tala i första hand med din gruppledare"],
        ["Talk to your group leader first"],
        ["fackligt ombud", "union representative", "chefens chef", "manager's manager"],
    ),
    "discrimination": _exp(
        DOC_ELECTED,
        "Tala i första hand med din gruppledare",
        ["gruppledare", "nolltolerans mot diskriminering", *SEVEN_GROUNDS["sv"]],
        ["group leader", "zero tolerance of discrimination", "seven grounds", *SEVEN_GROUNDS["en"]],
        ["fackligt ombud", "union representative"],
    ),
    "safety": _exp(
        DOC_ELECTED,
        "har ett arbetsmiljöansvar för stadens tjänstepersoner",
        ["gruppledare", "HR", "arbetsmiljöansvar"],
        ["group leader", "HR"],
    ),
    "corruption": _exp(
        DOC_INTERPELLATION,
        "Visselblåsarfunktionen ska användas när det finns misstanke om korruption",
        ["visselblåsarfunktion", WHISTLE_URL, "gruppledare"],
        ["whistleblower function", WHISTLE_URL, "group leader"],
    ),
    "complaint": _exp(
        DOC_INTERPELLATION,
        "Medarbetarfrågor tas lämpligen bäst upp",
        ["inte för synpunkter på hur vi arbetar", "gruppledare", "närmaste chef"],
        ["not for views on how we work", "group leader", "nearest manager"],
        [WHISTLE_URL],
    ),
}
VASTERAS_ELECTED["conflict_of_interest"] = VASTERAS_ELECTED["corruption"]
VASTERAS_ELECTED["fraud"] = VASTERAS_ELECTED["corruption"]

# Alingsås and kommun name no whistleblower function: the answers say so and send people to the
# manager and HR, never to Västerås's web form.
NOT_VASTERAS = [WHISTLE_URL, "vasteras.se", "Västerås", "gruppledare", "group leader"]

ALINGSAS = {
    "corruption": _exp(
        DOC_ALINGSAS,
        "påtalar brister och bidrar till förbättringar",
        ["nämner ingen visselblåsarfunktion", "chef", "HR"],
        ["names no whistleblower function", "manager", "HR"],
        NOT_VASTERAS,
    ),
    "intoxication": _exp(
        DOC_ALINGSAS,
        "Det är inte tillåtet att vara påverkad",
        ["säger inte vem du ska säga till", "din chef", "HR"],
        ["does not say whom to tell", "your manager", "HR"],
        NOT_VASTERAS,
    ),
    "harassment": _exp(
        DOC_ALINGSAS,
        "Det råder nolltolerans vad gäller alla former av kränkande särbehandling",
        ["nolltolerans", "din chef", "chefens chef", "HR"],
        ["zero tolerance", "your manager", "manager's manager", "HR"],
        NOT_VASTERAS,
    ),
    "safety": _exp(
        DOC_ALINGSAS,
        "Om en olycka, sjukdom eller annan allvarlig händelse uppstår",
        ["Säg till din chef direkt"],
        ["Tell your manager straight away"],
        NOT_VASTERAS,
    ),
}
ALINGSAS["discrimination"] = _exp(
    DOC_ALINGSAS,
    "Det råder nolltolerans vad gäller alla former av kränkande särbehandling",
    ["sju diskrimineringsgrunderna", "din chef", "HR"],
    ["seven grounds", "your manager", "HR"],
    NOT_VASTERAS,
)
ALINGSAS["conflict_of_interest"] = ALINGSAS["corruption"]
ALINGSAS["fraud"] = ALINGSAS["corruption"]

KOMMUN_RULE = _exp(
    DOC_KOMMUN,
    "i nära dialog mellan arbetsgivaren och medarbetaren",
    ["nämner ingen visselblåsarfunktion", "din chef", "HR"],
    ["names no whistleblower function", "your manager", "HR"],
    NOT_VASTERAS,
)
KOMMUN = {t: KOMMUN_RULE for t in ("intoxication", "harassment", "discrimination", "safety", "corruption", "fraud")}

EXPECT: dict[tuple[str, str], dict[str, dict[str, Any]]] = {
    ("vasteras", "employee"): VASTERAS_STAFF,
    ("vasteras", "manager"): VASTERAS_STAFF,
    ("vasteras", "elected"): VASTERAS_ELECTED,
    ("vasteras", "group_leader"): VASTERAS_ELECTED,
    ("alingsas", "employee"): ALINGSAS,
    ("alingsas", "manager"): ALINGSAS,
    ("kommun", "employee"): KOMMUN,
    ("kommun", "manager"): KOMMUN,
}

CASES = [
    (org, role, topic, lang) for (org, role), topics in EXPECT.items() for topic in topics for lang in ("sv", "en")
]


def case_id(org: str, role: str, topic: str, lang: str) -> str:
    return f"{org}-{role}-{topic}-{lang}"


def quoted(passage: str) -> str:
    """A passage as the bot quotes it: a Markdown block quote, line by line, verbatim."""
    return "\n".join("> " + line for line in passage.splitlines())


def check_text(text: str, exp: dict[str, Any], lang: str, where: str) -> None:
    low = text.lower()
    for phrase in exp[lang]:
        assert phrase.lower() in low, f"{where}: {phrase!r} missing from\n{text}"
    for phrase in exp["never"]:
        assert phrase.lower() not in low, f"{where}: {phrase!r} must not be in\n{text}"


# -- one batch run over every case ------------------------------------------------------------------


@pytest.fixture(scope="module")
def routed(tmp_path_factory: pytest.TempPathFactory, session_index: SessionIndex) -> dict[str, dict[str, Any]]:
    """`ask --json --batch -` over every case, by case id."""
    cli = Cli(tmp_path_factory.mktemp("routes") / "home", session_index.cache)
    items = [{"id": case_id(*c), "org": c[0], "role": c[1], "q": QUESTIONS[c[2]][c[3]]} for c in CASES]
    outs = cli.batch(items)
    return {o["id"]: o for o in outs}


@pytest.mark.parametrize(("org", "role", "topic", "lang"), CASES, ids=[case_id(*c) for c in CASES])
def test_route_names_the_channel_and_cites_the_rule(routed, org: str, role: str, topic: str, lang: str) -> None:
    out = routed[case_id(org, role, topic, lang)]
    exp = EXPECT[(org, role)][topic]
    where = case_id(org, role, topic, lang)
    assert out["intent"] == "report_concern", f"{where}: {out['intent']}\n{out['text']}"
    # kommun's documents say nothing of these matters: its routing file's general advice is a decline
    assert out["abstained"] is (org == "kommun"), where
    assert out["lang"] == lang, where
    first = out["citations"][0]
    assert first["doc"] == exp["doc"], f"{where}: first citation is {first['doc']}"
    assert exp["snippet"] in first["text"], f"{where}: first citation is not the rule's passage:\n{first['text']}"
    # the reply quotes the cited passage verbatim
    assert quoted(first["text"]) in out["text"], f"{where}: the passage is not quoted verbatim:\n{out['text']}"
    check_text(out["text"], exp, lang, where)
    if org != "vasteras":
        # an organisation's question is never answered from another organisation's documents
        assert all(c["doc"].startswith(org) for c in out["citations"]), [c["doc"] for c in out["citations"]]


def test_first_citation_and_quote_differ_between_staff_and_elected(routed) -> None:
    """The same words from an employee and an elected official rest on different codes."""
    for lang in ("sv", "en"):
        staff = routed[case_id("vasteras", "employee", "intoxication", lang)]
        elected = routed[case_id("vasteras", "elected", "intoxication", lang)]
        assert staff["citations"][0]["doc"] == DOC_EMPLOYEES
        assert elected["citations"][0]["doc"] == DOC_ELECTED
        assert staff["text"] != elected["text"]


# -- the same routes in scripted chats, one per organisation and role --------------------------------


CHATS = list(EXPECT)


@pytest.mark.parametrize(("org", "role"), CHATS, ids=[f"{o}-{r}" for o, r in CHATS])
def test_chat_transcript_routes_for_org_and_role(cli: Cli, routed, org: str, role: str) -> None:
    topics = EXPECT[(org, role)]
    asked = [(topic, lang) for topic in topics for lang in ("sv", "en")]
    lines = [QUESTIONS[t][lang] for t, lang in asked]
    replies = transcript(cli, lines, "--org", org, "--role", role, "--user", f"router-{org}-{role}")
    for (topic, lang), reply in zip(asked, replies, strict=True):
        where = f"chat {case_id(org, role, topic, lang)}"
        exp = topics[topic]
        check_text(reply, exp, lang, where)
        # the chat quotes the same passage the JSON answer cites first
        passage = routed[case_id(org, role, topic, lang)]["citations"][0]["text"]
        assert quoted(passage) in reply, f"{where}: passage not quoted\n{reply}"
        # the role is known, so the bot does not ask for it; a routing answer offers feedback (a decline not)
        assert "Är du anställd/chef eller förtroendevald" not in reply
        assert "Are you an employee/manager or an elected official" not in reply
        asks_feedback = ("Hjälpte det?" if lang == "sv" else "Did that help?") in reply
        assert asks_feedback is (org != "kommun"), f"{where}: a decline asks no feedback\n{reply}"


# -- no cross-organisation channels, and no routing for what is not a routing question --------------


def test_alingsas_and_kommun_never_borrow_vasteras_channels_whatever_the_role(cli: Cli) -> None:
    items = []
    for org in ("alingsas", "kommun"):
        for role in ("employee", "manager", "elected", "group_leader"):
            for q in (
                "Jag misstänker korruption, kan jag använda visselblåsarfunktionen?",
                "Who do I tell if I suspect bribes?",
                "Where is the whistleblower form?",
                "I want to complain about the shift schedule, who do I talk to?",
                "Vem ska jag säga till om en kollega verkar påverkad?",
            ):
                items.append({"org": org, "role": role, "q": q})
    outs = cli.batch(items)
    for it, out in zip(items, outs, strict=True):
        where = f"{it['org']}/{it['role']}: {it['q']}"
        assert "vasteras.se" not in out["text"].lower(), where
        assert "västerås" not in out["text"].lower(), where
        assert all(c["doc"].startswith(it["org"]) for c in out["citations"]), where
        if out["intent"] == "report_concern":
            assert out["citations"][0]["doc"] == (DOC_ALINGSAS if it["org"] == "alingsas" else DOC_KOMMUN)
            low = out["text"].lower()
            assert ("chef" in low and "hr" in low) or ("manager" in low and "hr" in low), where
            if "visselbl" in it["q"] or "bribes" in it["q"] or "whistleblower" in it["q"]:
                assert "ingen visselblåsarfunktion" in low or "no whistleblower function" in low, where


def test_what_questions_go_to_the_policy_answer_and_others_abstain(cli: Cli) -> None:
    items = [
        {"org": "vasteras", "role": "employee", "q": "Vad är kränkande särbehandling?"},
        {"org": "vasteras", "role": "employee", "q": "What counts as corruption?"},
        {"org": "vasteras", "role": "elected", "q": "Vad är diskriminering?"},
        {"org": "alingsas", "role": "employee", "q": "Får man vara påverkad av alkohol på jobbet?"},
        {"org": "vasteras", "role": "employee", "q": "Vad är lösenordet till wifi?"},
        {"org": "vasteras", "role": "elected", "q": "What is the capital of France?"},
        {"org": "kommun", "role": "employee", "q": "Vem vann melodifestivalen i fjol?"},
    ]
    ks, corruption, discr, alc, wifi, capital, mello = cli.batch(items)
    for out in (ks, corruption, discr, alc):
        assert out["intent"] == "policy_answer", out
        assert out["abstained"] is False and out["citations"], out
    assert "förnedras och blir behandlad annorlunda" in ks["citations"][0]["text"]
    assert ks["citations"][0]["doc"] == DOC_EMPLOYEES
    assert corruption["citations"][0]["doc"] == DOC_EMPLOYEES
    assert discr["citations"][0]["doc"] == DOC_ELECTED
    assert alc["citations"][0]["doc"] == DOC_ALINGSAS
    for out in (wifi, capital, mello):
        assert out["intent"] == "out_of_scope", out
        assert out["abstained"] is True and out["citations"] == [], out
