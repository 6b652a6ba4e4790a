"""Conversations of issue 12's kinds through `conductbot chat`, from a blind set's remaining failures: asking
to see the passphrase again, a passphrase labelled "lösen" in a sentence, asking whom to ask in the middle
of the check, "vår gruppledare" and "hans chef" as the ones involved, a manager asking about their own
responsibility, a seat in "kf" where no document serves elected officials, a new question after "in English
please:", working time and gifts where the documents say nothing of them."""

from __future__ import annotations

from conftest import Cli, transcript


def test_the_passphrase_is_shown_only_once_and_a_computer_password_is_another_matter(cli: Cli) -> None:
    lines = ["vill lämna ett anonymt tips om en grej på parkförvaltningen",
             "Arbetsledaren tar hem kommunens motorsågar och hyr ut dem privat på helgerna.", "skicka",
             "kan du visa lösenfrasen en gång till? hann inte skriva ner den",
             "jag har glömt lösenordet till datorn"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "p1")
    assert "Din lösenfras:" in replies[2], replies[2]
    assert "visas bara en gång" in replies[3] and "kan inte visa dem igen" in replies[3], replies[3]
    assert "Din lösenfras:" not in replies[3], "never shown again"
    assert "visas bara en gång" not in replies[4] and "IT och utrustning" in replies[4], replies[4]


def test_a_code_and_a_passphrase_labelled_losen_in_a_sentence_are_tried(cli: Cli) -> None:
    lines = ["hej, skickade en anmälan förra veckan. kod VB-Q7MN-3KD8 lösen björk-kanel-fyra-moln. har de svarat nåt?"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--user", "p2")
    assert "Koden eller lösenfrasen stämmer inte" in reply, reply
    assert "björk-kanel" not in reply


def test_asking_whom_to_ask_in_the_middle_of_the_check(cli: Cli) -> None:
    lines = ["är det okej att jag tar hem överbliven mat från skolköket istället för att slänga den?",
             "ja", "ja", "vem kan jag fråga om jag inte vet om det är lagligt ens?"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "c1")
    assert "Fråga 3 av 4: Är det lagligt?" in replies[2], replies[2]
    assert "Om frågan ”Är det lagligt?”" in replies[3] and "säkerhetsansvarig" in replies[3], replies[3]
    assert "Vi var på fråga 3 av 4" in replies[3] and "Fråga 3 av 4: Är det lagligt?" in replies[3], (
        "a side question is not an answer: the same question is asked again"
    )


def test_our_group_leader_and_his_manager_as_the_ones_involved(cli: Cli) -> None:
    gl = ["vår gruppledare skäller ut mig inför hela gruppen när jag röstar fel. och enligt koden ska jag prata med… "
          "gruppledaren. ja tack"]  # fmt: skip
    (reply,) = transcript(cli, gl, "--org", "vasteras", "--role", "elected", "--user", "i1")
    assert "Om det är din gruppledare det gäller" in reply, reply
    assert "partikollega" in reply, "what else the code names"
    boss = ["förmannen (alltså min chef) kommer bakfull o luktar sprit varje måndag. det står ju att man ska säga "
            "till chefen men det är ju HAN", "och om hans chef är hans polare?"]  # fmt: skip
    replies = transcript(cli, boss, "--org", "vasteras", "--role", "employee", "--user", "i2")
    assert "Om det är din chef det gäller" in replies[0], replies[0]
    assert "Om det är chefens chef det gäller" in replies[1] and "HR" in replies[1], replies[1]


def test_a_manager_asking_about_their_own_responsibility(cli: Cli) -> None:
    lines = ["en i mitt arbetslag berättade just att en kollega kallar henne 'terroristen' pga hennes slöja. "
             "vad är mitt ansvar som chef här?"]  # fmt: skip
    (reply,) = transcript(cli, lines, "--org", "alingsas", "--role", "manager", "--user", "m1")
    assert "Som chef är det till dig medarbetaren vänder sig" in reply, reply
    assert "arbetar du förebyggande" in reply, "the section's own expectations of managers"


def test_a_seat_in_kf_and_a_new_question_after_in_english_please(cli: Cli) -> None:
    seat = ["sitter i kf för ett litet parti. gäller er medarbetarpolicy för mig?"]
    (kf,) = transcript(cli, seat, "--org", "alingsas")
    assert "gäller anställda och chefer" in kf and "förtroendevalda" in kf, kf
    lines = ["vad säger policyn om lönesamtal?",
             "ok cool. in English please: what does it say about developing my skills?"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "alingsas", "--role", "employee", "--user", "l1")
    assert "Lön och måluppfyllelse" in replies[0], replies[0]
    assert "skills" in replies[1] and "Pay and goal achievement" not in replies[1], "the new question, in English"


def test_working_time_and_gifts_where_the_documents_say_nothing_of_them(cli: Cli) -> None:
    q = cli.batch([
        {"id": "rast", "q": "hur lång rast har jag rätt till mellan turerna egentligen", "org": "vasteras"},
        {"id": "komp", "q": "får jag komp eller pengar för beredskapen i helgen?", "org": "kommun"},
        {"id": "gift", "q": "är det okej att jag tar emot ett presentkort på 500 kr från en låntagare?",
         "org": "kommun"},
        {"id": "cigg", "q": "får man ta en cigg på rasten bakom skolan om ingen ser", "org": "alingsas"},
        {"id": "names", "q": "a passenger keeps calling me names every morning on route 3, who do I tell?",
         "org": "vasteras", "role": "employee"},
    ])  # fmt: skip
    by = {a["id"]: a for a in q}
    assert by["rast"]["abstained"] and "arbetstid" in by["rast"]["text"], by["rast"]
    assert by["komp"]["abstained"] and "arbetstid" in by["komp"]["text"], by["komp"]
    assert by["gift"]["abstained"] and "gåvor" in by["gift"]["text"], by["gift"]
    assert not by["cigg"]["abstained"] and "röka på arbetstid" in by["cigg"]["text"], "the break is only when"
    assert "manager" in by["names"]["text"] and "About visitors" in by["names"]["text"], by["names"]


def test_someone_elses_self_harm_gets_help_first(cli: Cli) -> None:
    lines = ["min kollega sa att hon vill skada sig själv, she showed me cuts on her arm, vad gör jag??"]
    (reply,) = transcript(cli, lines, "--org", "alingsas", "--role", "employee", "--user", "h1")
    assert "112" in reply and "1177" in reply, reply
    assert "Så här står det" not in reply, "no policy quote"


def test_ok_after_an_explanation_in_the_check_asks_the_question_again(cli: Cli) -> None:
    lines = ["är det okej att ja tar emot ett presentkort på 500 spänn från dottern till en brukare?",
             "ja", "ja", "vänta, vem ska jag fråga om jag är osäker?", "ok", "nej"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "c2")
    assert "Fråga 3 av 4" in replies[3] and "säkerhetsansvarig" in replies[3], replies[3]
    assert "Fråga 3 av 4" in replies[4] and "Fråga 4 av 4" not in replies[4], "'ok' is not a yes here"
    assert "Du svarade nej på ”Är det lagligt?”" in replies[5], replies[5]


def test_a_self_description_answering_did_it_help_sets_the_role(cli: Cli) -> None:
    lines = ["någon skrek åt mig inför alla på mötet igår, vem ska jag prata med om sånt?",
             "nej jag är inte tjänsteperson, jag sitter i kultur-, idrotts- och fritidsnämnden för C"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--user", "r1")
    assert "HR får veta att svaret inte hjälpte" not in replies[1], "not a verdict"
    assert "förtroendevalda" in replies[1] and "gruppledare" in replies[1], replies[1]


def test_elected_officials_where_no_document_serves_them(cli: Cli) -> None:
    (new,) = transcript(cli, ["hej! nyvald i kommunfullmäktige, finns det nån bemötandekod för oss politiker?"],
                        "--org", "kommun", "--user", "e1")  # fmt: skip
    assert "gäller anställda och chefer" in new and "Medarbetarpolicy, avsnittet" not in new, new
    lines = ["I'm on the social services committee (socialnämnden) here, not staff. what does the code say about "
             "how we politicians should treat officials?",
             "ok so what does the employee policy say about respect then?"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "alingsas", "--user", "e2")
    assert "are for employees and managers" in replies[0], replies[0]
    assert "respekt" in replies[1] and "Som medarbetare i Alingsås kommun" in replies[1], replies[1]


def test_follow_ups_keep_the_kind_of_question_and_short_ones_the_topic(cli: Cli) -> None:
    lines = ["vad räknas som trakasserier egentligen", "och mobbning?", "vem anmäler man till"]
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "u1")
    assert "Mobbning är upprepade kränkningar" in replies[1] and "Tveka inte" not in replies[1], replies[1]
    assert "chef" in replies[2] and "Skriv din rapport" not in replies[2], "whom to tell, not a report"
    english = ["is it corruption if a supplier pays for my lunch?", "and what about jäv?", "where do i report it"]
    replies = transcript(cli, english, "--org", "vasteras", "--role", "employee", "--user", "u2")
    assert "jäv och förtroendeskadliga bisysslor" in replies[1], "the Swedish word names its concept"
    assert "whistleblower function" in replies[2], replies[2]


def test_another_persons_doing_is_not_the_askers_check(cli: Cli) -> None:
    lines = ["en av mina handläggare på bygglov sitter o handlägger sin svågers bygglov, är det ok eller??"]
    (reply,) = transcript(cli, lines, "--org", "vasteras", "--role", "manager", "--user", "k1")
    assert "Fråga 1 av 4" not in reply, reply
    assert "oegentligheter" in reply, reply


def test_regret_at_review_asks_to_discard_and_a_yes_with_words_confirms(cli: Cli) -> None:
    lines = ["jag skulle vilja göra en anonym anmälan om en sak på förskolan",
             "Förskolechefen tar hem matvaror från köket varje fredag och leverantören fakturerar för mer.",
             "Vet du vad, jag ångrar mig. Kasta utkastet, jag vill hellre prata med min chef först.",
             "ja, kasta det"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "d1")
    assert "Vill du kasta rapporten?" in replies[2] and "ångrar mig" not in replies[2], "not added to the draft"
    assert "Rapporten är kastad" in replies[3], replies[3]


def test_asking_how_it_works_before_reporting_and_a_code_keeps_english(cli: Cli) -> None:
    lines = ["if I send a report through the bot, how do I find out later what happened with it?",
             "ok, and if I lose the passphrase, can you just send me a new one?", "vb-7k3m-q9tx"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--user", "d2")
    assert "case code (VB-XXXX-XXXX) and the passphrase" in replies[0], replies[0]
    assert "shown only once" in replies[1], replies[1]
    assert "Type the passphrase for case VB-7K3M-Q9TX" in replies[2], "the code is in no language"


def test_long_answers_in_the_check_and_a_safety_matter_to_flag(cli: Cli) -> None:
    lines = ["Jag undrar lite grann om det är okej att ta emot ett presentkort från en brukares dotter som vill tacka",
             "Ja, det tror jag nog att det är, vi ska ju visa omtanke om varandra",
             "tja, det är väl inte direkt oetiskt att ta emot ett tack",
             "Ja, jag antar att det är lagligt, det är ju inga stora summor",
             "Nej, om det stod i tidningen skulle det nog inte se så bra ut för staden"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "vasteras", "--role", "employee", "--user", "d3")
    assert "Om frågan ”Är det etiskt?”" in replies[2] and "Fråga 3 av 4" in replies[2], replies[2]
    assert "Fråga 4 av 4" in replies[3], replies[3]
    assert "Du svarade nej på ”Kommer det att återspegla" in replies[4], replies[4]
    flag = ["the fire door on the ground floor has been jammed for weeks and the ladder is wobbly. is that something "
            "I should flag?"]  # fmt: skip
    (reply,) = transcript(cli, flag, "--org", "vasteras", "--role", "employee", "--user", "d4")
    assert "Report it to your manager" in reply and "Question 1 of 4" not in reply, reply


def test_a_follow_up_asking_what_managers_must_do_stays_in_the_section(cli: Cli) -> None:
    lines = ["are there any rules on smoking for those of us working nights in home care?",
             "and what about alcohol?", "and what is expected of managers there?"]  # fmt: skip
    replies = transcript(cli, lines, "--org", "alingsas", "--role", "employee", "--user", "f3")
    assert "Working environment and health" in replies[2] and "systematiskt arbetsmiljöarbete" in replies[2], replies[2]
