"""Questions of issue 12 and 13's kinds from session 14's blind sets: a word that names a concern in another
sense ("present" a policy, "fylla i" a survey, a swear word that starts like "jäv") does not decline the
question as one the documents do not cover; an amount asked in other words ("vad blir summan") is not
answered with a passage that has no figure; a definition asked after an interjection is what the rule says,
not whom to tell; and a follow-up that turns a suspicion into a complaint about one's boss is told what the
whistleblower function is not for."""

from __future__ import annotations

from pathlib import Path

from conftest import Cli, transcript

EMPLOYEE = ("--org", "vasteras", "--role", "employee")


def _cited(reply: dict) -> str:
    return " ".join(c["text"] for c in reply["citations"])


def test_a_concern_word_in_another_sense_does_not_decline_the_question(cli: Cli) -> None:
    present, survey, swear = cli.batch([
        {"id": "1", "org": "alingsas", "role": "employee",
         "q": "I'm going to present our employee policy to the new staff, which areas does it cover?"},
        {"id": "2", "org": "kommun", "role": "employee",
         "q": "what is the point of having to fylla i medarbetarundersökningen every year"},
        {"id": "3", "org": "kommun", "role": "employee",
         "q": "en kollega kontrollerar allt jag gör fast jag kan jobbet, så jävla jobbigt"},
    ])  # fmt: skip
    assert not present["abstained"] and "består av fyra områden" in _cited(present), present
    assert not survey["abstained"] and "medarbetarunder" in _cited(survey), survey
    assert not swear["abstained"], swear


def test_an_amount_asked_in_other_words_is_not_answered_from_a_passage_without_figures(cli: Cli) -> None:
    (reply,) = cli.batch([{"id": "1", "org": "alingsas", "role": "employee",
                           "q": "vilken summa ger kommunen i friskvårdspeng per år?"}])  # fmt: skip
    assert reply["abstained"], reply


def test_a_definition_asked_after_an_interjection_is_what_the_rule_says(cli: Cli) -> None:
    (reply,) = transcript(cli, ["hmm vad räknas som korruption i bemötandekoden"], *EMPLOYEE, "--user", "w1")
    assert "offentlig ställning" in reply, reply


def test_a_follow_up_about_a_bad_boss_is_told_what_the_whistleblower_function_is_not_for(cli: Cli) -> None:
    lines = ["I think our section head gave the cleaning contract to his cousin's firm",
             "what if it's just that he is an awful boss?"]  # fmt: skip
    first, follow = transcript(cli, lines, *EMPLOYEE, "--user", "w2")
    assert "whistleblower" in first, first
    assert "do not belong in the whistleblower function" in follow, follow


VENUE = """# Bokningsvillkor

## Tillgång till lokalerna

Vid middagssittningar har beställaren tillgång till lokalerna en timme innan evenemangets start, för
dukning och dekoration.

## Avbokning

Vid avbokning senare än 30 dagar före arrangemanget faktureras halva beställningens värde.

## Garderob

Garderoben är obevakad. Vi ansvarar inte för kvarlämnade kläder.

## Teknik

Projektor och mikrofoner finns i alla salar och bokas i förväg.

## Städning

Ordinarie städning ingår. Grovstädning debiteras efter åtgång. Vi väljer miljövänliga och människovänliga
rengöringsmedel.

## Likabehandling

Alla medarbetare och gäster ska behandlas med respekt. Trakasserier tolereras inte.
"""


def test_an_ambiguous_concern_word_that_names_the_organisations_own_business_is_answered(
    cli: Cli, tmp_path: Path
) -> None:
    folder = tmp_path / "docs" / "lokal"
    folder.mkdir(parents=True)
    (folder / "bokningsvillkor.md").write_text(VENUE, encoding="utf-8")
    (folder / "org.yaml").write_text("name: Lokalbolaget\naliases: [lokalbolaget]\n", encoding="utf-8")
    cli.configure(corpus_dirs=[tmp_path / "docs"], default_org="lokal")
    dinner, gift = cli.batch([
        {"id": "1", "org": "lokal", "role": "employee",
         "q": "sällskapet vill duka och sätta upp dekoration inför middagen, när får de tillgång till lokalerna?"},
        {"id": "2", "org": "lokal", "role": "employee",
         "q": "en kund gav mig ett presentkort som tack, får jag behålla det?"},
    ])  # fmt: skip
    assert not dinner["abstained"] and "en timme innan" in _cited(dinner), dinner
    assert gift["abstained"], gift  # named in the concern's own words, which the documents do not cover


def test_documents_that_name_no_one_to_tell_are_said_to_name_no_one(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "docs" / "lokal"
    folder.mkdir(parents=True)
    (folder / "bokningsvillkor.md").write_text(VENUE, encoding="utf-8")
    cli.configure(corpus_dirs=[tmp_path / "docs"], default_org="lokal")
    (reply,) = cli.batch([{"id": "1", "org": "lokal", "role": "employee",
                           "q": "a guest keeps harassing me at the bar during events, who do I tell?"}])  # fmt: skip
    assert "does not say whom to tell" in reply["text"], reply
    assert "Trakasserier tolereras inte" in reply["text"] and "rengöringsmedel" not in reply["text"], reply
    assert "manager" not in reply["text"] and "HR" not in reply["text"], reply  # no channel of our own


def test_a_boss_who_runs_one_down_is_routed_past_the_boss(cli: Cli) -> None:
    sv = "chefen sågar mig och himlar med ögonen när jag säger nåt, vem vänder man sig till när det är chefen"
    en = "my boss rolls her eyes and talks over me in every meeting, who do i go to when its the boss"
    (swedish,) = transcript(cli, [sv], *EMPLOYEE, "--user", "w3")
    (english,) = transcript(cli, [en], *EMPLOYEE, "--user", "w4")
    assert "Om det är din chef det gäller" in swedish and "fackligt ombud" in swedish, swedish
    assert "If it is your manager who is involved" in english, english
