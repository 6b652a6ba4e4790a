"""What the anonymous report's steps share: the flow's state in memory, its private replies, the sealed
copy of that state a report form carries, and the checks on what a person writes.

The state (the draft above all) lives only in the bot's memory (`Bot.ephemeral`), never in the database.
On Slack and Teams the text is written in a private form (a modal, a card); each reply of the flow
carries `meta["flow_token"]`, the state sealed with the bot's local key, which the form sends back, so
that a form submitted after a restart is still taken as the report it is. Nothing is stored before the
person sends.
"""

from __future__ import annotations

import base64
import json
import re
import time
import unicodedata
import zlib
from typing import TYPE_CHECKING, Any

import nacl.exceptions

from bot.types import Choice, Citation, Reply
from intents.phrases import load

if TYPE_CHECKING:
    from bot.core import Context

NAME = "anonymous_report"
PREFIX = "report:"
CODE = re.compile(r"\bVB-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}\b", re.I)
# ... with its prefix but spaces for hyphens ("vb m2qx 5rtn"): a code anywhere when a group holds a digit
_SPACED_CODE = re.compile(r"(?<![\w-])VB[\s-]+([A-HJ-NP-Z2-9]{4})[\s-]+([A-HJ-NP-Z2-9]{4})(?![\w-])", re.I)
_DASHES = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"})
# a case code typed without its prefix ("H3KD-9WQX", "vb 7k3m q9tx"): taken as a code only when the
# message is little more than that, and the groups hold a digit (so "TACK-SMAK" is not a code)
_BARE_CODE = re.compile(r"(?<![\w-])(?:VB[\s-]?)?([A-Z0-9]{4})[\s-]([A-Z0-9]{4})(?![\w-])", re.I)
# the bot's passphrases are five groups of five from a 32-letter alphabet; a mistyped one (a 0 or an 1)
# is still recognised as a passphrase, so that it is never treated (and kept) as a question
PASSPHRASE = re.compile(r"(?<![\w-])[a-z0-9]{5}(?:-[a-z0-9]{5}){4}(?![\w-])", re.I)
# a whole message shaped like a passphrase of another kind (words or groups joined by hyphens or dots,
# "granit-svala-molnig-kaffe"): read as a passphrase typed in the wrong place, never as a question
LOOSE_PASSPHRASE = re.compile(r"^\s*[^\W_]{2,12}(?:[-.][^\W_]{2,12}){2,7}\s*$")
# ... or such a chain inside a sentence that names it ("min lösenfras är hallon-trappa-moln, vad var koden?")
_CHAIN = re.compile(r"(?<![\w.-])[^\W_]{2,12}(?:[-.][^\W_]{2,12}){2,7}(?![\w-])")
NAMED = re.compile(r"\b(?:lösen|lösenfras\w*|lösenord\w*|passfras\w*|passphrase\w*|pass phrase|password|pw)\b", re.I)


def code_in(text: str) -> str | None:
    """The case code in a message as `VB-XXXX-XXXX`: with its prefix anywhere, or without it when the
    message is the code (and perhaps its passphrase) with at most two words around it; None otherwise."""
    text = text.translate(_DASHES)  # "VB–9KPD–3HXW" typed with en dashes
    found = CODE.search(text)
    if found:
        return found.group(0).upper()
    spaced = _SPACED_CODE.search(text)
    if spaced and any(c.isdigit() for c in spaced.group(1) + spaced.group(2)):
        return f"VB-{spaced.group(1)}-{spaced.group(2)}".upper()
    bare = _BARE_CODE.search(text)
    if bare is None or not any(c.isdigit() for c in bare.group(1) + bare.group(2)):
        return None
    rest = text.replace(bare.group(0), " ")
    phrase = passphrase_in(rest)
    if phrase is not None:
        rest = rest.replace(phrase.group(0), " ")
    if len(rest.split()) > 2:
        return None
    return f"VB-{bare.group(1)}-{bare.group(2)}".upper()


def passphrase_in(text: str) -> re.Match[str] | None:
    """The passphrase in a message: the bot's kind anywhere, a chain of words as the whole message, or a
    chain of words in a sentence that calls it a passphrase; None when there is none."""
    found = PASSPHRASE.search(text) or LOOSE_PASSPHRASE.match(text)
    if found is None and NAMED.search(text):
        found = _CHAIN.search(text)
    return found


MENTION = re.compile(r"<[!@#]|@(?:here|channel|everyone)\b|<at>|</at>", re.I)
BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
TOKEN_SECONDS = 6 * 3600  # a form left open longer than this must be started again


def flow(ctx: Context) -> dict[str, Any]:
    """The flow's state for this conversation (empty when no report is under way)."""
    return ctx.bot.ephemeral.get(ctx.conv_key, {})


def begin(ctx: Context, step: str, **values: Any) -> dict[str, Any]:
    """Start (or restart) the flow at `step`, in the conversation's language."""
    state = {"flow": NAME, "step": step, "lang": ctx.lang, **values}
    ctx.bot.ephemeral[ctx.conv_key] = state
    return state


def end(ctx: Context) -> None:
    ctx.bot.ephemeral.pop(ctx.conv_key, None)


def reply(
    ctx: Context,
    text: str,
    choices: tuple[Choice, ...] = (),
    cites: tuple[Citation, ...] = (),
    ask: str | None = None,
    error: bool = False,
) -> Reply:
    """A private reply of this flow. `ask` names the free text it waits for (`report`, `passphrase`,
    `addition`): chat platforms collect that in a form rather than in the message history; `error` marks a
    reply that rejects what was written, so the form can show it. Off the terminal, the reply carries the
    flow's sealed state for the form to send back."""
    meta: dict[str, object] = {}
    if ask:
        meta["input"] = ask
    if error:
        meta["error"] = True
    state = flow(ctx)
    if state and ctx.incoming.platform != "cli":
        meta["flow_token"] = seal(ctx, state)
    return Reply(
        text=text, choices=choices, citations=cites, private=True, intent=NAME, lang=ctx.lang, abstained=True, meta=meta
    )


def seal(ctx: Context, state: dict[str, Any]) -> str:
    """The flow's state, sealed with the bot's local key, with an expiry."""
    raw = json.dumps({"s": state, "exp": time.time() + TOKEN_SECONDS, "c": ctx.conv_key}, ensure_ascii=False)
    packed = zlib.compress(raw.encode(), 9)  # compressed first: a form's metadata is small (Slack: 3,000 characters)
    return base64.urlsafe_b64encode(ctx.bot.cases.keys.local_box().encrypt(packed)).decode()


def resume(ctx: Context) -> bool:
    """Restore the flow from the token a form sent back, when memory has lost it (a restart). True if restored."""
    token = ctx.incoming.flow_token
    if not token or flow(ctx):
        return bool(flow(ctx))
    try:
        sealed = base64.urlsafe_b64decode(token.encode())
        data = json.loads(zlib.decompress(ctx.bot.cases.keys.local_box().decrypt(sealed)))
    except (ValueError, TypeError, zlib.error, nacl.exceptions.CryptoError):
        return False
    if not isinstance(data, dict) or data.get("c") != ctx.conv_key or float(data.get("exp", 0)) < time.time():
        return False
    state = data.get("s")
    if not isinstance(state, dict) or state.get("flow") != NAME:
        return False
    ctx.bot.ephemeral[ctx.conv_key] = state
    return True


def typed_in_chat(ctx: Context) -> bool:
    """True when secret text arrives as an ordinary chat message on Slack or Teams (not from the form):
    it would stay in the platform's message history, so the flow does not take it."""
    return ctx.incoming.platform != "cli" and not ctx.incoming.form


def max_chars() -> int:
    return int(load(NAME)["max_chars"])


INVISIBLE = str.maketrans({"\u200b": None, "\ufeff": None, "\u00ad": None})  # zero-width space, BOM, soft hyphen


def clean(text: str) -> str:
    """Line ends made plain (CRLF, CR), invisible characters that carry nothing removed (zero-width
    joiners stay: emoji sequences need them), surrounding space trimmed."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(INVISIBLE).strip()


def check_report(text: str, limit: int | None = None) -> str | None:
    """The phrase key of what is wrong with a report text, or None when it can be sent.

    Ordinary Unicode is welcome (emoji sequences, soft hyphens, zero-width joiners); control characters
    other than line breaks and tabs, and bidirectional overrides that can disguise text, are not."""
    body = clean(text)
    limit = limit if limit is not None else max_chars()
    if not body:
        return "empty"
    if len(body) > limit:
        return "too_long"
    for ch in body:
        if ch in BIDI or (unicodedata.category(ch) == "Cc" and ch not in "\n\t"):
            return "control"
    if MENTION.search(body):
        return "mention"
    return None


def too_short(text: str) -> bool:
    """A report of a word or two ("nej", "hej") is questioned before it can be sent."""
    return len(re.findall(r"\w+", text)) < 4
