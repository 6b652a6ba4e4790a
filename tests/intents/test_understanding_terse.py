"""Conversations of issue 12's kinds through `conductbot chat`, from a blind set written by people who type
tersely, with typos, in two languages or sarcastically: "scrap that, I don't want to send it" at review is a
discard to confirm; a case code typed with spaces or en dashes is a login; another person's doing told as
a story is a matter to tell, not the asker's check; "I sit on the ... committee" is an elected official;
reminders "every friday" and with "påmin" mistyped; a skills follow-up; a manager who is the problem, where
the code's general advice names others."""

from __future__ import annotations

from conftest import Cli, transcript


def test_scrap_that_at_review_is_a_discard_to_confirm(cli: Cli) -> None:
    lines = ["need to tip someone off anonymously about my unit",
             "The caretaker sells the school's old laptops on Blocket and keeps the money, since August. ZQTERSE1",
             "hmm no, scrap that. i don't want to send it after all", "yes"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "r1")
    assert "Do you want to discard the report?" in replies[2], replies[2]
    assert "discarded" in replies[3] and "case VB-" not in replies[3], replies[3]
    db = cli.home / "conductbot.sqlite3"
    assert b"ZQTERSE1" not in db.read_bytes(), "a discarded report leaves nothing"


def test_a_case_code_typed_with_spaces_or_en_dashes_is_a_login(cli: Cli) -> None:
    spaced = ["hey i sent a report before, code vb k7m3 q9tx and passphrase aaaaa-bbbbb-ccccc-ddddd-eeeee"]
    (reply,) = transcript(cli, spaced, "--org", "vasteras", "--user", "r2")
    assert "The code or the passphrase is wrong" in reply, reply
    dashed = ["hej, min ärendekod är VB–7K3M–Q9TX"]
    (reply,) = transcript(cli, dashed, "--org", "vasteras", "--user", "r3")
    assert "lösenfras" in reply and "VB-7K3M-Q9TX" in reply, reply


def test_another_persons_doing_told_as_a_story_is_not_the_askers_check(cli: Cli) -> None:
    lines = ["vår avdelningschef åker på konferenser i spanien som en leverantör står för. hur gör man med sånt"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "s1")
    assert "Fråga 1 av 4" not in reply, reply
    assert "visselblåsar" in reply, reply


def test_a_seat_on_a_named_committee_in_english_is_an_elected_official(cli: Cli) -> None:
    lines = ["a member of my party group is often rude to officials, who should hear about it?",
             "I'm not an employee, I sit on the planning committee for the Greens"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--user", "e1")
    assert "Are you an employee/manager or an elected official" in replies[0], replies[0]
    assert "elected official" in replies[1] and "unknown role" not in replies[1], replies[1]


def test_reminders_every_friday_and_with_a_typo(cli: Cli) -> None:
    weekly = ["remind me every friday at 2pm to keep the core values alive with my team"]
    (reply,) = transcript(cli, weekly, "--org", "vasteras", "--role", "manager", "--user", "m1")
    assert "every week" in reply and "14:00" in reply, reply
    typo = ["påmin mej om medarbetarsamtalen 1 gång om året i mars, torsdagar kl 13"]
    (reply,) = transcript(cli, typo, "--org", "kommun", "--role", "manager", "--user", "m2")
    assert "en gång per år i mars" in reply and "torsdag kl. 13:00" in reply, reply


def test_a_skills_follow_up_gets_the_competence_passage(cli: Cli) -> None:
    lines = ["how are we supposed to treat the citizens we serve?", "and what about developing our skills?"]
    replies = transcript(cli, lines, "--org", "kommun", "--role", "employee", "--user", "k1")
    assert "kompetens" in replies[1], replies[1]


def test_a_manager_who_is_the_problem_where_the_general_advice_names_others(cli: Cli) -> None:
    lines = ["our boss makes us lift patients alone without the hoist, and the code says report it to the manager. "
             "but she IS the problem"]  # fmt: skip
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "k2")
    assert "the rule on this names no one else, but the code says" in reply, reply
    assert "HR" in reply, reply


def test_a_role_denied_in_chat_overrides_the_platforms_for_the_conversation(cli: Cli) -> None:
    lines = ["inte chef nåt mer sen hösten, nu undersköterska igen. vad ska jag tänka på för arbetsmiljön?",
             "och lönen då?"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "alingsas", "--role", "manager", "--user", "p1")
    assert "Som medarbetare i Alingsås kommun" in replies[0], replies[0]
    assert "Har du dessutom ett uppdrag som chef" not in replies[0], "the denied role's passage is not first"
    assert "4. Lön och måluppfyllelse" in replies[1], "'och lönen?' names a matter of its own"
    assert "tar du ansvar för lönesättningen" not in replies[1], "still answered as the role the person stated"


def test_a_role_said_in_the_past_is_not_the_persons_role(cli: Cli) -> None:
    lines = ["vad förväntas av mig när det gäller medarbetarsamtal?",
             "var chef förut men inte längre, jobbar som lärare igen sen i våras"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "alingsas", "--user", "p2")
    assert "Okej, jag svarar utifrån Alingsås kommuns policyer för medarbetare." in replies[1], replies[1]
    assert "Så här står det i" in replies[1], "the question asked before is answered again for that role"
    (profile,) = transcript(cli, ["min profil"], "--org", "alingsas", "--user", "p2")
    assert "policyer för medarbetare" in profile, profile


def test_an_addition_at_review_leaves_out_the_words_asking_to_add_it(cli: Cli) -> None:
    lines = ["jag vill tipsa anonymt om en sak",
             "Kassören på fritidsgården tar pengar ur kassan varje fredag. ZQTERSE2",
             "vänta, jag vill lägga till att det har pågått sedan i våras"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "r4")
    assert "> Det har pågått sedan i våras" in replies[2], replies[2]
    assert "lägga till att det har" not in replies[2], "the request to add is not part of the report"


def test_how_to_treat_difficult_members_of_the_public_in_everyday_words(cli: Cli) -> None:
    lines = ["vad säger policyn om att bemöta sura kunder i telefonen",
             "hur funkar det med folk som ringer in o e otrevliga"]  # fmt: skip
    for reply in transcript(cli, lines, "--org", "kommun", "--user", "k3"):
        assert "Kommunen ska ge god service till medborgarna" in reply, reply
