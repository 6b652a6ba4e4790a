"""Conversations of issue 12's kinds through `conductbot chat`, from a blind set written in session 13: a threat to
stab someone gets help first (a stab at something does not); a report asked for about an area of services is a
report, not a practical question; "idk, maybe?" in the check is a hesitant answer; a "no" after the check ended
at a no is told that it ended there; a plan in a story is not planning; lifting alone is a safety matter; a
polite request names its reminder in a compound word."""

from __future__ import annotations

from conftest import Cli, transcript

EMPLOYEE = ("--org", "vasteras", "--role", "employee")


def test_a_threat_to_stab_someone_gets_help_first_but_a_stab_at_something_does_not(cli: Cli) -> None:
    line = "a patient's brother is shouting in reception that he will stab my colleague"
    (threat,) = transcript(cli, [line], "--org", "alingsas", "--role", "employee", "--user", "m1")
    assert "112" in threat, threat
    (attempt,) = transcript(cli, ["could you take a stab at explaining the rule on gifts?"], *EMPLOYEE, "--user", "m2")
    assert "112" not in attempt, attempt


def test_an_anonymous_report_about_an_area_of_services_starts_the_report(cli: Cli) -> None:
    line = "jag vill tipsa anonymt om något som gäller bygglovshandläggningen, hur gör man?"
    (reply,) = transcript(cli, [line], *EMPLOYEE, "--user", "m3")
    assert "Skriv din rapport" in reply, reply
    (sick,) = transcript(cli, ["kan jag anmäla anonymt att en kollega är sjukskriven fast hon jobbar extra?"],
                         *EMPLOYEE, "--user", "m4")  # fmt: skip
    assert "Skriv din rapport" not in sick, sick  # one person's HR matter: the ordinary channels


def test_a_hesitant_answer_with_a_question_mark_is_explained_and_the_check_goes_on(cli: Cli) -> None:
    lines = ["is it ok if I borrow the department's van to move house on saturday?", "hmm idk, maybe?"]
    _, unsure = transcript(cli, lines, *EMPLOYEE, "--user", "m5")
    assert "Question 2 of 4" in unsure and "Let us go on for now" in unsure, unsure
    assert "hittar jag inget svar" not in unsure, unsure  # neither a new question nor Swedish


def test_a_no_after_the_check_ended_at_a_no_is_told_that_it_ended(cli: Cli) -> None:
    lines = ["is it ok if I borrow the department's van to move house on saturday?", "yes", "nope", "no"]
    *_, ended, after = transcript(cli, lines, *EMPLOYEE, "--user", "m6")
    assert "think of another solution" in ended, ended
    assert "already done" in after and "think of another solution" in after, after
    assert "I answer questions about" not in after, after  # not the help text


def test_lifting_alone_against_the_plan_is_a_safety_matter_not_a_view_on_planning(cli: Cli) -> None:
    line = "enligt planen ska vi vara två vid förflyttningar men jag får lyfta brukarna själv, ryggen tar stryk"
    (reply,) = transcript(cli, [line], *EMPLOYEE, "--user", "m7")
    assert "osäkra arbetssituationer" in reply, reply
    assert "hör inte hemma i visselblåsarfunktionen" not in reply, reply


def test_a_polite_request_naming_the_reminder_in_a_compound_is_refused_as_a_duplicate(cli: Cli) -> None:
    lines = ["påminn mig om medarbetarsamtalen varje år i mars, måndagar kl 9",
             "kan du lägga till medarbetarsamtalspåminnelsen en gång till, mars måndag 9:00"]  # fmt: skip
    first, again = transcript(cli, lines, "--org", "alingsas", "--role", "manager", "--user", "m8")
    assert "Klart" in first, first
    assert "Du har redan den påminnelsen" in again, again


def test_a_colleague_on_something_gets_the_drug_rule_and_drowning_in_work_is_no_emergency(cli: Cli) -> None:
    line = "i think the new guy on the night shift is on something, his pupils are huge. who do i talk to"
    (drugs,) = transcript(cli, [line], *EMPLOYEE, "--user", "m9")
    assert "drogproblem" in drugs, drugs
    line = "as a manager with way too many staff I'm drowning and nobody above me cares"
    (busy,) = transcript(cli, [line], "--org", "alingsas", "--role", "manager", "--user", "m10")
    assert "112" not in busy, busy
