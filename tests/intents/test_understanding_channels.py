"""Conversations of issue 12's kinds through `conductbot chat`, from a blind set about what the whistleblower
function is not for and short follow-ups: a request to report anonymously about the indoor climate or a
manager's favourites gets the ordinary channels, not a report; "ok who then" after that answer asks for those
channels; an eye-roll after "Did that help?" is a 👎; "och om det bara är ..." keeps the rule just quoted."""

from __future__ import annotations

from conftest import Cli, transcript


def test_an_anonymous_report_about_the_indoor_climate_gets_the_ordinary_channels(cli: Cli) -> None:
    lines = ["jag vill anmäla anonymt att det är iskallt och dragigt i vårt kontorslandskap hela vintern"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--user", "n1")
    assert "lösenfras" not in reply and "Skriv din rapport" not in reply, reply
    assert "chefens chef, facklig företrädare eller HR" in reply, reply


def test_a_managers_favourites_are_no_whistleblowing_report(cli: Cli) -> None:
    lines = ["I want to whistleblow on my manager, she plays favourites and her instructions are never clear"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "n2")
    assert "passphrase" not in reply and "Write your report" not in reply, reply


def test_ok_who_then_after_a_not_for_answer_asks_for_the_ordinary_channels(cli: Cli) -> None:
    lines = ["can the whistleblower function be used to report that a coworker keeps skipping her shifts?",
             "ok so who then"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "n3")
    assert "Thanks, good to hear" not in replies[1], replies[1]
    assert "chefens chef, facklig företrädare eller HR" in replies[1], replies[1]


def test_an_eye_roll_after_did_that_help_is_a_thumbs_down(cli: Cli) -> None:
    lines = ["får man snusa på jobbet?", "jättebra svar verkligen 🙄"]
    replies = transcript(cli, lines, "--org", "alingsas", "--role", "employee", "--user", "n4")
    assert "Hjälpte det?" in replies[0], replies[0]
    assert "svaret inte hjälpte" in replies[1], replies[1]


def test_a_smaller_same_case_keeps_the_rule_just_quoted(cli: Cli) -> None:
    lines = ["en leverantör vill skicka en julkorg till hela enheten, får vi ta emot den?",
             "och om det bara är en flaska vin till mig?"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "n5")
    assert "orruption" in replies[1] and "alkohol eller andra droger på jobbet" not in replies[1], replies[1]


def test_a_vague_request_with_a_role_or_a_workplace_in_it_still_starts_the_report(cli: Cli) -> None:
    """Only what the report is about decides: a role ("ny som avdelningschef") or a workplace ("care home")
    said in passing is no matter for the ordinary channels."""
    sv = ["jag är ny som avdelningschef och har sett saker jag inte vet hur jag ska hantera. kan jag anmäla anonymt?"]
    (reply,) = transcript(cli, sv, "--org", "vasteras", "--user", "v1")
    assert "Skriv din rapport" in reply, reply
    en = ["I do weekend shifts at a care home, could I report something anonymously through you?"]
    (reply,) = transcript(cli, en, "--org", "vasteras", "--user", "v2")
    assert "Write your report" in reply, reply
