"""The terminal front end: `conductbot chat`. Reads stdin line by line when it is not a terminal, so a
conversation can be scripted; echoes each scripted line so that a transcript reads like a chat."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from adapters.cli.translate import render, to_incoming
from bot.core import Bot
from bot.delivery import deliver_due
from bot.types import Choice

QUIT = ("/quit", "/exit", "/avsluta", "/q")


async def _read(interactive: bool) -> str | None:
    if interactive:
        try:
            return await asyncio.to_thread(input, "> ")
        except EOFError:
            return None
    raw = await asyncio.to_thread(sys.stdin.readline)
    return raw.rstrip("\n") if raw else None


async def chat(bot: Bot, user: str, org: str | None, role: str | None, out: TextIO = sys.stdout) -> int:
    """Run a conversation until end of input or /quit."""
    interactive = sys.stdin.isatty()
    if interactive:
        out.write("Bemötandeboten. Ställ en fråga om bemötandekoden (Ctrl-D eller /quit avslutar).\n\n")
    shown: list[Choice] = []
    while True:
        line = await _read(interactive)
        if line is None or line.strip() in QUIT:
            break
        if not line.strip():
            continue
        if not interactive:
            out.write(f"> {line}\n")
        replies = await bot.handle(to_incoming(line, shown, user, org, role))
        text, shown = render(replies)
        out.write(text)
        out.flush()
        await deliver_due(bot)  # the terminal has no server loop: post what has become due
    return 0
