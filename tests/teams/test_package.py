"""The Teams app package: a manifest with our bot id and two icons of the right size."""

from __future__ import annotations

import json
import struct
import zipfile
from pathlib import Path

import jsonschema

from adapters.teams.package import build_package, render_manifest

SCHEMAS = Path(__file__).resolve().parent / "schemas"


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
    # team: announcements go to its channels; groupChat: "@Mentorbot mentor help" answers there.
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    titles = {c["title"] for c in bot["commandLists"][0]["commands"]}
    assert titles == {"join", "status", "leave", "help"}
    assert "{{" not in json.dumps(manifest)


def test_manifest_is_valid_against_microsofts_schema() -> None:
    # Microsoft's own schema for the declared manifestVersion (tests/teams/schemas/README.md).
    schema = json.loads((SCHEMAS / "MicrosoftTeams.v1.17.schema.json").read_text())
    manifest = json.loads(render_manifest("11111111-2222-3333-4444-555555555555"))
    assert manifest["manifestVersion"] == "1.17"
    validator = jsonschema.Draft4Validator(
        schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    # The schema catches what Teams would refuse at upload.
    broken = {**manifest, "bots": [{**manifest["bots"][0], "scopes": ["everywhere"]}]}
    assert list(validator.iter_errors(broken))
