"""The message template: every marked string in ``core/``, extracted the way pybabel does.

``python -m core.i18n.extract`` writes ``core/i18n/locales/mentorbot.pot``; ``pybabel update``
then merges it into each language (README: "How to add a language"). The tests extract the
same way and fail when a catalog lacks a message, so a new text can't ship untranslated.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import write_po

from core.i18n import DOMAIN, LOCALES_DIR

ROOT = Path(__file__).resolve().parents[2]
# The gettext names plus core.ui.words' counted words: count(n, "match", "matches"), and
# core.match_runs.reasons' counted sentence shapes: counted("{n} level", "{n} levels").
KEYWORDS = {**DEFAULT_KEYWORDS, "count": (2, 3), "plural": (2, 3), "counted": (1, 2)}
METHODS = [("**.py", "python")]
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"


def template() -> Catalog:
    """Every message marked in core's source, with where it is used."""
    catalog = Catalog(project="Mentorbot", domain=DOMAIN, charset="utf-8", fuzzy=False)
    for path, line, message, comments, context in extract_from_dir(
            ROOT / "core", METHODS, keywords=KEYWORDS, comment_tags=("Translators:",),
            strip_comment_tags=True):
        catalog.add(message, None, [(f"core/{path}", line)], auto_comments=comments,
                    context=context)
    return catalog


def main() -> None:
    with TEMPLATE.open("wb") as f:
        write_po(f, template(), width=100, omit_header=False, sort_output=True)
    print(f"wrote {TEMPLATE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
