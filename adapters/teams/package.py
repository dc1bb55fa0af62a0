"""Build the Teams app package (manifest.json plus icons) that admins upload."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

MANIFEST_DIR = Path(__file__).resolve().parent / "manifest"
PLACEHOLDER = "{{BOT_ID}}"
ICONS = ("color.png", "outline.png")


def render_manifest(app_id: str) -> str:
    """The manifest text with the bot's Microsoft App ID filled in."""
    if not app_id.strip():
        raise ValueError("a Microsoft App ID is required to build the Teams package")
    template = (MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8")
    # Substitute as JSON so an odd id can never break the document.
    manifest = json.loads(template.replace(f'"{PLACEHOLDER}"', json.dumps(app_id.strip())))
    return json.dumps(manifest, indent=2, ensure_ascii=False)


def build_package(out: Path, *, app_id: str) -> Path:
    """Write the zip to ``out`` (a file, or a directory for mentorbot-teams.zip); returns it."""
    target = out / "mentorbot-teams.zip" if out.is_dir() else out
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", render_manifest(app_id))
        for icon in ICONS:
            zf.write(MANIFEST_DIR / icon, icon)
    return target
