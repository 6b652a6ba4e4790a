"""The four-question check through the front door: scripted `conductbot chat` transcripts (and `ask --json`
for what starts it), with the bundled corpus and the session's index.

Every branch: "nej" at each of the four steps for both Västerås codes in Swedish and English, "vet inte"
(explained from the code, noted, and the check goes on), all "ja", cancel, other questions in the middle, an
organisation with no such check, resume after the process restarts, and data that no longer matches
the corpus. Answers are typed as words: those equal to a shown button's label arrive as the choice,
others ("japp", "kanske", "stopp", "fortsätt") as text the flow interprets.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import BUNDLED_CORPUS, DOC_ELECTED, DOC_EMPLOYEES, Cli, Run

INTENT = "four_question_check"

# The questions verbatim from each code, in each code's order, and their English renderings.
EMPLOYEE_SV = (
    "Är det förenligt med vår värdegrund och bemötandekod?",
    "Är det etiskt?",
    "Är det lagligt?",
    "Kommer det att återspegla positivt på dig och på Västerås stad?",
)
ELECTED_SV = (EMPLOYEE_SV[2], EMPLOYEE_SV[0], EMPLOYEE_SV[1], EMPLOYEE_SV[3])
EMPLOYEE_EN = (
    "Is it consistent with our core values and code of conduct?",
    "Is it ethical?",
    "Is it legal?",
    "Will it reflect positively on you and on the City of Västerås?",
)
ELECTED_EN = (EMPLOYEE_EN[2], EMPLOYEE_EN[0], EMPLOYEE_EN[1], EMPLOYEE_EN[3])
ANOTHER_SOLUTION = "Om svaret på någon av dessa frågor är nej så får du tänka ut en annan lösning."

# audience -> (role, questions sv, questions en, whom the advice names, whom it must not name)
AUDIENCES = {
    "employees": ("employee", EMPLOYEE_SV, EMPLOYEE_EN, ("närmaste chef", "HR"), ("gruppledare", "partikollega")),
    "managers": ("manager", EMPLOYEE_SV, EMPLOYEE_EN, ("närmaste chef", "HR"), ("gruppledare", "partikollega")),
    "elected": ("elected", ELECTED_SV, ELECTED_EN, ("gruppledare", "partikollega"), ("närmaste chef", "HR")),
    "group_leaders": ("group_leader", ELECTED_SV, ELECTED_EN, ("gruppledare", "partikollega"), ("närmaste chef",)),
}
WORDS = {
    "sv": {"start": "Kan vi gå igenom de fyra frågorna?", "yes": "ja", "no": "nej", "unsure": "vet inte"},
    "en": {"start": "Can we go through the four questions?", "yes": "yes", "no": "no", "unsure": "not sure"},
}


def chat(cli: Cli, lines: list[str], org: str = "vasteras", role: str | None = "employee",
         user: str = "u1", *extra: str) -> list[str]:  # fmt: skip
    """Run `conductbot chat` with these lines on stdin; the reply printed after each line, in order."""
    args = ["chat", "--org", org, "--user", user, *extra]
    if role:
        args += ["--role", role]
    r = cli.run(*args, stdin="".join(line + "\n" for line in lines))
    assert r.returncode == 0, str(r)
    return turns(r, lines)


def turns(r: Run, lines: list[str]) -> list[str]:
    """Split a transcript at the echoed input lines ("> line")."""
    replies: list[str] = []
    rest = r.stdout.splitlines()
    for i, line in enumerate(lines):
        assert f"> {line}" in rest, f"input {i} not echoed\n{r}"
        at = rest.index(f"> {line}")
        if i:
            replies.append("\n".join(rest[:at]))
        rest = rest[at + 1 :]
    replies.append("\n".join(rest))
    return replies


def asks_nothing(reply: str) -> bool:
    return re.search(r"Fråga \d av \d|Question \d of \d", reply) is None


def q_sv(n: int, qs: tuple[str, ...]) -> str:
    return f"Fråga {n} av 4: {qs[n - 1]}"


def q_en(n: int, qs_en: tuple[str, ...], qs_sv: tuple[str, ...]) -> str:
    return f"Question {n} of 4: {qs_en[n - 1]}\n(In Swedish: “{qs_sv[n - 1]}”)"


def assert_asks(reply: str, n: int, lang: str, aud: str) -> None:
    """The reply asks question n of the audience's code, in the language, with the buttons; no other question."""
    _, sv, en, _, _ = AUDIENCES[aud]
    want = q_en(n, en, sv) if lang == "en" else q_sv(n, sv)
    assert want in reply, f"expected question {n} ({aud}, {lang}):\n{want}\n--- got:\n{reply}"
    labels = "[1] Yes  [2] No  [3] Not sure  [4] Cancel"
    if lang == "sv":
        labels = "[1] Ja  [2] Nej  [3] Vet inte  [4] Avbryt"
    assert labels in reply, reply
    others = [m for m in range(1, 5) if m != n]
    assert not any((f"Question {m} of 4" if lang == "en" else f"Fråga {m} av 4") in reply for m in others), reply


def assert_advice(reply: str, aud: str, lang: str) -> None:
    """The code's "find another solution" advice, quoted in Swedish, naming the audience's own people."""
    _, _, _, whom, not_whom = AUDIENCES[aud]
    assert "> " + ANOTHER_SOLUTION in reply, reply
    for person in whom:
        assert person in reply, f"{person!r} missing:\n{reply}"
    for person in not_whom:
        assert person not in reply, f"{person!r} is not in the {aud}' code:\n{reply}"
    if lang == "en":
        assert "you need to think of another solution" in reply, reply
        assert ("immediate manager" in reply) == (aud in ("employees", "managers")), reply
        assert ("group leader" in reply) == (aud in ("elected", "group_leaders")), reply


@pytest.mark.parametrize(
    ("aud", "lang"), [("employees", "sv"), ("managers", "en"), ("elected", "sv"), ("group_leaders", "en")]
)
def test_no_at_each_step_ends_with_the_codes_advice(cli, aud, lang):
    role, sv, en, _, _ = AUDIENCES[aud]
    w = WORDS[lang]
    lines: list[str] = []
    for step in range(1, 5):
        lines += [w["start"], *[w["yes"]] * (step - 1), w["no"]]
    replies = chat(cli, [*lines, w["yes"]], role=role)
    at = 0
    for step in range(1, 5):
        first = replies[at]
        intro = "Ibland kan det hända att du ställs inför en"
        assert intro in first, first
        assert ("arbetssituation" in first) == (aud in ("employees", "managers")), "the intro of the person's own code"
        assert_asks(first, 1, lang, aud)
        for n in range(2, step + 1):
            assert_asks(replies[at + n - 1], n, lang, aud)
        no = replies[at + step]
        if lang == "en":
            assert f"You answered no to “{en[step - 1]}” (“{sv[step - 1]}”)." in no, no
        else:
            assert f"Du svarade nej på ”{sv[step - 1]}”." in no, no
        assert_advice(no, aud, lang)
        at += step + 1
    after = replies[-1]
    assert asks_nothing(after), f"the check ended at the no:\n{after}"


@pytest.mark.parametrize("aud", ["employees", "elected"])
def test_all_yes_gives_the_go_ahead_with_the_advice_to_ask_when_unsure(cli, aud):
    role, _, _, whom, not_whom = AUDIENCES[aud]
    # buttons typed by label, and answers the flow reads from free text
    replies = chat(cli, ["/fyrafrågor", "ja", "japp", "jo", "Ja, det är det", "ja"], role=role)
    for n in range(1, 5):
        assert_asks(replies[n - 1], n, "sv", aud)
    done = replies[4]
    assert "Du svarade ja på alla 4 frågorna" in done, done
    assert "> Ta gärna hjälp av någon mer när du känner dig osäker" in done, done
    assert ANOTHER_SOLUTION not in done
    assert all(p in done for p in whom) and not any(p in done for p in not_whom), done
    assert "[1] Börja om" in done
    assert asks_nothing(replies[5]), "the check has ended"


def test_all_yes_in_english(cli):
    replies = chat(cli, ["I have an ethical dilemma at work", "yes", "yep", "Yes", "sure"], role="elected")
    for n in range(1, 5):
        assert_asks(replies[n - 1], n, "en", "elected")
    assert "You answered yes to all 4 questions" in replies[4], replies[4]
    assert "for example a party colleague or your group leader" in replies[4]
    assert "> Ta gärna hjälp av någon mer när du känner dig osäker, till exempel en partikollega" in replies[4]


def test_not_sure_explains_each_question_from_the_code_and_goes_on(cli):
    # a hesitant answer is explained from the code and noted; the check goes on, and ends with the advice
    # to ask someone when there was no "nej"
    lines = ["fyra frågor", "vet inte", "kanske", "hmm osäker", "tja"]
    r = chat(cli, lines, role="employee")
    values, ethical, legal, reflect = r[1], r[2], r[3], r[4]
    assert "Om frågan ”Är det förenligt med vår värdegrund och bemötandekod?”:" in values
    assert "> - Respekt och omtanke för de människor vi möter" in values, "quotes the core values"
    assert "> Alltid bästa möjliga möte!" in values
    assert "> Du ska alltid agera sakligt och opartiskt i ditt arbete" in ethical
    assert "> Självklart behöver du också följa alla de lagar som gäller för dig i ditt arbete." in legal
    assert "> Du är med och påverkar bilden av Västerås stad hos dem du möter" in reflect
    for reply in (values, ethical, legal, reflect):
        assert "din närmaste chef" in reply and "HR" in reply, "says whom to ask when unsure"
    for n, reply in ((2, values), (3, ethical), (4, legal)):
        assert "Vi går vidare så länge." in reply
        assert_asks(reply, n, "sv", "employees")
    assert "du var osäker på frågorna 1, 2, 3 och 4" in reflect, reflect
    assert "> Ta gärna hjälp av någon mer när du känner dig osäker" in reflect
    assert ANOTHER_SOLUTION not in reflect and "[1] Börja om" in reflect


def test_a_no_after_not_sure_gives_the_advice(cli):
    lines = ["fyra frågor", "ja", "vet ej", "ja", "nej"]
    r = chat(cli, lines, role="employee")
    assert_asks(r[2], 3, "sv", "employees")
    assert "Du svarade nej på ”Kommer det att återspegla positivt på dig och på Västerås stad?”" in r[4]
    assert_advice(r[4], "employees", "sv")


def test_not_sure_in_english_for_an_elected_official(cli):
    r = chat(cli, ["Can we go through the four questions?", "not sure", "yes", "i don't know", "no"], role="elected")
    legal = r[1]
    assert "About the question “Is it legal?” (“Är det lagligt?”):" in legal
    assert "“You must of course also follow all the laws that apply to you in your role.”" in legal
    assert "> Självklart behöver du också följa alla de lagar som gäller för dig i ditt uppdrag." in legal
    assert "a party colleague or your group leader" in legal
    assert_asks(legal, 2, "en", "elected")
    assert_asks(r[2], 3, "en", "elected")
    ethical = r[3]
    assert "About the question “Is it ethical?”" in ethical
    assert_asks(ethical, 4, "en", "elected")
    assert_advice(r[4], "elected", "en")


def test_cancel_stops_and_other_questions_leave_the_check_waiting(cli):
    lines = [
        "fyra frågor", "ja", "avbryt", "ja",  # cancel by the button's label
        "/check", "Vad är kränkande särbehandling?", "fortsätt", "ja", "stopp",  # by a word the flow reads
        "is it okay to bring my dog to the office?", "cancel",
    ]  # fmt: skip
    r = chat(cli, lines, role="employee")
    assert "Okej, jag avbryter de fyra frågorna." in r[2] and "[1] Börja om" in r[2]
    assert asks_nothing(r[3]), "after cancelling, 'ja' answers no question"
    assert_asks(r[4], 1, "sv", "employees")
    assert "förnedras och blir behandlad annorlunda" in r[5], "an ordinary question is answered normally"
    # ... and the check's question is asked again after it, so that the next short answer answers the check
    assert "Vi var på fråga 1 av 4." in r[5] and "👍" not in r[5], r[5]
    assert_asks(r[5], 1, "sv", "employees")
    assert "Vi var på fråga 1 av 4." in r[6]
    assert_asks(r[6], 1, "sv", "employees")
    assert_asks(r[7], 2, "sv", "employees")
    assert "Okej, jag avbryter de fyra frågorna." in r[8]
    assert_asks(r[9], 1, "en", "employees")
    assert "OK, I have stopped the four questions." in r[10]


@pytest.mark.parametrize("org", ["alingsas", "kommun"])
@pytest.mark.parametrize("role", ["employee", "elected"])
def test_an_organisation_without_the_check_is_told_so(cli, org, role):
    lines = ["fyra frågor", "Can we go through the four questions?", "/check", "ja"]
    r = chat(cli, lines, org=org, role=role)
    name = {"alingsas": "Alingsås kommuns", "kommun": "Kommunens"}[org]
    assert "Det finns ingen checklista med fyra frågor i" in r[0] and name.lower() in r[0].lower(), r[0]
    assert "fråga din närmaste chef eller HR" in r[0]
    name_en = {"alingsas": "Alingsås Municipality's", "kommun": "The municipality's"}[org]
    assert f"{name_en} policies do not contain a four-question check" in r[1], r[1]
    assert "ask your nearest manager or HR" in r[1]
    # "/check" carries no language: it is answered in the conversation's language (English just before)
    assert "do not contain a four-question check" in r[2]
    for reply in r:
        assert "Västerås" not in reply, "never another organisation's text"
        assert "Fråga 1" not in reply and "Question 1" not in reply and "Är det lagligt" not in reply


@pytest.mark.parametrize(("aud", "lang"), [("employees", "sv"), ("elected", "en")])
def test_resumes_at_its_step_after_a_restart(cli, aud, lang):
    role, sv, en, _, _ = AUDIENCES[aud]
    w = WORDS[lang]
    first = chat(cli, [w["start"], w["yes"], w["yes"]], role=role, user="resumer")
    assert_asks(first[2], 3, lang, aud)
    # a new process, same user and data directory: no buttons shown yet, so the answers arrive as text
    again = "fortsätt" if lang == "sv" else "continue"
    second = chat(cli, [again, w["no"]], role=role, user="resumer")
    assert_asks(second[0], 3, lang, aud)
    assert ("Vi var på fråga 3 av 4." if lang == "sv" else "We were at question 3 of 4.") in second[0]
    no = second[1]
    assert (sv[2] if lang == "sv" else en[2]) in no and ("Fråga 1" not in no)
    assert_advice(no, aud, lang)
    # another user's conversation is not affected
    other = chat(cli, [w["yes"]], role=role, user="someone-else")
    assert asks_nothing(other[0])


def test_resume_answering_straight_away(cli):
    chat(cli, ["fyra frågor", "ja", "ja"], role="elected", user="r2")
    r = chat(cli, ["japp", "nej"], role="elected", user="r2")
    assert_asks(r[0], 4, "sv", "elected")
    assert f"Du svarade nej på ”{ELECTED_SV[3]}”." in r[1]
    assert_advice(r[1], "elected", "sv")


def test_unknown_role_asks_which_code_applies(cli):
    r = chat(cli, ["fyra frågor", "förtroendevald", "nej"], role=None)
    assert "Vilken gäller för dig?" in r[0] and "[1] Anställd eller chef  [2] Förtroendevald  [3] Avbryt" in r[0]
    assert_asks(r[1], 1, "sv", "elected")
    assert "Du svarade nej på ”Är det lagligt?”." in r[2]
    r = chat(cli, ["checklistan tack", "1", "nej"], role=None, user="u2")
    assert_asks(r[1], 1, "sv", "employees")


def test_what_starts_the_check_and_what_does_not(cli):
    items = [
        # ordinary policy questions, and questions ABOUT the check, go to the policy answer
        {"q": "Får jag ta emot en gåva från en leverantör?"},
        {"q": "Vem ska jag säga till om en kollega är full?"},
        {"q": "Vad är kränkande särbehandling?"},
        {"q": "Jag står inför ett svårt val på jobbet, finns det några frågor jag kan ställa mig?"},
        {"q": "What are the four questions in the code?"},
        # explicit requests start it
        {"q": "Hur vet jag om det är okej att ta emot en middagsinbjudan från en leverantör?"},
        {"q": "jag har ett etiskt dilemma"},
        {"q": "Jag står inför ett svårt val på jobbet"},
        {"q": "/fyrafrågor"},
        {"q": "I have an ethical dilema"},
        # a situation the policy does not answer starts it; one it answers gets that answer, then the check
        {"q": "Is it OK to post pictures from my workplace on Instagram?"},
        {"q": "Är det okej att jag tar en öl till lunchen?"},
    ]
    for i, it in enumerate(items):
        it.update(id=i, org="vasteras", role="employee")
    out = cli.batch(items)
    for o in out[:5]:
        assert o["intent"] != INTENT, o
        assert "Fråga 1 av 4" not in o["text"] and "Question 1 of 4" not in o["text"], o
    assert any("Är det etiskt?" in c["text"] for c in out[3]["citations"]), "answered from the code's passage"
    for o in out[5:11]:
        assert o["intent"] == INTENT and not o["abstained"], o
        assert "Fråga 1 av 4:" in o["text"] or "Question 1 of 4:" in o["text"], o
        assert [c["doc"] for c in o["citations"]] == [DOC_EMPLOYEES], o
        assert [c["value"] for c in o["choices"]] == ["fqc:yes", "fqc:no", "fqc:unsure", "fqc:cancel"], o
    assert out[9]["lang"] == "en" and out[10]["lang"] == "en" and out[5]["lang"] == "sv"
    beer = out[11]
    assert beer["intent"] == "policy_answer", beer
    assert "Du får inte vara påverkad av alkohol" in beer["text"]
    assert beer["text"].index("Du får inte vara påverkad av alkohol") < beer["text"].index("Fråga 1 av 4:")
    assert "Hjälpte det" not in beer["text"], "the next message answers the check, not the feedback question"
    assert [c["value"] for c in beer["choices"]][-4:] == ["fqc:yes", "fqc:no", "fqc:unsure", "fqc:cancel"], beer


def test_a_situation_the_policy_answers_is_then_checked(cli):
    r = chat(cli, ["Är det okej att jag tar en öl till lunchen?", "ja", "nej"])
    assert "Du får inte vara påverkad av alkohol" in r[0]
    assert_asks(r[1], 2, "sv", "employees")
    assert_advice(r[2], "employees", "sv")


def test_elected_citations_come_from_their_own_code(cli):
    out = cli.batch([{"id": 1, "org": "vasteras", "role": "elected", "q": "fyra frågor"}])[0]
    assert [c["doc"] for c in out["citations"]] == [DOC_ELECTED]
    assert "- Är det lagligt?\n- Är det förenligt" in out["citations"][0]["text"]


def test_a_quote_missing_from_the_corpus_fails_loudly_naming_the_data_file(cli, tmp_path: Path):
    corpus = tmp_path / "corpus"
    shutil.copytree(BUNDLED_CORPUS, corpus)
    doc = corpus / "vasteras" / f"{DOC_EMPLOYEES}.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("- Är det etiskt?", "- Är det moraliskt?"), "utf-8")
    cli.configure(corpus_dirs=[corpus])
    r = cli.run("chat", "--encoder", "none", "--org", "vasteras", "--role", "employee", stdin="fyra frågor\n")
    assert r.returncode != 0, str(r)
    assert "four_question_check.yaml" in r.stderr and "Är det etiskt?" in r.stderr, str(r)
