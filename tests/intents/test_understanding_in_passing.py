"""Conversations of issue 12's kinds through `conductbot chat` and `conductbot ask`, from blind sets written in
session 12: words said in passing (a hedge inside a phrase, a body part, a train ticket)
are read as meant; a side question of whom to ask keeps the check where it was; a conflict with one's manager is
not for the whistleblower function; "how often" is a question, not a reminder request; an "is it ok" situation
on which the code has a rule gets that rule first; an amount the documents do not give is declined with what
they do say; a deputy on a committee is an elected official; in a new organisation, a concern its documents
cover only by a word used in another sense is declined."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli, transcript

EMPLOYEE = ("--org", "vasteras", "--role", "employee")


def test_a_hedge_inside_a_phrase_does_not_hide_it(cli: Cli) -> None:
    line = "det luktar typ gas nere i pannrummet på förskolan sen imorse"
    (gas,) = transcript(cli, [line], *EMPLOYEE, "--user", "p1")
    assert "osäkra arbetssituationer" in gas, gas  # the safety rule, not the four questions' advice
    assert "tänka ut en annan lösning" not in gas, gas


def test_a_side_question_of_whom_to_ask_keeps_the_check_at_its_step(cli: Cli) -> None:
    lines = ["är det okej att jag tar hem jobbets projektor över helgen?", "ja",
             "btw vem frågar man om man är osäker på sånt här?", "ja"]  # fmt: skip
    _, _, side, after = transcript(cli, lines, *EMPLOYEE, "--user", "p2")
    assert "närmaste chef" in side and "Fråga 2 av 4" in side, side
    assert "Fråga 1 av 4" not in side, side  # the check did not start over
    assert "Fråga 3 av 4" in after, after


def test_a_new_question_in_the_middle_of_the_check_is_answered_as_one(cli: Cli) -> None:
    lines = ["är det okej att jag tar hem jobbets projektor över helgen?", "ja",
             "vem ska jag säga till om en kollega är full på jobbet?"]  # fmt: skip
    *_, drunk = transcript(cli, lines, *EMPLOYEE, "--user", "p3")
    assert "meddela din chef" in drunk and "Fråga 2 av 4" in drunk, drunk
    assert "förklarar inte ordet" not in drunk, drunk  # not read as "vet inte" on the current question


def test_a_conflict_with_ones_manager_gets_the_ordinary_channels(cli: Cli) -> None:
    line = "jag har en konflikt med min chef om mina arbetsuppgifter, ska jag ta det via visselblåsarfunktionen?"
    (reply,) = transcript(cli, [line], *EMPLOYEE, "--user", "p4")
    assert "Skriv din rapport" not in reply and "lösenfras" not in reply, reply
    assert "chefens chef, facklig företrädare eller HR" in reply, reply


def test_how_often_is_a_question_not_a_reminder_request(cli: Cli) -> None:
    line = "as a manager here how often am i supposed to hold appraisal talks with my staff"
    (reply,) = transcript(cli, [line], "--org", "alingsas", "--role", "manager", "--user", "p5")
    assert "årligen medarbetarsamtal" in reply, reply
    assert "Pick one to subscribe to" not in reply, reply


def test_an_is_it_ok_situation_with_a_rule_gets_the_rule_then_the_check(cli: Cli) -> None:
    line = "a supplier wants to take me out for a fancy dinner now that we signed with them, thats fine right?"
    (reply,) = transcript(cli, [line], *EMPLOYEE, "--user", "p6")
    assert "ta emot eller ge muta" in reply, reply
    assert reply.index("ta emot eller ge muta") < reply.index("Question 1 of 4"), reply


def test_an_amount_the_documents_do_not_give_is_declined_with_what_they_say(cli: Cli) -> None:
    (en,) = cli.batch([{"id": "1", "org": "alingsas", "role": "employee",
                        "q": "how much is the wellness allowance per year? the friskvård thing"}])  # fmt: skip
    assert en["abstained"] and "do not mention an amount" in en["text"], en
    assert "regelbunden friskvård" in en["text"], en  # what the policy does say, quoted
    (respect,) = cli.batch([{"id": "2", "org": "alingsas", "role": "employee",
                             "q": "hur mycket respekt måste man visa kunder som är otrevliga"}])  # fmt: skip
    assert not respect["abstained"], respect  # "how much" of a concern is a question of conduct


def test_words_in_their_everyday_sense(cli: Cli) -> None:
    q = "chefen la handen på mitt lår på julfesten och nu sms:ar han sent på kvällarna"
    (thigh,) = cli.batch([{"id": "1", "org": "vasteras", "role": "employee", "q": q}])
    # a thigh ("lår") is not learning ("lärande"): the harassment rule, not skills development
    assert "inte tveka att göra en anmälan" in thigh["citations"][0]["text"], thigh["citations"][:1]


def test_a_deputy_on_a_committee_is_an_elected_official(cli: Cli) -> None:
    lines = ["who do I tell if I think someone is drunk at a meeting?",
             "I'm not on staff, I'm a deputy on the education committee in Västerås"]  # fmt: skip
    _, reply = transcript(cli, lines, "--org", "vasteras", "--user", "p8")
    assert "group leader" in reply and "policies for elected officials" in reply, reply


MEMBERS = """# Personuppgiftspolicy

## Rätt till invändning

Du kan invända mot en behandling av dina personuppgifter om du anser att den kränker dina rättigheter.
Kallelsen skall skickas till alla medlemmar.

## Utskott

- Festutskottet ordnar sittningar och fester
- Studieutskottet
- Valberedningen
"""

TRAVEL = """# Reglemente

## Resor

Styrelsen beslutar om bidrag till utskottens verksamhet och om sektionens resurser.

## Festutskottet

Festutskottet ansvarar för sektionens sittningar, fester och sexmästeri. Festutskottets ordförande och kassör
väljs på vårmötet.

## Sittningar

Sittningar anordnas av festutskottet i samarbete med studieutskottet. Anmälan till en sittning sker på
sektionens hemsida senast en vecka innan.

## Möten

Sektionsmötet sammanträder två gånger per termin. Kallelse skickas ut senast tio dagar före mötet.
"""


def test_a_new_organisation_declines_a_concern_it_names_only_in_another_sense(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "docs" / "ekby"
    folder.mkdir(parents=True)
    (folder / "personuppgifter.md").write_text(MEMBERS, encoding="utf-8")
    (folder / "reglemente.md").write_text(TRAVEL, encoding="utf-8")
    (folder / "org.yaml").write_text("name: Ekby sektion\naliases: [ekby]\n", encoding="utf-8")
    cli.configure(corpus_dirs=[tmp_path / "docs"], default_org="ekby")
    groped, ticket = cli.batch([
        {"id": "1", "org": "ekby", "role": "employee",
         "q": "någon i festutskottet tafsade på mig på sittningen igår, vem anmäler jag det till?"},
        {"id": "2", "org": "ekby", "role": "employee",
         "q": "does the section pay back my train ticket when I go to a meeting in another town?"},
    ])  # fmt: skip
    assert groped["abstained"] and "sexuella trakasserier" in groped["text"], groped
    assert not groped["citations"], groped
    assert ticket["abstained"], ticket
    # no whistleblower function, and documents that speak of no manager and no HR: none is invented
    (report,) = cli.batch([{"id": "3", "org": "ekby", "role": "employee",
                            "q": "jag vill anmäla anonymt att kassören fifflar med pengarna"}])  # fmt: skip
    assert "nämner ingen visselblåsarfunktion" in report["text"], report
    assert "chef" not in report["text"] and "HR" not in report["text"], report
    assert "säger inte heller vart man vänder sig" in report["text"], report  # said plainly


def test_neither_role_is_ones_own(cli: Cli) -> None:
    lines = ["jag är varken chef eller politiker, jobbar i informationsdisken på stadsbiblioteket",
             "en låntagare tafsade på min kollega vid självutlåningen igår, vem ska vi säga till?"]  # fmt: skip
    _, reply = transcript(cli, lines, "--org", "vasteras", "--user", "p9")
    assert "chef" in reply and "gruppledare" not in reply, reply


def test_a_manager_told_by_someone_in_the_team_gets_the_managers_part(cli: Cli) -> None:
    line = "en socialsekreterare i min grupp berättade att en kollega drar rasistiska skämt om henne. ligger på mig nu"
    (reply,) = transcript(cli, [line], "--org", "vasteras", "--role", "manager", "--user", "p10")
    assert "Som chef är det till dig medarbetaren vänder sig" in reply, reply


def test_machines_and_scaffolds_in_everyday_words_are_safety(cli: Cli) -> None:
    items = ["gräsklipparn har inget skydd kvar och stenar flyger åt alla håll",
             "ställningen vid skolbygget vinglar när man går på den"]  # fmt: skip
    out = cli.batch([{"id": str(i), "org": "vasteras", "role": "employee", "q": q} for i, q in enumerate(items)])
    for o in out:
        assert not o["abstained"] and "osäkra arbetssituationer" in o["text"], o
        assert "alkohol" not in o["text"], o  # "stenar" (stones) is not "stenad" (stoned)


def test_a_group_leader_asking_what_if_the_complaint_is_about_them(cli: Cli) -> None:
    lines = ["one of the members of my party group says another member keeps making sexist comments to her",
             "and if she's actually complaining about me?"]  # fmt: skip
    _, reply = transcript(cli, lines, "--org", "vasteras", "--role", "group_leader", "--user", "p11")
    assert "you yourself as the group leader" in reply and "partikollega" in reply, reply
    assert "whistleblower function is for" not in reply, reply


def test_a_person_to_ask_does_not_make_a_passage_about_safety(cli: Cli) -> None:
    # "säkerhetsansvarig eller någon inom HR" in the four questions' advice names a person, not safety
    q = "kollegan ramla nästan ner från ställningen idag pga slarv med säkringen, vad gäller??"
    (fall,) = cli.batch([{"id": "1", "org": "vasteras", "role": "employee", "q": q}])
    assert "omedelbart rapportera olyckor" in fall["citations"][0]["text"], fall["citations"][:1]


def test_reminding_others_of_a_rule_is_a_question_not_a_reminder_request(cli: Cli) -> None:
    line = "want to remind my group that we go after policies not people. is that in the code"
    (reply,) = transcript(cli, [line], "--org", "vasteras", "--role", "group_leader", "--user", "p12")
    assert "Done:" not in reply and "Pick one to subscribe to" not in reply, reply  # nothing subscribed
    assert "Bemötandekod för förtroendevalda" in reply, reply  # answered from the code


def test_a_role_said_after_an_answer_answers_the_question_again_for_it(cli: Cli) -> None:
    lines = ["en i vår nämndgrupp kommer till sammanträdena och är helt lullig, vem ska man säga till?",
             "jag är inte anställd på kommunen utan sitter i kulturnämnden för KD"]  # fmt: skip
    first, second = transcript(cli, lines, "--org", "vasteras", "--user", "p13")
    assert "alkohol" in first, first  # "lullig" is tipsy
    assert "meddela din gruppledare" in second, second


def test_a_supplier_paying_for_my_hotel_is_my_own_choice_to_check(cli: Cli) -> None:
    (reply,) = transcript(
        cli, ["is it ok to let a supplier pay for my hotel at a trade fair"], *EMPLOYEE, "--user", "p14"
    )
    assert "Question 1 of 4" in reply, reply  # "my hotel" is the asker's; the check is theirs to make
    assert "don't cover" not in reply, reply


def test_a_nudge_asked_for_in_words_subscribes_with_its_time(cli: Cli) -> None:
    lines = ["Skulle behöva en knuff om att boka medarbetarsamtalen, en gång om året i oktober, tisdag kl 13",
             "påminn mig om medarbetarsamtalen varje år i oktober"]  # fmt: skip
    first, again = transcript(cli, lines, "--org", "alingsas", "--role", "manager", "--user", "p15")
    assert "13:00" in first and "oktober" in first, first
    assert "redan" in again, again


def test_when_do_we_actually_get_paid_is_a_pay_date_not_pay_setting(cli: Cli) -> None:
    q = "when do we actually get paid here, is salary day the 25th or the 27th?"
    (paid,) = cli.batch([{"id": "1", "org": "alingsas", "role": "employee", "q": q}])
    assert paid["abstained"] and not paid["citations"], paid


def test_a_figure_of_speech_is_not_danger_but_a_fire_is(cli: Cli) -> None:
    lines = ["det brinner i knutarna med rapporten, kan jag jobba över?", "det brinner i förrådet på jobbet"]
    urgent, fire = transcript(cli, lines, *EMPLOYEE, "--user", "p16")
    assert "112" not in urgent, urgent  # "it is urgent", not a fire
    assert "112" in fire, fire
