"""`conductbot teams-package`: the zip a Teams administrator uploads (manifest.json and two icons).

manifest/teams/manifest.json is the template: `{{MicrosoftAppId}}` becomes the bot's app id, and the
bot commands come from adapters/teams/teams.yaml (the same list the adapter answers to). The icons are
drawn here in plain Python (no imaging library): a 192x192 colour icon and a 32x32 white-on-transparent
outline, as Teams requires; `python -m adapters.teams.package --icons` rewrites them.
"""

from __future__ import annotations

import json
import re
import struct
import sys
import zipfile
import zlib
from pathlib import Path
from typing import Any

from adapters.teams.cards import words

FOLDER = Path(__file__).resolve().parents[2] / "manifest" / "teams"
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
ACCENT = (0x1D, 0x4F, 0x91)


class PackageError(ValueError):
    pass


def manifest(app_id: str) -> dict[str, Any]:
    """The manifest for this app id, with the bot commands filled in."""
    if not GUID.match(app_id or ""):
        raise PackageError(f"MicrosoftAppId must be the bot's app id (a GUID), not {app_id!r}")
    text = (FOLDER / "manifest.json").read_text(encoding="utf-8").replace("{{MicrosoftAppId}}", app_id)
    data: dict[str, Any] = json.loads(text)
    commands = [{"title": c["title"], "description": c["description"]} for c in words()["commands"]]
    for bot in data["bots"]:
        for command_list in bot.get("commandLists", []):
            command_list["commands"] = commands
    return data


def build(out: Path, app_id: str) -> Path:
    """Write the app package zip."""
    data = manifest(app_id)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(data, ensure_ascii=False, indent=2))
        for name in (data["icons"]["color"], data["icons"]["outline"]):
            zf.write(FOLDER / name, name)
    return out


def _png(width: int, height: int, pixel: Any) -> bytes:
    """An RGBA PNG whose pixel (x, y) is `pixel(x, y)`."""
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


def _bubble(x: float, y: float) -> bool:
    """A speech bubble with a tail, in a unit square."""
    inside = 0.18 <= x <= 0.82 and 0.2 <= y <= 0.66
    corner = all(
        not (cx_in and cy_in) or (x - cx) ** 2 + (y - cy) ** 2 <= 0.08**2
        for cx, cy, cx_in, cy_in in (
            (0.26, 0.28, x < 0.26, y < 0.28),
            (0.74, 0.28, x > 0.74, y < 0.28),
            (0.26, 0.58, x < 0.26, y > 0.58),
            (0.74, 0.58, x > 0.74, y > 0.58),
        )
    )
    tail = 0.3 <= x <= 0.46 and 0.66 <= y <= 0.82 and (x - 0.3) <= (0.82 - y)
    return (inside and corner) or tail


def icons() -> None:
    """Draw color.png (192x192) and outline.png (32x32, white on transparent)."""

    def color(x: int, y: int) -> tuple[int, int, int, int]:
        return (255, 255, 255, 255) if _bubble(x / 192, y / 192) else (*ACCENT, 255)

    def outline(x: int, y: int) -> tuple[int, int, int, int]:
        return (255, 255, 255, 255) if _bubble((x + 0.5) / 32, (y + 0.5) / 32) else (0, 0, 0, 0)

    (FOLDER / "color.png").write_bytes(_png(192, 192, color))
    (FOLDER / "outline.png").write_bytes(_png(32, 32, outline))


if __name__ == "__main__":
    if "--icons" in sys.argv:
        icons()
