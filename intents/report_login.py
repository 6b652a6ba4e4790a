"""The reporter's anonymous follow-up: code and passphrase, the case's answers, added information; and the
handlers' replies written in a case's channel thread.

A case code or a passphrase typed alone is recognised (never answered or kept as a question) and the bot
asks for the other half, keeping the first only in memory. After a login, the reporter's next free text
is taken as information to add: the bot shows it and asks once whether to add it; it reaches the case
sealed and nothing else. A closed or locked case gets a clear message and nothing is kept.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import TYPE_CHECKING

from bot.cases import CaseError
from bot.types import Choice, Reply
from intents import answers
from intents.phrases import load, say
from intents.report_flow import (
    NAME,
    NAMED,
    PREFIX,
    begin,
    check_report,
    clean,
    code_in,
    end,
    flow,
    max_chars,
    passphrase_in,
    reply,
    typed_in_chat,
)
from knowledge.text import is_stop

if TYPE_CHECKING:
    from bot.core import Bot, Context

STEPS = ("login", "passphrase", "code", "case", "add", "add_review")
CHOICES = ("add", "add_yes", "done")


async def login(ctx: Context, code: str, phrase: str | None) -> list[Reply]:
    """Open a case with its code and passphrase; ask for the passphrase when only the code was given."""
    if phrase is None or typed_in_chat(ctx):
        # off the terminal the passphrase goes in the form, never in the chat history
        begin(ctx, "passphrase", code=code)
        key = "ask_passphrase_form" if ctx.incoming.platform != "cli" else "ask_passphrase"
        return [reply(ctx, say(NAME, key, ctx.lang, code=code), ask="passphrase")]
    try:
        key = await ctx.bot.cases.unlock(code, phrase)
    except CaseError as exc:
        end(ctx)
        if str(exc) != "locked":  # "try again": the next few words typed are tried as the passphrase
            begin(ctx, "passphrase", code=code, retry=True)
        return [reply(ctx, say(NAME, "locked" if str(exc) == "locked" else "bad_login", ctx.lang))]
    info = await ctx.bot.cases.info(code)
    if info is None:
        end(ctx)
        return [reply(ctx, say(NAME, "bad_login", ctx.lang))]
    statuses: dict[str, str] = load(NAME)[ctx.lang]["statuses"]
    lines = [say(NAME, "case_status", ctx.lang, code=code, status=statuses.get(info.status, info.status))]
    messages = await ctx.bot.cases.messages_for_reporter(code, key)
    for author, when, text in messages[1:]:
        head = say(NAME, "from_handler" if author == "handler" else "from_you", ctx.lang, date=_day(when))
        lines.append(f"{head}\n" + "\n".join("> " + x for x in text.splitlines()))
    if not any(m[0] == "handler" for m in messages):
        lines.append(say(NAME, "no_answers", ctx.lang))
    if info.status == "closed":
        end(ctx)
        lines.append(say(NAME, "closed_case", ctx.lang))
        return [reply(ctx, "\n\n".join(lines))]
    begin(ctx, "case", code=code)
    lines.append(say(NAME, "case_next", ctx.lang))
    choices = (
        Choice(say(NAME, "add_choice", ctx.lang), f"{PREFIX}add"),
        Choice(say(NAME, "done_choice", ctx.lang), f"{PREFIX}done"),
    )
    return [reply(ctx, "\n\n".join(lines), choices)]


def typed_beside(text: str, code: str) -> str | None:
    """The passphrase typed in a message beside its case code, if any."""
    if code:
        text = re.sub(r"(?:VB[\s-]?)?" + re.escape(code[3:]).replace("\\-", "[\\s-]"), " ", text, flags=re.I)
    found = passphrase_in(text.strip())
    if found:
        return found.group(0).strip()
    # a few words of no sentence beside the code ("VB-3MXD-8TQH hallon spjut kanel nio"): tried as the passphrase
    words = text.split()
    if code and 2 <= len(words) <= 8 and "?" not in text and not any(is_stop(w.lower()) for w in words):
        return " ".join(words)
    return None


def _typed_phrase(text: str) -> str | None:
    """What was typed when the passphrase was asked for: a passphrase of any shape, or a few words (tried,
    and refused like any wrong passphrase); None for a sentence, which is asked again."""
    found = typed_beside(text, "")
    if found:
        return found
    words = text.split()
    if not 2 <= len(words) <= 8 or "?" in text or answers.read(text) is not None:
        return None  # a question, or an answer such as "ok strunt i det", is not a passphrase
    return " ".join(words)


async def passphrase_alone(ctx: Context) -> list[Reply]:
    """A passphrase with no case code: ask for the code (the passphrase stays in memory only)."""
    match = passphrase_in(ctx.text)
    if typed_in_chat(ctx) or match is None:
        end(ctx)
        return [reply(ctx, say(NAME, "passphrase_not_in_chat", ctx.lang))]
    begin(ctx, "code", passphrase=match.group(0).strip())
    return [reply(ctx, say(NAME, "ask_code", ctx.lang))]


async def on_text(ctx: Context, step: str) -> list[Reply] | None:
    """Text at one of the follow-up's steps; None when, told how to return to a case, the person says
    something else (then handled as any message)."""
    state = flow(ctx)
    text = ctx.text
    if step == "login":  # told how to read a case's answers: the code (and passphrase) are expected
        code = code_in(text)
        if code is not None:
            return await login(ctx, code, typed_beside(text, code))
        if passphrase_in(text):
            return await passphrase_alone(ctx)
        end(ctx)
        return None
    if step == "passphrase":
        if typed_in_chat(ctx):
            return [reply(ctx, say(NAME, "passphrase_not_in_chat", ctx.lang), ask="passphrase", error=True)]
        # a passphrase of another shape ("otter-lantern-cobalt", "purple otter lamp") is tried, and
        # fails, like any wrong one
        code = code_in(text)
        if code is not None:  # another code (and passphrase) typed instead
            return await login(ctx, code, typed_beside(text, code))
        phrase = _typed_phrase(text)
        if phrase is None and state.get("retry"):
            if NAMED.search(text) or re.search(r"\b(?:kod\w*|code)\b", text, re.I):  # "how does it work again?"
                begin(ctx, "login")
                return [reply(ctx, say(NAME, "how_to_return", ctx.lang))]
            end(ctx)  # after a wrong try, a sentence is a new message, not another try
            return None
        return await login(ctx, str(state["code"]), phrase)
    if step == "code":
        code = code_in(text)
        if code is None:
            end(ctx)
            return [reply(ctx, say(NAME, "no_code", ctx.lang))]
        return await login(ctx, code, typed_beside(str(state["passphrase"]), ""))
    if step == "case":
        said = answers.read(text)
        if said in ("no", "cancel"):
            return await on_choice(ctx, "done")
        if said == "yes" and not state.get("addition"):
            return await on_choice(ctx, "add")
        return [await _propose(ctx, text)]
    if step == "add":  # asked for with "Lägg till information": added at once
        return await _add_now(ctx, text)
    # add_review: the addition is shown and the bot asked whether to add it
    said = answers.read(text)
    if said == "yes":
        return await on_choice(ctx, "add_yes")
    if said in ("no", "cancel"):
        state.update(step="case", addition=None)
        return [reply(ctx, say(NAME, "not_added", ctx.lang))]
    return [await _propose(ctx, f"{state.get('addition') or ''}\n\n{text}")]


async def _add_now(ctx: Context, text: str) -> list[Reply]:
    if typed_in_chat(ctx):
        return [reply(ctx, say(NAME, "not_in_chat", ctx.lang), ask="addition", error=True)]
    problem = check_report(text)
    if problem:
        msg = say(NAME, problem, ctx.lang, n=len(clean(text)), max=max_chars())
        return [reply(ctx, msg, ask="addition", error=True)]
    flow(ctx)["addition"] = clean(text)
    return await on_choice(ctx, "add_yes")


async def _propose(ctx: Context, text: str) -> Reply:
    """Show what would be added to the case and ask once."""
    if typed_in_chat(ctx):
        return reply(ctx, say(NAME, "not_in_chat", ctx.lang), ask="addition", error=True)
    problem = check_report(text)
    if problem:
        return reply(ctx, say(NAME, problem, ctx.lang, n=len(clean(text)), max=max_chars()), ask="addition", error=True)
    state = flow(ctx)
    state.update(step="add_review", addition=clean(text))
    quoted = "\n".join("> " + line for line in clean(text).splitlines())
    choices = (
        Choice(say(NAME, "add_yes", ctx.lang), f"{PREFIX}add_yes"),
        Choice(say(NAME, "add_no", ctx.lang), f"{PREFIX}done"),
    )
    return reply(ctx, say(NAME, "add_confirm", ctx.lang, code=state["code"]) + "\n\n" + quoted, choices)


async def on_choice(ctx: Context, value: str) -> list[Reply]:
    state = flow(ctx)
    if not state.get("code"):
        end(ctx)
        return [reply(ctx, say(NAME, "cancelled", ctx.lang))]
    code = str(state["code"])
    if value == "done":
        end(ctx)
        return [reply(ctx, say(NAME, "done", ctx.lang))]
    info = await ctx.bot.cases.info(code)
    if info is None or info.status == "closed":
        end(ctx)
        return [reply(ctx, say(NAME, "closed_case", ctx.lang))]
    if value == "add":
        state["step"] = "add"
        return [reply(ctx, say(NAME, "add_write", ctx.lang), ask="addition")]
    addition = str(state.get("addition") or "")
    if value == "add_yes" and addition:
        low, high = ctx.bot.settings.report_delay_seconds
        try:
            await ctx.bot.cases.add_from_reporter(code, addition, random.uniform(low, high))
        except CaseError:
            end(ctx)
            return [reply(ctx, say(NAME, "closed_case", ctx.lang))]
        end(ctx)
        return [reply(ctx, say(NAME, "added", ctx.lang, code=code))]
    end(ctx)
    return [reply(ctx, say(NAME, "cancelled", ctx.lang))]


def _day(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d")


async def handler_reply(bot: Bot, code: str, text: str, lang: str, via: str = "chat") -> list[str]:
    """A handler's reply in a case's channel thread: status commands applied, the rest stored for the
    reporter (encrypted to them). Returns the notes to post back in the thread."""
    body = text.strip()
    notes: list[str] = []
    for status, words in load(NAME).get("handler_commands", {}).items():
        for word in words:
            pattern = rf"(?<!\S){re.escape(word)}(?!\S)"
            if re.search(pattern, body, re.I):
                body = re.sub(pattern, "", body, flags=re.I).strip()
                await bot.cases.set_status(code, status, via=via)
                statuses: dict[str, str] = load(NAME)[lang]["statuses"]
                notes.append(say(NAME, "handler_status", lang, code=code, status=statuses.get(status, status)))
    if body:
        await bot.cases.answer(code, body, via=via)
        notes.append(say(NAME, "handler_saved", lang, code=code))
    return notes
