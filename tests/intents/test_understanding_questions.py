"""Conversations of issue 12's kinds through `conductbot chat`, from a blind set's first-run failures: a
yes/no question with the verb first ("har jag som ...") that names a role is a question, not a
self-description; "kommunen" said in passing is one's own municipality; a question after "thanks." is
answered; "in short" is not about clothes; violence at a colleague's home gets help first; "where am I
allowed to park" is declined, not the four-question check; a group leader's follow-up about their own role
gets what the code expects of group leaders; a pay date is declined where the documents only speak of pay
policy."""

from __future__ import annotations

from conftest import Cli, transcript


def test_a_question_with_the_verb_first_that_names_a_role_is_answered(cli: Cli) -> None:
    lines = ["har vi som förtroendevalda något ansvar för arbetsmiljön för stadens anställda?",
             "är vi politiker anställda av kommunen då"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "elected", "--user", "q1")
    assert "arbetsmiljöansvar för stadens tjänstepersoner" in replies[0], replies[0]
    assert "Okej, jag svarar utifrån" not in replies[0], "not read as a self-description"
    assert "Så här står det i" in replies[1] and "Västerås stad" in replies[1], replies[1]
    assert "Kommunens dokument" not in replies[1], "'kommunen' is their own municipality, not another organisation"


def test_a_question_after_thanks_is_answered(cli: Cli) -> None:
    lines = ["a colleague of mine turned up to the shift smelling of booze", "thanks! who should I talk to then?"]
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "q2")
    assert "You're welcome" not in replies[1], replies[1]
    assert "manager" in replies[1].lower(), replies[1]


def test_in_short_is_not_about_clothes(cli: Cli) -> None:
    (reply,) = transcript(cli, ["in short, what does the employee policy say about employeeship?"],
                          "--org", "kommun", "--user", "q3")  # fmt: skip
    assert "dress code" not in reply.lower(), reply
    assert "medarbetarskap" in reply, reply


def test_violence_at_a_colleagues_home_gets_help_first(cli: Cli) -> None:
    (reply,) = transcript(cli, ["en kollega berättade att hennes man slår henne och hon törs inte gå hem efter jobbet"],
                          "--org", "alingsas", "--user", "q4")  # fmt: skip
    assert "112" in reply, reply
    assert "Så här står det" not in reply, "no policy quote"


def test_an_office_matter_asked_as_am_i_allowed_is_declined_not_the_check(cli: Cli) -> None:
    (reply,) = transcript(cli, ["where am i allowed to leave my car during the workday, is there staff parking?"],
                          "--org", "vasteras", "--role", "employee", "--user", "q5")  # fmt: skip
    assert "Question 1 of 4" not in reply, reply
    assert "don't cover" in reply or "do not cover" in reply, reply


def test_a_group_leaders_follow_up_about_their_own_role(cli: Cli) -> None:
    lines = ["en i min partigrupp skällde ut en tjänsteperson på sammanträdet, vad gäller då?",
             "och vad förväntas av mig som gruppledare i det här?"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "group_leader", "--user", "q6")
    assert "under ledning av respektive gruppledare" in replies[1], replies[1]


def test_a_pay_date_is_declined_where_only_pay_policy_is_written(cli: Cli) -> None:
    (reply,) = transcript(cli, ["betalas lönen ut före midsommar i år?"], "--org", "alingsas", "--user", "q7")
    assert "tar inte upp löneutbetalning" in reply, reply
