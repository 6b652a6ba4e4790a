"""More conversations of issue 12's kinds through `conductbot chat`, from a blind set's first run: answers
that say more than yes or no, a follow-up opened with "ok" or naming a new word only, a visitor as the
one involved, a group leader who is the one reported, fraud told in everyday words, and the language kept
for one Swedish word in an English conversation."""

from __future__ import annotations

from conftest import Cli, transcript


def test_did_it_help_answered_with_more_than_yes_or_no(cli: Cli) -> None:
    lines = ["vad säger policyn om hur vi ska jobba med medarbetarskapet i min grupp",
             "nej det hjälpte inte riktigt, jag behöver typ konkreta övningar",
             "hur ska jag bemöta medborgarna?",
             "jaa tack, det var typ det jag behövde veta 👌"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "kommun", "--role", "employee", "--user", "f1")
    assert "HR får veta att svaret inte hjälpte" in replies[1], replies[1]
    assert "Så här står det" not in replies[1], "the verdict is not answered as a question"
    assert "Tack, skönt att höra!" in replies[3], replies[3]
    english = ["is it ok to vape outside the school during my break?",
               "not really, it doesnt say anything about vaping"]  # fmt: skip
    replies = transcript(cli, english, "--org", "alingsas", "--role", "employee", "--user", "f2")
    assert "HR learns that the answer did not help" in replies[1], replies[1]


def test_the_check_answered_in_sentences(cli: Cli) -> None:
    lines = ["är det okej att jag säljer min gamla bil till en brukares son? han frågade själv",
             "ja det tycker jag", "tja... ja det är väl etiskt antar jag", "ja det är lagligt",
             "nej det skulle nog se lite dåligt ut faktiskt"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "q1")
    assert "Fråga 1 av 4" in replies[0], replies[0]
    assert "Fråga 3 av 4" in replies[2], "a hesitation followed by a yes is a yes"
    assert "Fråga 4 av 4" in replies[3], replies[3]
    assert "Du svarade nej på ”Kommer det att återspegla" in replies[4], replies[4]
    assert "annan lösning" in replies[4], replies[4]


def test_a_follow_up_naming_only_a_new_word_is_not_small_talk(cli: Cli) -> None:
    lines = ["får man ta en öl till lunchen om man inte blir full?", "och cigg då?"]
    replies = transcript(cli, lines, "--org", "alingsas", "--role", "employee", "--user", "s1")
    assert "röka på arbetstid" in replies[1], replies[1]
    assert "Du kan till exempel" not in replies[1], "not the help text"


def test_a_visitor_as_the_one_involved_and_what_counts_as_harassment(cli: Cli) -> None:
    lines = ["a guy on my team keeps making comments about my hijab, like jokes but not really jokes",
             "and if it's a visitor saying it?", "what counts as harassment anyway"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "v1")
    assert "About visitors, service users and customers" in replies[1], replies[1]
    assert "även besökare, kunder" in replies[1], "the code's own sentence about visitors, quoted"
    assert "Trakasserier är ett agerande som kränker någons värdighet" in replies[2], replies[2]


def test_a_group_leader_who_is_the_one_reported(cli: Cli) -> None:
    lines = ["och om en ledamot tycker att det är jag som gruppledare som har kränkt henne, vem ska hon gå till?"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "group_leader", "--user", "g1")
    assert "Om det är du själv som gruppledare som anmäls" in reply, reply
    assert "partikollega" in reply, "what else the code says: ask a party colleague"


def test_fraud_in_everyday_words_after_an_answer_on_what_the_function_is_not_for(cli: Cli) -> None:
    lines = ["vill anmäla anonymt att min chef är en usel ledare, svarar aldrig på mejl",
             "ok men om han fifflar med tidrapporterna då?",
             "en anhörig på boendet vill ge mig ett presentkort på 500 spänn, får jag ta emot det?"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "w1")
    assert "hör inte hemma i visselblåsarfunktionen" in replies[0], replies[0]
    assert "visselblåsarfunktion" in replies[1] and "arbetstid" not in replies[1], replies[1]
    assert "muta" in replies[2] and "tjänsteresor" not in replies[2], replies[2]


def test_one_swedish_word_in_an_english_conversation_keeps_english(cli: Cli) -> None:
    lines = ["do i have to do performance reviews with my staff every year?", "ja", "och lönen då?"]
    replies = transcript(cli, lines, "--org", "alingsas", "--role", "manager", "--user", "l1")
    assert "Thanks, good to hear!" in replies[1], replies[1]
    assert "Så här står det" in replies[2], "three Swedish words with å/ä/ö are a clear signal"


def test_secrecy_told_as_without_them_knowing_starts_the_report(cli: Cli) -> None:
    lines = ["hur gör man om man vill tipsa om nåt fuffens utan att de vet att det är jag som sagt det"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "r1")
    assert "Skriv din rapport i nästa meddelande" in reply, reply


def test_a_follow_up_naming_ones_own_manager_after_a_question_on_bribes(cli: Cli) -> None:
    lines = ["har märkt att en på inköp fått massa dyra grejer av en leverantör, kan det va mutor?",
             "och om det är min egen chef som fått dem?"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "b1")
    assert "muta" in replies[0], replies[0]
    assert "Om det är din chef det gäller behöver du inte gå via din chef" in replies[1], replies[1]
    assert "visselblåsarfunktion" in replies[1] and "Ledarskap" not in replies[1], replies[1]


def test_a_colleagues_lateness_named_for_the_whistleblower_function_starts_no_report(cli: Cli) -> None:
    lines = ["i want to report my coworker anonymously through the whistleblower thing, she's always late"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "n1")
    assert "Write your report" not in reply, reply
    assert "Visselblåsarfunktionen ska inte användas" in reply, "what the function is not for, quoted"


def test_a_code_and_a_passphrase_of_words_typed_where_a_report_was_expected(cli: Cli) -> None:
    lines = ["hi, I filed an anonymous report a few weeks back, how do I see if anyone replied?",
             "VB-3MXD-8TQH hallon spjut kanel nio"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "p1")
    assert "case code (VB-XXXX-XXXX) and the passphrase" in replies[0], "no new report"
    assert "passphrase is wrong" in replies[1], replies[1]
    assert "send it?" not in replies[1], "a code is never taken as the report"


def test_asking_for_english_answers_the_last_question_again_in_english(cli: Cli) -> None:
    lines = ["vad menas med helhetssyn i medarbetarpolicyn?",
             "sorry, could you explain that in English? my Swedish isn't great yet"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "kommun", "--role", "employee", "--user", "e1")
    assert "Så här står det" in replies[0], replies[0]
    assert "politically governed organisation" in replies[1] and "Hjälpte det" not in replies[1], replies[1]
    # a Swedish role word clicked or typed in an English conversation keeps English
    lines = ["who should I talk to if someone at a committee meeting keeps belittling me?", "förtroendevald"]
    replies = transcript(cli, lines, "--org", "vasteras", "--user", "e2")
    assert "group leader" in replies[1] and "Okej" not in replies[1], replies[1]


def test_a_weapon_and_a_threat_and_a_bridge_get_help_first(cli: Cli) -> None:
    lines = ["det står en snubbe utanför verkstan med ett järnrör o skriker, har låst in mig i förrådet"]
    (reply,) = transcript(cli, lines, "--org", "alingsas", "--role", "employee", "--user", "c1")
    assert "112" in reply and "nolltolerans" not in reply, reply
    lines = ["some mornings i think about just driving the bus off the bridge and being done with it"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "c2")
    assert "90101" in reply and "Report it to your manager" not in reply, reply


def test_a_bribe_and_a_broken_lift_in_everyday_words(cli: Cli) -> None:
    lines = ["vendor rep hinted I'd get a 'finder's fee' if our team renews their license. what now?"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "k1")
    assert "whistleblower function" in reply and "do not cover fees" not in reply, reply
    lines = ["lyften på avd 4 har hackat i veckor o vi höll på att tappa en brukare igår"]
    (reply,) = transcript(cli, lines, "--org", "alingsas", "--role", "employee", "--user", "k2")
    assert "inget svar" not in reply and "Alingsås" in reply, reply
    lines = ["the guy at the depot sells diesel out of our tanks to his buddies for cash"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "k3")
    assert "whistleblower function" in reply and "don't cover it" not in reply, reply


def test_a_follow_up_in_a_new_place_gets_the_same_rule_and_a_definition_after_routing(cli: Cli) -> None:
    lines = ["can I smoke during lunch if I walk outside?", "what about right by the entrance of the town hall"]
    replies = transcript(cli, lines, "--org", "alingsas", "--role", "employee", "--user", "d1")
    assert "i anslutning till någon av kommunens byggnader" in replies[1], replies[1]
    lines = ["en kolega kallar mig lilla gumman inför eleverna hela tiden, vad gör jag", "är det mobbning då eller"]
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "d2")
    assert "Mobbning är upprepade kränkningar" in replies[1], replies[1]


def test_a_reminder_named_with_a_cadence_and_no_reminder_word_is_refused_as_a_duplicate(cli: Cli) -> None:
    lines = ["kan du påminna mig om medarbetarsamtalen en gång om året i oktober, måndagar kl 9",
             "lägg in medarbetarsamtal varje år i oktober kl 9 igen tack"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "alingsas", "--role", "manager", "--user", "m1")
    assert "Klart" in replies[0], replies[0]
    assert "Du har redan den påminnelsen" in replies[1], replies[1]
