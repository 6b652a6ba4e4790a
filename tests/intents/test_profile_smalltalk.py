"""profile and smalltalk: telling the bot who you are (and it remembering), the role question asked
once, /profil, and short greetings, help and thanks in the person's language.

All through the front door: scripted `conductbot chat` transcripts and `ask --json`.
"""

from __future__ import annotations

import pytest
from conftest import Cli, transcript

ROLE_Q_SV = "Svaret kan bero på din roll"
ROLE_Q_EN = "The answer may depend on your role"
ROLE_CHOICES_SV = ("Anställd", "Chef", "Förtroendevald", "Gruppledare")
ROLE_CHOICES_EN = ("Employee", "Manager", "Elected official", "Group leader")

DRUNK_SV = "Min kollega verkar påverkad på jobbet, vem säger jag till?"
DRUNK_EN = "My colleague seems drunk at work, who do I tell?"
BULLIED_SV = "Jag blir mobbad, vem vänder jag mig till?"
ACCIDENT_SV = "Det hände en olycka på jobbet, vem ska jag rapportera till?"
BRIBES_SV = "Jag misstänker att en kollega tar emot mutor, vart vänder jag mig?"


def choice_line(labels: tuple[str, ...], first: int) -> str:
    """The terminal rendering of numbered choices, e.g. '[3] Anställd  [4] Chef ...'."""
    return "  ".join(f"[{first + i}] {label}" for i, label in enumerate(labels))


def is_group_leader_answer(reply: str) -> bool:
    return "Säg till din gruppledare" in reply and "meddela din gruppledare" in reply and "din chef" not in reply


def is_staff_answer(reply: str) -> bool:
    return "Säg till din chef" in reply and "meddela din chef" in reply and "gruppledare" not in reply


# -- profile -----------------------------------------------------------------------------------------


def test_self_description_sets_org_and_role_for_the_following_questions(cli: Cli) -> None:
    lines = [
        "jag är förtroendevald i Västerås",
        DRUNK_SV,
        "I'm a manager in Alingsås",
        DRUNK_EN,
        "/profil",
    ]
    set_elected, drunk_elected, set_manager, drunk_alingsas, show = transcript(cli, lines, "--user", "P1")
    assert "Västerås stads policyer för förtroendevalda" in set_elected
    # answered for an elected official in Västerås, with no --org or --role on the command line
    assert is_group_leader_answer(drunk_elected), drunk_elected
    assert "förtroendevalda i Västerås stad" in drunk_elected  # quotes the elected officials' code
    assert ROLE_Q_SV not in drunk_elected  # the role is known now: no role question
    assert "Alingsås Municipality's policies for managers" in set_manager
    # now answered from Alingsås's employee policy, never from Västerås's documents
    assert "Being under the influence of alcohol, drugs or other intoxicants" in drunk_alingsas
    assert "Medarbetarpolicy – Alingsås kommun" in drunk_alingsas
    assert "Västerås" not in drunk_alingsas and "group leader" not in drunk_alingsas
    # /profil shows the profile, with role choices
    assert "Alingsås" in show and ("för chefer" in show or "for managers" in show), show
    assert choice_line(ROLE_CHOICES_SV, 1) in show or choice_line(ROLE_CHOICES_EN, 1) in show, show


def test_profile_survives_a_restart_and_is_per_user(cli: Cli) -> None:
    first = transcript(cli, ["jag är förtroendevald i Västerås"], "--user", "P2")
    assert "förtroendevalda" in first[0]
    # a new process, same CONDUCTBOT_HOME, same user: remembers the role (and does not ask it)
    (again,) = transcript(cli, [DRUNK_SV], "--user", "P2")
    assert is_group_leader_answer(again), again
    assert ROLE_Q_SV not in again
    (shown,) = transcript(cli, ["/profil"], "--user", "P2")
    assert "Västerås stads policyer för förtroendevalda" in shown, shown
    # another user in the same data directory has no profile: default role, and the role question
    (other,) = transcript(cli, [DRUNK_SV], "--user", "P3")
    assert is_staff_answer(other), other
    assert ROLE_Q_SV in other


def test_role_asked_once_when_the_answer_depends_on_it(cli: Cli) -> None:
    lines = [DRUNK_SV, BULLIED_SV, ACCIDENT_SV]
    drunk, bullied, accident = transcript(cli, lines, "--org", "vasteras", "--user", "P4")
    # asked after the first role-dependent answer, with the four roles as choices (after 👍/👎)
    assert is_staff_answer(drunk), drunk
    assert ROLE_Q_SV in drunk and "Är du anställd/chef eller förtroendevald i Västerås stad?" in drunk
    assert choice_line(ROLE_CHOICES_SV, 3) in drunk, drunk
    # ... and not again, on the next role-dependent questions
    for reply in (bullied, accident):
        assert ROLE_Q_SV not in reply and "[3] Anställd" not in reply, reply
    assert "närmaste chef eller chefens chef" in bullied
    assert "Rapportera det till din chef med en gång" in accident
    # not after a restart either: the bot remembers it has asked
    (bribes,) = transcript(cli, [BRIBES_SV], "--org", "vasteras", "--user", "P4")
    assert "vasteras.se/visselblåsarfunktion" in bribes
    assert ROLE_Q_SV not in bribes


def test_role_not_asked_when_the_answer_does_not_depend_on_it(cli: Cli) -> None:
    for org in ("alingsas", "kommun"):
        (reply,) = transcript(cli, [DRUNK_SV], "--org", org, "--user", f"P5-{org}")
        assert "din chef" in reply and "HR" in reply, reply
        assert ROLE_Q_SV not in reply and "Anställd" not in reply, reply


def test_choosing_a_role_by_typing_its_number(cli: Cli) -> None:
    lines = [DRUNK_SV, "5", DRUNK_SV]
    asked, chosen, answered = transcript(cli, lines, "--org", "vasteras", "--user", "P6")
    assert "[5] Förtroendevald" in asked, asked
    assert "Västerås stads policyer för förtroendevalda" in chosen, chosen
    assert is_group_leader_answer(answered), answered
    assert ROLE_Q_SV not in answered


def test_profil_command_shows_the_profile_and_a_role_choice_by_label_changes_it(cli: Cli) -> None:
    lines = ["/profil", "Gruppledare", "/profil", DRUNK_SV]
    show, chosen, show_again, answered = transcript(cli, lines, "--org", "vasteras", "--user", "P7")
    assert "okänd roll" in show, show
    assert choice_line(ROLE_CHOICES_SV, 1) in show, show
    assert "för gruppledare" in chosen, chosen
    assert "Västerås stads policyer för gruppledare" in show_again, show_again
    assert is_group_leader_answer(answered), answered


def test_role_choice_in_an_english_conversation_is_confirmed_in_english(cli: Cli) -> None:
    lines = [DRUNK_EN, "Group leader", DRUNK_EN]
    asked, chosen, answered = transcript(cli, lines, "--org", "vasteras", "--user", "P8")
    assert ROLE_Q_EN in asked and choice_line(ROLE_CHOICES_EN, 3) in asked, asked
    assert "Tell your group leader" in answered, answered
    # the person wrote English and clicked an English button: the confirmation is English too
    assert "OK, I will answer from the City of Västerås's policies for group leaders" in chosen, chosen


# -- smalltalk ---------------------------------------------------------------------------------------

SMALLTALK = [
    ("hej", "greeting", "sv"),
    ("hello", "greeting", "en"),
    ("tack", "thanks", "sv"),
    ("thanks", "thanks", "en"),
    ("hjälp", "help", "sv"),
    ("help", "help", "en"),
]

# what the help text lists, per language: policy questions, whom to tell, the four questions, profile
CAN_DO = {
    "sv": ["fråga vad som gäller", "fråga vem du ska säga till", "de fyra frågorna", "berätta vem du är"],
    "en": ["ask what applies", "ask whom to tell", "the four questions", "tell me who you are"],
}
THANKS = {"sv": "Varsågod!", "en": "You're welcome!"}
GREETING = {"sv": "Hej! Jag är Bemötandeboten.", "en": "Hi! I'm Bemötandeboten"}
MENU = {"sv": "[1] Fyra frågor  [2] Min profil", "en": "[1] Four questions  [2] My profile"}


@pytest.fixture(scope="module")
def smalltalk_json(tmp_path_factory, session_index) -> list[dict]:
    c = Cli(tmp_path_factory.mktemp("smalltalk") / "home", session_index.cache)
    return c.batch([{"id": q, "q": q} for q, _, _ in SMALLTALK])


@pytest.mark.parametrize(("q", "intent", "lang"), SMALLTALK, ids=[q for q, _, _ in SMALLTALK])
def test_smalltalk_intent_and_language_in_json(smalltalk_json, q: str, intent: str, lang: str) -> None:
    out = next(o for o in smalltalk_json if o["id"] == q)
    assert out["intent"] == intent, out
    assert out["lang"] == lang, out
    assert out["citations"] == [] and out["abstained"] is True
    text = out["text"]
    assert len(text) < 700, "short"
    if intent == "thanks":
        assert text.startswith(THANKS[lang]), text
    else:
        for phrase in CAN_DO[lang]:
            assert phrase in text, text
        if intent == "greeting":
            assert text.startswith(GREETING[lang]), text


@pytest.mark.parametrize(
    ("lang", "lines"), [("sv", ["hej", "tack", "hjälp"]), ("en", ["hello", "thanks", "help"])], ids=["sv", "en"]
)
def test_smalltalk_in_chat_answers_briefly_in_the_language_used(cli: Cli, lang: str, lines: list[str]) -> None:
    greeting, thanks, helped = transcript(cli, lines, "--user", f"S-{lang}")
    assert greeting.startswith(GREETING[lang]), greeting
    assert MENU[lang] in greeting and MENU[lang] in helped
    for phrase in CAN_DO[lang]:
        assert phrase in greeting and phrase in helped, (greeting, helped)
    assert thanks.startswith(THANKS[lang]) and len(thanks) < 80, thanks
    assert "[1]" not in thanks


def test_help_menu_choice_opens_the_profile(cli: Cli) -> None:
    greeting, profile = transcript(cli, ["hej", "2"], "--org", "alingsas", "--user", "S-menu")
    assert "Alingsås kommuns bemötandekod" in greeting
    assert "Jag svarar nu utifrån Alingsås kommuns policyer" in profile, profile
    assert choice_line(ROLE_CHOICES_SV, 1) in profile
