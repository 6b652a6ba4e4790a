"""Who the person is: "jag är förtroendevald i Västerås", "I'm a manager in Alingsås" set organisation
and role; the role question ("asks once") and the /profil command live here too."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from bot.types import ROLES, Choice, Reply
from intents.phrases import load, say
from knowledge.orgs import find_org, org_name
from knowledge.text import normalize

if TYPE_CHECKING:
    from bot.core import Context

NAME = "profile"
PREFIX = "profile:"
COMMANDS = ("/profil", "/profile", "profil", "profile", "min profil", "my profile")


@cache
def _data() -> dict[str, object]:
    return load(NAME)


def _padded(text: str) -> str:
    return " " + " ".join(normalize(text).replace(",", " ").replace(".", " ").replace("!", " ").split()) + " "


def find_role(text: str) -> str | None:
    """The role a self-description names, most specific first (group leader before elected)."""
    t = _padded(text)
    roles: dict[str, list[str]] = _data()["roles"]  # type: ignore[assignment]
    for role in ("group_leader", "elected", "manager", "employee"):
        for word in roles[role]:
            if f" {word} " in t or (role != "employee" and f" {word}" in t and len(word) > 6):
                return role
    return None


def _is_self_description(text: str) -> bool:
    t = _padded(text)
    cues: list[str] = _data()["cues"]  # type: ignore[assignment]
    return any(f" {c} " in t for c in cues) and len(t.split()) <= 12 and "?" not in text


def matches(ctx: Context) -> bool:
    t = " ".join(normalize(ctx.text).split())
    if t in COMMANDS:
        return True
    return _is_self_description(ctx.text) and (find_role(ctx.text) is not None or find_org(ctx.text) is not None)


def role_name(role: str | None, lang: str) -> str:
    names: dict[str, str] = (_data()[lang] or {})["role_names"]  # type: ignore[index]
    return names.get(role or "", say(NAME, "unknown_role", lang))


def role_choices(lang: str) -> tuple[Choice, ...]:
    """Buttons to set the role."""
    names: dict[str, str] = (_data()[lang] or {})["choice_names"]  # type: ignore[index]
    return tuple(Choice(names[r], f"{PREFIX}role:{r}") for r in ROLES)


async def save(ctx: Context, org: str | None = None, role: str | None = None) -> None:
    """Store organisation and/or role in the person's profile."""
    profile = replace(ctx.profile, org=org or ctx.profile.org, role=role or ctx.profile.role, lang=ctx.lang)
    await ctx.bot.store.save_profile(ctx.user_key, profile)
    ctx.profile = profile
    if org:
        ctx.org = org
    if role:
        ctx.role, ctx.role_known = role, True


def _confirm(ctx: Context, role: str | None) -> Reply:
    names = {"org": org_name(ctx.org, "sv"), "org_en": org_name(ctx.org, "en")}
    if role:
        text = say(NAME, "set", ctx.lang, role=role_name(role, ctx.lang), **names)
    else:
        text = say(NAME, "set_org", ctx.lang, **names)
    return Reply(text=text, intent=NAME, lang=ctx.lang, abstained=True)


async def handle(ctx: Context) -> list[Reply]:
    if " ".join(normalize(ctx.text).split()) in COMMANDS:
        return await on_choice(ctx, "show")
    org = find_org(ctx.text)
    role = find_role(ctx.text)
    if org and org not in ctx.bot.retriever.corpus.orgs():
        org = None
    await save(ctx, org=org, role=role)
    return [_confirm(ctx, role)]


async def on_choice(ctx: Context, value: str) -> list[Reply]:
    if value.startswith("role:") and value[5:] in ROLES:
        await save(ctx, role=value[5:])
        return [_confirm(ctx, value[5:])]
    text = say(
        NAME,
        "show",
        ctx.lang,
        org=org_name(ctx.org, "sv"),
        org_en=org_name(ctx.org, "en"),
        role=role_name(ctx.role, ctx.lang),
    )
    return [Reply(text=text, choices=role_choices(ctx.lang), intent=NAME, lang=ctx.lang, abstained=True)]


async def ask_role_once(ctx: Context) -> Reply | None:
    """When the role is unknown and has not been asked before: the question, with buttons."""
    if ctx.role_known or ctx.profile.asked_role:
        return None
    profile = replace(ctx.profile, asked_role=True, lang=ctx.lang)
    await ctx.bot.store.save_profile(ctx.user_key, profile)
    ctx.profile = profile
    text = say(NAME, "ask_role", ctx.lang, org=org_name(ctx.org, "sv"), org_en=org_name(ctx.org, "en"))
    return Reply(text=text, choices=role_choices(ctx.lang), intent=NAME, lang=ctx.lang, abstained=True)
