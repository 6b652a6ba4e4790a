"""A new organisation from its documents alone: a corpus folder (front matter optional, no q:/en: lines,
no routing file) and an optional org.yaml are enough. The bot starts with only that folder, answers from
it, routes by the sentence of its own text that names whom to tell, declines what its documents do not
cover, answers English questions by quoting the Swedish text, and matches organisation names whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import transcript

GIFTS = """# Riktlinje mot mutor och jäv

## Gåvor och förmåner

Som anställd i Ekby kommun tar du inte emot gåvor, resor eller andra förmåner som kan påverka hur du utför
ditt arbete. En enkel blomma som tack från en brukare går bra.

## Jäv

Du får inte handlägga ett ärende där du själv, en närstående eller ett företag du har intressen i berörs.
Anmäl jäv till din närmaste chef innan ärendet handläggs.
"""

SAFETY = """---
title: Arbetsmiljöpolicy
---

## Säkerhet på arbetsplatsen

Tillbud och olyckor rapporteras samma dag till skyddsombudet och till din chef. Trasig utrustning tas ur
bruk direkt.

## Hälsa

Kommunen erbjuder friskvård och stöd från företagshälsovården för att medarbetarna ska må bra.
"""


@pytest.fixture
def ekby(cli, tmp_path: Path) -> Path:
    folder = tmp_path / "docs" / "ekby"
    folder.mkdir(parents=True)
    (folder / "riktlinje-mutor.md").write_text(GIFTS, encoding="utf-8")
    (folder / "arbetsmiljopolicy.md").write_text(SAFETY, encoding="utf-8")
    (folder / "org.yaml").write_text(
        "name: Ekby kommun\nname_en: Ekby Municipality\naliases: [ekby, ekby kommun]\n", encoding="utf-8"
    )
    cli.configure(corpus_dirs=[tmp_path / "docs"], default_org="ekby")
    return folder


def _ask(cli, items):
    return cli.batch([{"id": i, "org": "ekby", "role": "employee", "q": q} for i, q in enumerate(items)])


def test_the_bot_starts_and_answers_from_the_new_organisations_documents_only(cli, ekby):
    r = cli.run("index")
    assert r.returncode == 0, str(r)
    assert "ekby" in r.stdout and "vasteras" not in r.stdout, str(r)
    (gift,) = _ask(cli, ["Får jag ta emot en present från en leverantör?"])
    assert not gift["abstained"], gift
    assert "tar du inte emot gåvor" in gift["citations"][0]["text"], gift["citations"][:1]
    assert {c["doc"] for c in gift["citations"]} <= {"riktlinje-mutor", "arbetsmiljopolicy"}


def test_a_concern_its_documents_do_not_cover_is_declined_plainly(cli, ekby):
    drunk, sick = _ask(cli, ["min kollega kommer full till jobbet, vad gör jag?", "Hur sjukanmäler jag mig?"])
    assert drunk["abstained"] and "Ekby kommun" in drunk["text"] and "alkohol" in drunk["text"], drunk
    assert sick["abstained"] and "sjukfrånvaro" in sick["text"], sick
    assert not drunk["citations"] and not sick["citations"]


def test_whom_to_tell_is_the_sentence_of_its_own_text(cli, ekby):
    ladder, conflict = _ask(
        cli,
        [
            "vem ska jag säga till om en stege är trasig och någon kan skada sig?",
            "who do I tell about a conflict of interest in a case I handle?",
        ],
    )
    assert "skyddsombudet" in ladder["text"], ladder
    assert ladder["citations"][0]["doc"] == "arbetsmiljopolicy", ladder["citations"][:1]
    assert conflict["lang"] == "en", conflict
    assert "Anmäl jäv till din närmaste chef" in conflict["text"], conflict
    assert "quoted in Swedish" in conflict["text"], conflict


def test_an_english_question_is_answered_by_quoting_the_swedish_passage(cli, ekby):
    (a,) = _ask(cli, ["Can I accept a gift from a supplier?"])
    assert a["lang"] == "en" and not a["abstained"], a
    assert "quoted in Swedish" in a["text"] and "Riktlinje mot mutor och jäv" in a["text"], a
    assert "> Som anställd i Ekby kommun tar du inte emot gåvor" in a["text"], a


def test_organisation_names_match_whole_names(cli):
    out = cli.run("chat", stdin="jag jobbar i Alingsås\njag jobbar i Botkyrka kommun\n").stdout
    first, second = out.split("> jag jobbar i Botkyrka kommun")
    assert "Alingsås kommun" in first, out
    assert "kommunens" not in second.lower(), out  # "kommun" in "Botkyrka kommun" is not the unnamed municipality


def test_an_anonymous_report_where_no_function_exists_gets_what_the_documents_say(cli, ekby):
    # Ekby's own documents tell how to report anonymously; the bot takes no report for a function they lack
    (ekby / "visselblasning.md").write_text(
        "# Rapportera missförhållanden\n\n## Anonym rapport\n\nMisstänkta oegentligheter kan rapporteras anonymt "
        "i kommunens e-tjänst Ekby tipsar, som HR-avdelningen tar emot.\n",
        encoding="utf-8",
    )
    replies = transcript(cli, ["kan jag anmäla något anonymt?", "/anmäl"], "--user", "a1")
    assert "nämner ingen visselblåsarfunktion" in replies[0], replies[0]
    assert "Ekby tipsar" in replies[0], "the document's own way, quoted"
    assert "Ekby tipsar" not in replies[1] and "nämner ingen visselblåsarfunktion" in replies[1], replies[1]


def test_a_list_of_links_is_never_the_answer(cli, ekby):
    (ekby / "handbok-index.md").write_text(
        "# Personalhandbok\n\n## Vad du hittar i detta avsnitt\n\n"
        "- [Gåvor](/handbok/gavor) - Regler om gåvor och förmåner från leverantörer\n"
        "- [Jäv](/handbok/jav) - När du inte får handlägga ett ärende\n"
        "- [Säkerhet](/handbok/sakerhet) - Tillbud, olyckor och trasig utrustning\n",
        encoding="utf-8",
    )
    (gift, safety) = _ask(cli, ["får jag ta emot gåvor från en leverantör?", "var rapporterar jag ett tillbud?"])
    assert gift["citations"][0]["section"] == "Gåvor och förmåner", gift
    assert safety["citations"][0]["section"] == "Säkerhet på arbetsplatsen", safety
    cited = {c["section"] for a in (gift, safety) for c in a["citations"]}
    assert "Vad du hittar i detta avsnitt" not in cited, cited


WHISTLE = """# Visselblåsning

## Visselblåsarfunktionen

Ekby kommun har en visselblåsarfunktion som kan användas av den som misstänker korruption eller allvarliga
missförhållanden.

## Vad funktionen inte är till för

Visselblåsarfunktionen ska inte användas för synpunkter på ledarskap eller arbetsmiljö. Prata i första hand med
din chef om dessa synpunkter. Om det inte går, vänd dig till HR.
"""


def test_the_not_for_channels_and_the_function_are_read_from_the_text(cli, ekby):
    (ekby / "visselblasning.md").write_text(WHISTLE, encoding="utf-8")
    fraud, not_for = _ask(
        cli,
        [
            "jag misstänker att någon fuskar med fakturor, vem säger jag till?",
            "kan jag anmäla via visselblåsarfunktionen att min chef planerar dåligt?",
        ],
    )
    # the function's own sentence ("kan användas av den som misstänker ...") names the channel for fraud,
    # never the channel the text gives for what the function is not for
    said, told = (" ".join(a["text"].replace("> ", " ").split()) for a in (fraud, not_for))
    whole = "som kan användas av den som misstänker korruption eller allvarliga missförhållanden."
    assert whole in said, said  # the sentence whole, though the document wraps its line
    assert "dessa synpunkter" not in said, said
    assert "Prata i första hand med din chef om dessa synpunkter" in told, told
