"""The checks at the door that every platform's requests pass before anything reads them.

Malformed input is the sender's fault, answered with 400 (401 for authentication, 413 for size) and
one line in the log, never a traceback: a body that is not UTF-8, JSON nested too deep, a lone
surrogate (which no encoder can write), or a field of the wrong type for what the adapter reads.
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64  # deeper JSON than any platform sends


class BadRequest(ValueError):
    """A request the adapter refuses: `status` and a short reason for the log (never the content)."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.status = status


def utf8(raw: bytes) -> str:
    """The body as text; not UTF-8 is a 400."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8") from None


def parse_json(text: str) -> Any:
    """JSON, refused when malformed, too deep, or holding text no encoder can write (lone surrogates)."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise BadRequest("JSON nested too deep") from None
    except ValueError:
        raise BadRequest("malformed JSON") from None
    check_text(data)
    return data


def check_text(data: Any) -> None:
    """Walk a parsed payload (without recursion): no nesting beyond MAX_DEPTH, no lone surrogates."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise BadRequest("JSON nested too deep")
        if isinstance(node, str):
            _no_surrogates(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                _no_surrogates(str(key))
                stack.append((value, depth + 1))
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def _no_surrogates(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest("text with a lone surrogate") from None


def fields(obj: Any, where: str, **types: type | tuple[type, ...]) -> dict[str, Any]:
    """`obj` must be an object whose named fields, when present and not null, have these types."""
    if not isinstance(obj, dict):
        raise BadRequest(f"{where} is not an object")
    for name, kind in types.items():
        value = obj.get(name)
        if value is not None and not isinstance(value, kind):
            raise BadRequest(f"{where}.{name} has the wrong type")
    return obj
