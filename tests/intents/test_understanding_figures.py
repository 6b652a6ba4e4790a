"""Conversations of issue 12's kinds through `conductbot chat`: figures of speech and hedges. "någon kommer
att halka och slå ihjäl sig" said of a risk is a safety matter, not acute danger; "slipped me an envelope" is
a bribe, not a fall; a help phrase beside a matter of its own ("hur funkar friskvårdstimmen?") is a question;
"kinda, probably" answers a check question; "what if it's a supplier?" after a harassment answer keeps the
matter and quotes what the code says of people from outside."""

from __future__ import annotations

from conftest import Cli, transcript


def test_a_risk_told_with_a_figure_of_speech_is_a_safety_matter_not_a_crisis(cli: Cli) -> None:
    sv = ["isen vid lastkajen är livsfarlig, nån kommer halka och slå ihjäl sig. vem säger jag till?"]
    (reply,) = transcript(cli, sv, "--org", "vasteras", "--role", "employee", "--user", "c1")
    assert "112" not in reply and "omedelbart rapportera" in reply, reply
    en = ["that wobbly ladder in the storeroom, someone's going to kill themselves on it. who do I tell?"]
    (reply,) = transcript(cli, en, "--org", "vasteras", "--role", "employee", "--user", "c2")
    assert "112" not in reply and "omedelbart rapportera" in reply, reply
    still = ["my colleague told me she wants to kill herself"]
    (reply,) = transcript(cli, still, "--org", "vasteras", "--role", "employee", "--user", "c3")
    assert "90101" in reply, "without an accident, the words still mean danger"


def test_slipped_me_an_envelope_is_a_bribe_not_a_fall(cli: Cli) -> None:
    lines = ["the guy from the cleaning firm slipped me an envelope with cash after the tender, is that ok?"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "b1")
    assert "orruption" in reply and "säker, hållbar arbetsmiljö" not in reply, reply


def test_a_help_phrase_beside_a_matter_of_its_own_is_a_question(cli: Cli) -> None:
    lines = ["och övertidsersättningen, hur fungerar den?"]
    (reply,) = transcript(cli, lines, "--org", "kommun", "--role", "employee", "--user", "h1")
    assert "Du kan till exempel" not in reply and "inte upp" in reply, reply
    (reply,) = transcript(cli, ["hur funkar boten?"], "--org", "kommun", "--user", "h2")
    assert "Du kan till exempel" in reply, "a question about the bot is still help"


def test_a_hedged_answer_moves_the_check_on(cli: Cli) -> None:
    lines = ["är det okej att jag tar med mig kontorsstolen hem när vi jobbar hemifrån?", "typ, antagligen"]
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "k1")
    assert "Fråga 1 av 4" in replies[0], replies[0]
    assert "Fråga 2 av 4" in replies[1] and "Du kan till exempel" not in replies[1], replies[1]
    en = ["is it fine if I use the work car for a quick private errand?", "hmm kinda sorta"]
    replies = transcript(cli, en, "--org", "vasteras", "--role", "employee", "--user", "k2")
    assert "Question 2 of 4" in replies[1], replies[1]


def test_what_if_it_is_a_supplier_keeps_the_harassment_matter(cli: Cli) -> None:
    lines = ["a coworker keeps commenting on my body, it's getting really uncomfortable",
             "and what if it's a consultant doing it?"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "f1")
    assert "Vi accepterar inte trakasserier" in replies[1] and "besökare, kunder" in replies[1], replies[1]
    assert "orruption" not in replies[1], replies[1]


def test_a_role_denied_in_passing_is_not_searched_for(cli: Cli) -> None:
    lines = ["vad förväntas av mig som vanlig anställd? alltså inte som chef"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "r1")
    assert "Vad vi förväntar oss av alla" in reply and "arbetsgivarrepresentant" not in reply, reply
    en = ["what does the code expect of me as a plain employee, not a manager"]
    (reply,) = transcript(cli, en, "--org", "vasteras", "--role", "employee", "--user", "r2")
    assert "What we expect of everyone" in reply and "employer representative" not in reply, reply


def test_a_concern_named_twice_in_slang_is_answered_not_declined(cli: Cli) -> None:
    lines = ["a sales rep handed me an envelope of cash after we picked his firm lol, do i just keep it??"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "b2")
    assert "orruption" in reply and "don't cover it" not in reply, reply


def test_a_role_answer_with_a_denial_answers_the_held_question_again(cli: Cli) -> None:
    lines = ["en arbetskamrat verkar full på jobbet, vem säger jag till?",
             "nej jag är inte politiker, jobbar som lokalvårdare på skolan"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--user", "q1")
    assert "förtroendevald" in replies[0], replies[0]
    assert "medarbetare" in replies[1] and "meddela din chef" in replies[1], replies[1]


def test_self_harm_said_in_chat_english_gets_help_first(cli: Cli) -> None:
    (reply,) = transcript(cli, ["started self-harming again last week, dont know who to tell"], "--org", "kommun",
                          "--user", "x1")  # fmt: skip
    assert "1177" in reply and "90101" in reply, reply


def test_a_denial_with_no_question_is_a_self_description(cli: Cli) -> None:
    (reply,) = transcript(cli, ["not a manager btw, just a regular employee"], "--org", "vasteras", "--user", "x2")
    assert "for employees" in reply, reply
