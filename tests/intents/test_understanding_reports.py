"""Conversations of issue 12's kinds through `conductbot chat`, from a blind set written in session 11: a role
is one's own only when said of oneself; conflicts of interest and fraud get the whistleblower channel, never the
not-for passage's "prata med din chef om dessa synpunkter"; understaffing is a work environment matter, not a
report; a wish to report told without the usual words starts the report; a question after a self-description
is answered; everyday words that only look like a concern ("makes me sick", "brand new") are read as meant."""

from __future__ import annotations

import json

from conftest import Cli, transcript


def test_a_role_named_later_of_someone_else_keeps_the_askers_check(cli: Cli) -> None:
    lines = ["can you walk me through the four questions? I'm thinking about forwarding an internal email "
             "from an official to a journalist I know"]  # fmt: skip
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "elected", "--user", "r1")
    assert "Question 1 of 4: Is it legal?" in reply, reply  # the elected officials' code, in its order


def test_a_conflict_of_interest_told_as_a_story_gets_the_whistleblower_channel(cli: Cli) -> None:
    lines = ["Handläggaren på kultur betalar ut bidrag till en förening där hennes man sitter som kassör"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "r2")
    assert "vasteras.se/visselblåsarfunktion" in reply, reply
    assert "om dessa synpunkter" not in reply, reply  # the channel for what the function is not for


def test_understaffing_is_not_for_the_whistleblower_function(cli: Cli) -> None:
    lines = ["vill visselblåsa om att vi är alldeles för få på nattpasset på boendet, det håller inte i längden"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "r3")
    assert "Skriv din rapport" not in reply and "lösenfras" not in reply, reply
    assert "chefens chef, facklig företrädare eller HR" in reply, reply


def test_a_wish_to_report_without_ones_name_starts_the_report(cli: Cli) -> None:
    lines = ["har nåt ganska allvarligt jag behöver få ur mig men jag vill inte att mitt namn hamnar nånstans"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "r4")
    assert "Skriv din rapport i nästa meddelande" in reply, reply


def test_a_question_after_a_self_description_is_answered(cli: Cli) -> None:
    lines = ["jag är undersköterska, inte chef. vad förväntas av mig då enligt västerås, konkret"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--user", "r5")
    assert "Medarbetarskap genom alltid bästa möjliga möte" in reply, reply


def test_everyday_words_that_only_look_like_another_matter(cli: Cli) -> None:
    asked = [
        ("alingsas", "team lead keeps commenting on my body in front of everyone and it makes me sick. who do i tell"),
        ("vasteras", "the guy who hands out the snow contracts just got a brand new jet ski from one of the firms"),
    ]
    batch = "".join(
        json.dumps({"id": str(i), "org": o, "role": "employee", "q": q}) + "\n" for i, (o, q) in enumerate(asked)
    )
    out = cli.run("ask", "--json", "--batch", "-", stdin=batch)
    harassment, gift = (json.loads(line) for line in out.stdout.splitlines())
    assert not harassment["abstained"] and "sexuella trakasserier" in harassment["citations"][0]["text"], harassment
    assert "visselblåsarfunktion" in gift["text"] and "olyckor" not in gift["text"], gift


def test_ending_everything_tonight_in_quotes_gets_help_first(cli: Cli) -> None:
    lines = ["kollegan sms:ade att han tänker 'avsluta allt' ikväll och nu svarar han inte i telefon"]
    (reply,) = transcript(cli, lines, "--org", "alingsas", "--role", "employee", "--user", "r6")
    assert "112" in reply and "90101" in reply, reply
    assert "Så här står det" not in reply, reply  # no policy quote
    (work,) = transcript(cli, ["jag måste avsluta allt innan semestern, vem fördelar jobbet?"], "--user", "r7")
    assert "112" not in work, work
