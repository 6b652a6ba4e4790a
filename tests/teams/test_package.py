"""`conductbot teams-package`: the zip an administrator uploads is complete and consistent."""

from __future__ import annotations

import json
import re
import struct
import zipfile
from pathlib import Path

from conftest import Cli

from adapters.teams.cards import words

APP_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


def _png_size(data: bytes) -> tuple[int, int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, _depth, color_type = struct.unpack(">IIBB", data[16:26])
    return width, height, color_type


def test_package_is_complete(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    r = cli.run("teams-package", "--out", str(out), env={"MicrosoftAppId": APP_ID})
    assert r.returncode == 0, str(r)
    with zipfile.ZipFile(out) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(zf.read("manifest.json"))
        color, outline = zf.read("color.png"), zf.read("outline.png")
    assert re.search(r"/teams/v1\.(\d+)/MicrosoftTeams\.schema\.json$", manifest["$schema"])
    assert manifest["manifestVersion"] == manifest["$schema"].split("/v")[-1].split("/")[0]
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert len(manifest["description"]["full"]) <= 4000
    assert _png_size(color)[:2] == (192, 192)
    width, height, color_type = _png_size(outline)
    assert (width, height) == (32, 32) and color_type == 6, "outline is RGBA (white on transparent)"
    commands = manifest["bots"][0]["commandLists"][0]["commands"]
    assert [c["title"] for c in commands] == [c["title"] for c in words()["commands"]]
    assert 0 < len(commands) <= 10 and all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in commands)
    assert {"personal", "team"} <= set(manifest["bots"][0]["scopes"])


def test_package_needs_a_real_app_id(cli: Cli, tmp_path: Path) -> None:
    r = cli.run("teams-package", "--out", str(tmp_path / "x.zip"), env={"MicrosoftAppId": ""})
    assert r.returncode == 2 and "GUID" in r.stderr
    assert not (tmp_path / "x.zip").exists()
