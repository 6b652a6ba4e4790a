"""Intents recognised by meaning (intents/meaning.py): requests in a person's own words, through
`conductbot chat`, and the calibrated decision between words and meaning."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli, transcript

from intents import registry
from intents.meaning import Calibration, Sense

CAL = Calibration(threshold=0.86, margin=0.02, override=0.02, top=2, per_intent={}, lexical_only=frozenset())


def _files(home: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in home.rglob("*") if p.is_file()}


def test_an_anonymous_report_asked_for_in_own_words_starts_the_report(cli: Cli) -> None:
    # no phrase of the report's word lists ("anonymous", "report", "whistle"): only its meaning says so
    msg = "for weeks i have wanted to let someone know about the fake invoices, if nobody ever finds out it was me"
    (reply,) = transcript(cli, [msg], "--org", "vasteras", "--role", "employee", "--user", "m1")
    assert "Write your report in your next message" in reply, reply


def test_a_reminder_asked_for_in_own_words_shows_the_reminders_without_subscribing(cli: Cli) -> None:
    (reply,) = transcript(cli, ["kan du knuffa mig om lönesamtalen när det närmar sig i höst"],
                          "--org", "vasteras", "--role", "manager", "--user", "m2")  # fmt: skip
    assert "Påminnelser" in reply and "[1]" in reply, reply  # the reminder menu, not a policy quote
    assert "Klart:" not in reply and "hittar jag inget svar" not in reply, reply  # nothing subscribed by meaning


def test_a_question_naming_a_role_does_not_change_the_profile(cli: Cli) -> None:
    replies = transcript(cli, ["hur många sammanträden har en nämnd på ett år", "/profil"],
                         "--org", "vasteras", "--user", "m3")  # fmt: skip
    assert "Jag svarar nu utifrån" not in replies[0], replies[0]
    assert "förtroendevalda" not in replies[1].split("[1]")[0], replies[1]


def test_a_passphrase_of_words_is_not_answered_as_a_question_and_not_kept(cli: Cli) -> None:
    secret = "solros-tavla-kanel-hamn"
    (reply,) = transcript(cli, [secret], "--org", "vasteras", "--role", "employee", "--user", "m4")
    assert "kod" in reply.lower() and "hittar jag inget svar" not in reply, reply
    r = cli.run("unanswered")
    assert secret not in r.stdout and "tavla" not in r.stdout
    assert not [name for name, blob in _files(cli.home).items() if b"tavla" in blob]


def test_meaning_overrules_words_only_by_the_calibrated_margin() -> None:
    clear = Sense((("anonymous_report", 0.90), ("report_concern", 0.86), ("policy_answer", 0.80)))
    close = Sense((("anonymous_report", 0.88), ("report_concern", 0.87), ("policy_answer", 0.80)))
    weak = Sense((("schedule", 0.80), ("policy_answer", 0.70)))
    assert registry.decide("report_concern", clear, CAL) == "anonymous_report"
    assert registry.decide("report_concern", close, CAL) == "report_concern"  # not clear: the words decide
    assert registry.decide(None, clear, CAL) == "anonymous_report"
    assert registry.decide(None, weak, CAL) is None  # below the threshold: the policy answer takes it
    assert registry.decide(None, clear, CAL, lambda name: name != "anonymous_report") is None  # not served here
    assert registry.decide("smalltalk", clear, None) == "smalltalk"  # no encoder: words alone


def test_every_intent_has_example_phrasings_in_both_languages() -> None:
    from intents.meaning import examples

    found = examples(registry.NAMES)
    for name in ("anonymous_report", "crisis", "four_question_check", "policy_answer", "profile",
                 "report_concern", "schedule", "smalltalk"):  # fmt: skip
        assert len(found.get(name, [])) >= 10, name
