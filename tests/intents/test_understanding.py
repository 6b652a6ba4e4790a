"""Conversations of issue 12's kinds through `conductbot chat`: the receiver of a report, a role stated in
a question, concerns found by their concept, goodbyes, and reminder confirmations in words."""

from __future__ import annotations

from conftest import Cli, transcript


def test_a_group_leader_told_of_a_drunk_member_is_not_told_to_tell_the_group_leader(cli: Cli) -> None:
    (reply,) = transcript(cli, ["a member of my group showed up tipsy at the council meeting, what now?"],
                          "--org", "vasteras", "--role", "group_leader", "--user", "u1")  # fmt: skip
    assert "As a group leader, you are the one who should be told" in reply, reply
    assert "Tell your group leader" not in reply, reply
    assert "Uppföljning omkring 2 gånger per år" in reply  # the code's passage on the group leader's role


def test_a_manager_hearing_of_harassment_gets_the_managers_part(cli: Cli) -> None:
    (reply,) = transcript(cli, ["en i mitt team säger att hon blir trakasserad av en kollega, vad gör jag"],
                          "--org", "vasteras", "--role", "manager", "--user", "u2")  # fmt: skip
    assert "Som chef är det till dig medarbetaren vänder sig" in reply, reply


def test_an_elected_official_stated_in_a_question_where_there_are_no_elected_documents(cli: Cli) -> None:
    (reply,) = transcript(cli, ["hej, jag är ledamot i fullmäktige, vad säger policyn om sociala medier?"],
                          "--org", "kommun", "--user", "u3")  # fmt: skip
    assert "förtroendevalda" in reply and "Kommunen ska" not in reply, reply


def test_a_concern_told_without_the_routing_files_words_is_routed_by_its_concept(cli: Cli) -> None:
    (reply,) = transcript(cli, ["en kollega skämtar hela tiden om min hudfärg, vad ska jag göra"],
                          "--org", "vasteras", "--role", "employee", "--user", "u4")  # fmt: skip
    assert "chef" in reply and "diskriminering" in reply.lower(), reply


def test_goodbye_in_the_conversations_language(cli: Cli) -> None:
    replies = transcript(cli, ["what does the code say about gifts from suppliers", "bye"],
                         "--org", "vasteras", "--role", "employee", "--user", "u5")  # fmt: skip
    assert "Bye, take care" in replies[1], replies[1]


def test_a_reminder_confirmation_names_its_month(cli: Cli) -> None:
    lines = [
        "påminn mig om lönesamtalen varje år i november",
        "remind me about the salary talks every year in november",
    ]
    replies = transcript(cli, lines, "--org", "alingsas", "--role", "manager", "--user", "u6")
    assert "en gång per år i november" in replies[0], replies[0]
    assert "redan" in replies[1].lower() or "already" in replies[1].lower(), replies[1]


def test_a_role_said_right_after_an_answer_gets_the_question_answered_again(cli: Cli) -> None:
    replies = transcript(cli, ["min kollega verkar ha druckit innan passet, vem säger jag till?",
                               "jag är inte chef, jobbar som undersköterska"],
                         "--org", "vasteras", "--user", "u7")  # fmt: skip
    assert "policyer för medarbetare" in replies[1], replies[1]
    assert "meddela din chef" in replies[1], "the question answered again for the role just stated"


def test_a_follow_up_about_ones_own_conduct_gets_the_rule_for_oneself(cli: Cli) -> None:
    replies = transcript(cli, ["vad gäller om en kollega dyker upp bakfull och luktar sprit?",
                               "och om det är jag själv som har druckit kvällen innan då?"],
                         "--org", "vasteras", "--role", "employee", "--user", "u8")  # fmt: skip
    assert "Du har ett ansvar att inte själv komma påverkad" in replies[1], replies[1]
    assert "hittar jag inget svar" not in replies[1]


def test_asking_to_use_the_whistleblower_function_for_one_persons_hr_matter(cli: Cli) -> None:
    (reply,) = transcript(cli, ["en medarbetare kommer alltid för sent och är otrevlig mot alla, kan jag "
                                "anmäla det till visselblåsarfunktionen?"],
                          "--org", "vasteras", "--role", "manager", "--user", "u9")  # fmt: skip
    assert "ska inte användas för generella synpunkter" in reply, reply
    assert "Anonym rapport via boten" not in reply, "what the function is not for is not offered as a report"


def test_asking_how_to_use_the_whistleblower_function_is_offered_the_report(cli: Cli) -> None:
    (reply,) = transcript(cli, ["hur anmäler jag något till visselblåsarfunktionen?"],
                          "--org", "vasteras", "--role", "employee", "--user", "u10")  # fmt: skip
    assert "Anonym rapport via boten" in reply, reply


def test_a_wrong_passphrase_of_another_shape_is_refused_not_asked_for_again(cli: Cli) -> None:
    replies = transcript(cli, ["I got case VB-3KDP-8WRT earlier, did anyone answer?", "moss-lantern-quartz-elk"],
                         "--org", "vasteras", "--user", "u11")  # fmt: skip
    assert "passphrase" in replies[0].lower(), replies[0]
    assert "passphrase is wrong" in replies[1], replies[1]


def test_a_passphrase_named_in_a_sentence_is_taken_as_one_and_not_kept(cli: Cli) -> None:
    replies = transcript(cli, ["min lösenfras är ljung-kanot-vimpel-frost men vad var koden nu", "VB-P2MN-8TRC"],
                         "--org", "vasteras", "--user", "u12")  # fmt: skip
    assert "lösenfras" in replies[0] and "ärendekoden" in replies[0], replies[0]
    assert "stämmer inte" in replies[1], replies[1]
    kept = b"".join(f.read_bytes() for f in cli.home.rglob("*") if f.is_file())
    assert b"ljung-kanot" not in kept, "the passphrase is stored nowhere"


def test_slang_no_cue_word_knows_keeps_the_conversations_language(cli: Cli) -> None:
    replies = transcript(cli, ["who do I tell if a coworker seems drunk?", "nah not really tbh"],
                         "--org", "vasteras", "--role", "employee", "--user", "u13")  # fmt: skip
    assert "Thanks" in replies[1] and "Tack" not in replies[1], replies[1]


def test_a_manager_asking_what_is_expected_of_them_gets_the_managers_section(cli: Cli) -> None:
    (reply,) = transcript(cli, ["vad förväntas av mig enligt bemötandekoden?"],
                          "--org", "vasteras", "--role", "manager", "--user", "u14")  # fmt: skip
    assert "arbetsgivarrepresentant" in reply, reply


def test_a_role_in_brackets_with_a_negation_is_read_in_an_organisation_without_its_documents(cli: Cli) -> None:
    (reply,) = transcript(cli, ["I'm on the council (elected, not staff). does ur policy say anything about how"
                                " we should treat the officials?"], "--org", "kommun", "--user", "u15")  # fmt: skip
    assert "nothing about elected officials here" in reply, reply
    assert "Employee policy" not in reply, "no employee rule quoted for a politician"


def test_a_short_follow_up_keeps_the_topic(cli: Cli) -> None:
    replies = transcript(cli, ["do i really have to do yearly 1on1s w everyone on my team?", "and the salary stuff?"],
                         "--org", "alingsas", "--role", "manager", "--user", "u16")  # fmt: skip
    assert "genomför du årligen medarbetarsamtal" in replies[0], replies[0]
    assert "lönesättningen" in replies[1] and "do not answer" not in replies[1], replies[1]


def test_an_english_follow_up_about_oneself_gets_the_rule_for_oneself_in_english(cli: Cli) -> None:
    replies = transcript(cli, ["pretty sure a coworker is high at work sometimes, who do i tell",
                               "and what if it's me who's got a problem with booze?"],
                         "--org", "vasteras", "--role", "employee", "--user", "u17")  # fmt: skip
    assert "inte själv komma påverkad" in replies[1], replies[1]
    assert "Så här står det" not in replies[1] and "Did that help?" in replies[1], "the answer stays in English"


def test_a_name_inside_the_message_does_not_hide_the_topic(cli: Cli) -> None:
    (reply,) = transcript(cli, ["en kollega på avdelningen, Bengtolof Sjöqvist, verkar ha druckit innan passet,"
                                " vem säger jag till"], "--org", "vasteras", "--role", "employee",
                          "--user", "u18")  # fmt: skip
    assert "meddela din chef" in reply, reply


def test_the_whistleblower_function_named_for_a_colleagues_sick_leave_starts_no_report(cli: Cli) -> None:
    (reply,) = transcript(cli, ["ska jag visselblåsa om att min kollega alltid sjukskriver sig på fredagar?"],
                          "--org", "vasteras", "--role", "employee", "--user", "u19")  # fmt: skip
    assert "HR-frågor kopplade till enskilda medarbetare" in reply and "Prata i första hand med din chef" in reply
    assert "Skriv din rapport" not in reply and "Anonym rapport via boten" not in reply, reply


def test_wellness_is_answered_where_the_documents_name_it_and_declined_where_not(cli: Cli) -> None:
    (yes,) = transcript(cli, ["finns det friskvårdsbidrag?"], "--org", "alingsas", "--role", "employee",
                        "--user", "u20")  # fmt: skip
    assert "regelbunden friskvård" in yes, yes
    (no,) = transcript(cli, ["kan man träna en timme på arbetstid nån gång i veckan?"], "--org", "vasteras",
                       "--role", "employee", "--user", "u21")  # fmt: skip
    assert "friskvård" in no and ">" not in no, "declined, naming the matter, with no quote"


def test_my_own_group_leader_as_the_one_involved_gets_what_else_the_code_says(cli: Cli) -> None:
    replies = transcript(cli, ["en ledamot från ett annat parti kallade mig lilla gumman på nämndmötet igår. igen.",
                               "och om det är min egen gruppledare som säger så?"],
                         "--org", "vasteras", "--role", "elected", "--user", "u22")  # fmt: skip
    assert "partikollega" in replies[1], replies[1]


def test_the_function_named_for_a_work_environment_matter_says_what_it_is_not_for(cli: Cli) -> None:
    (reply,) = transcript(cli, ["tänkte anmäla via visselblåsarfunktionen att det är 31 grader på kontoret och"
                                " ventilationen varit trasig sen maj"], "--org", "vasteras", "--role", "employee",
                          "--user", "u23")  # fmt: skip
    assert "till din chef" in reply and "ska inte användas för generella synpunkter" in reply, reply
    assert "Anonym rapport via boten" not in reply and "Skriv din rapport" not in reply, reply


def test_a_lukewarm_yes_in_the_check_moves_on(cli: Cli) -> None:
    replies = transcript(cli, ["can we do the four questions", "yes", "i guess"],
                         "--org", "vasteras", "--role", "employee", "--user", "u24")  # fmt: skip
    assert "Question 3 of 4" in replies[2], replies[2]
