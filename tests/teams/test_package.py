"""The Teams app package: a manifest with our bot id and two icons of the right size."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

from adapters.teams.package import build_package


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_package_zip(tmp_path: Path) -> None:
    path = build_package(tmp_path, app_id="11111111-2222-3333-4444-555555555555")
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(zf.read("manifest.json"))
        assert png_size(zf.read("color.png")) == (192, 192)
        assert png_size(zf.read("outline.png")) == (32, 32)
        assert zf.read("outline.png")[25] == 6  # RGBA: the outline needs a transparent ground
    assert manifest["manifestVersion"] == "1.17" and "v1.17" in manifest["$schema"]
    [bot] = manifest["bots"]
    assert bot["botId"] == "11111111-2222-3333-4444-555555555555"
    assert bot["scopes"] == ["personal", "team"]  # team: announcements go to its channels
    titles = {c["title"] for c in bot["commandLists"][0]["commands"]}
    assert titles == {"join", "status", "leave", "help"}
    assert "{{" not in json.dumps(manifest)
