"""The message template: every marked string, extracted the way pybabel does.

Read from ``core/`` (Python, and the report's Jinja template), and from the adapters whose
pages have words of their own: the admin web page and the web chat (Python, and the Jinja
templates ``adapters/admin_web/pages.py`` keeps in string constants). Every adapter reads those
words through ``core.i18n``, so one catalog holds all of them.

``python -m core.i18n.extract`` writes ``core/i18n/locales/mentorbot.pot``; each language's
``.po`` then gets the new messages (README: "How to add a language"). The tests extract the
same way and fail when a catalog lacks a message, so a new text can't ship untranslated.
"""

from __future__ import annotations

import ast
import io
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_python
from babel.messages.pofile import write_po
from jinja2.ext import babel_extract

from core.i18n import DOMAIN, LOCALES_DIR

ROOT = Path(__file__).resolve().parents[2]
# The gettext names plus core.ui.words' counted words: count(n, "match", "matches"), and
# core.match_runs.reasons' counted sentence shapes: counted("{n} level", "{n} levels").
KEYWORDS = {**DEFAULT_KEYWORDS, "count": (2, 3), "plural": (2, 3), "counted": (1, 2)}
TEMPLATE = LOCALES_DIR / f"{DOMAIN}.pot"


def python_and_templates(fileobj: IO[bytes], keywords: Mapping[str, Any],
                         comment_tags: Collection[str], options: Mapping[str, Any]
                         ) -> Iterator[tuple[int, str, Any, list[str]]]:
    """A Python file's marked strings, and those of the Jinja templates it holds as string
    constants ("{% ... %}" or "{{ _(...) }}"), with the template's lines as the file's."""
    source = fileobj.read()
    yield from extract_python(io.BytesIO(source), keywords, comment_tags, options)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and "{{" in node.value and "_(" in node.value:
            found = babel_extract(io.BytesIO(node.value.encode("utf-8")), keywords,
                                  comment_tags, {"trim_blocks": "true", "lstrip_blocks": "true"})
            for line, funcname, message, comments in found:
                yield node.lineno + line - 1, funcname, message, list(comments)


# Where marked strings live, and how each kind of file is read.
SOURCES: dict[str, list[tuple[str, Any]]] = {
    "core": [("reports/templates/**.j2", "jinja2.ext:babel_extract"), ("**.py", "python")],
    "adapters/admin_web": [("**.py", python_and_templates)],
    "adapters/webchat": [("**.py", "python")],
}


def template() -> Catalog:
    """Every message marked in the source, with where it is used."""
    catalog = Catalog(project="Mentorbot", domain=DOMAIN, charset="utf-8", fuzzy=False)
    for folder, methods in SOURCES.items():
        for path, line, message, comments, context in extract_from_dir(
                ROOT / folder, methods, keywords=KEYWORDS, comment_tags=("Translators:",),
                strip_comment_tags=True,
                options_map={"reports/templates/**.j2": {"trim_blocks": "true",
                                                        "lstrip_blocks": "true"}}):
            catalog.add(message, None, [(f"{folder}/{path}", line)], auto_comments=comments,
                        context=context)
    return catalog


def main() -> None:
    with TEMPLATE.open("wb") as f:
        write_po(f, template(), width=100, omit_header=False, sort_output=True)
    print(f"wrote {TEMPLATE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
