"""Stored text made safe to print: what a person typed must not forge a row or drive the terminal.

`unanswered`, `case show`, `remind list` and the like print text that came from chat. A newline in
it would start what looks like a new row, an escape sequence would recolour or rewrite the screen,
and a bidi override would reorder what is shown. `printable` escapes all of these (`\\n`, `\\x1b`,
`\\u202e`); `printable_block` keeps line breaks but indents every continuation line, so no line of
the text can pass for a header.
"""

from __future__ import annotations

import unicodedata

# bidi embeddings, overrides and isolates, and the line and paragraph separators
_SPECIAL = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029\u200e\u200f\u061c")


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """The text on one line: control characters, lone surrogates and bidi controls escaped."""
    return "".join(
        _escape(ch) if ch in _SPECIAL or unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in str(text)
    )


def printable_block(text: str, indent: str = "    ") -> str:
    """Multi-line text with each line made printable and every line after the first indented."""
    lines = str(text).replace("\r\n", "\n").split("\n")
    return ("\n" + indent).join(printable(line) for line in lines)
