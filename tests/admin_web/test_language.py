"""The admin web page in the signed-in admin's language: every page's headings, labels,
buttons and messages, the program report inside it, and the HTML's ``lang``; no English left
and no placeholder unfilled (the check of ``tests/i18n/test_no_english_left``)."""

from __future__ import annotations

import html
import re
from collections.abc import AsyncIterator

import httpx
import pytest

from core import i18n
from core.models import Person, Program, ProgramKind, ProgramStatus
from tests.admin_web.conftest import AdminWeb
from tests.admin_web.test_http import _sign_in
from tests.i18n.test_no_english_left import PLACEHOLDER, english_left
from tests.i18n.test_reports_language import ALSO_THEIRS as REPORT_WORDS

SHIPPED = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT_LANGUAGE]
PAGES = ("/admin", "/admin/people", "/admin/import", "/admin/programs/new",
         "/admin/announcements")
# What the page shows as written: people, the workspace and program, file formats, the HRIS
# presets' product names, the command in <code> and the values an import refused.
KEPT = re.compile(r"<code>.*?</code>|--replacement-cost|\S+@\S+|not-an-email|someday|"
                  r"\b(Ada|Bo|Cy|Acme|Pilot|PDF|Excel|CSV|HTML|UTF-8|HRIS|mentorbot|workday|"
                  r"bamboohr|hibob|personio|Mentorbot|UTC)\b")
# Words the page's languages share with its English: "Import", "Status", "Median", "minus"
# (German), "page", "export", "date" (French); "Markdown" is a name.
# The report's own shared words are tests/i18n/test_reports_language's.
ALSO_THEIRS = REPORT_WORDS | {"import", "status", "page", "export", "date", "total", "code",
                              "program", "markdown"}


@pytest.fixture
async def client(web: AdminWeb) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def _text(page: str) -> str:
    # Styles, the charts (tests/i18n/test_reports_language reads them) and what a field holds
    # (a template's default skills are data, as in chat).
    page = re.sub(r"<style.*?</style>|<svg.*?</svg>|<textarea.*?</textarea>", " ", page,
                  flags=re.S)
    page = re.sub(r"<[^>]+>", " ", KEPT.sub(" | ", page))
    return re.sub(r"\s+", " ", html.unescape(page))


def _speak(web: AdminWeb, code: str) -> None:
    with web.sessions() as s, s.begin():
        admin = s.get(Person, web.admin_id)
        assert admin is not None
        admin.language = code


async def _pages(web: AdminWeb, client: httpx.AsyncClient, program_id: int,
                 csrf: str) -> dict[str, str]:
    seen = {}
    for path in (*PAGES, f"/admin/programs/{program_id}/report"):
        r = await client.get(path)
        assert r.status_code == 200, path
        seen[path] = r.text
    # A refusal the adapter words, and one from core (the program form's own validation).
    bad = await client.post("/admin/import", data={"csrf": csrf, "preset": "nonesuch"},
                            files={"file": ("people.csv", b"a,b\n")})
    seen["import refused"] = bad.text
    # Rows the HRIS import refuses: core's reasons, each naming its line.
    rows = (b"employee_id,name,email,hire_date\nE9,Dee,not-an-email,2024-01-01\n"
            b"E10,Eli,eli@acme.test,someday\nE11,,fay@acme.test,\n")
    bad_rows = await client.post("/admin/import", data={"csrf": csrf, "preset": "mentorbot"},
                                 files={"file": ("people.csv", rows)})
    assert bad_rows.status_code == 422
    seen["import rows refused"] = bad_rows.text
    invalid = await client.post("/admin/programs/new", data={"csrf": csrf, "name": ""})
    assert invalid.status_code == 422
    seen["program refused"] = invalid.text
    return seen


async def test_every_admin_page_reads_in_the_admins_language(client: httpx.AsyncClient,
                                                             web: AdminWeb) -> None:
    with web.sessions() as s, s.begin():
        program = Program(workspace_id=web.workspace_id, name="Pilot",
                          kind=ProgramKind.ONE_ON_ONE, status=ProgramStatus.OPEN)
        s.add(program)
        s.flush()
        program_id = program.id
    csrf = await _sign_in(web, client)
    english = await _pages(web, client, program_id, csrf)
    assert '<html lang="en">' in english["/admin"]
    assert "Sign out" in english["/admin"] and "open" in english["/admin"]
    assert "Pick one of the listed presets." in english["import refused"]
    assert "line 2: email “not-an-email” is not an email address" in english["import rows refused"]
    assert "line 3: hire date “someday” is not a date" in english["import rows refused"]
    assert "Save and recalculate" in english[f"/admin/programs/{program_id}/report"]
    for code in SHIPPED:
        _speak(web, code)
        translated = await _pages(web, client, program_id, csrf)
        for path, page in translated.items():
            assert f'<html lang="{i18n.bcp47(code)}">' in page, (code, path)
            text = _text(page)
            assert not PLACEHOLDER.findall(text), (code, path, PLACEHOLDER.findall(text))
            left = [w for w in english_left(_text(english[path]), text)
                    if not set(w.split()) <= ALSO_THEIRS]
            assert not left, f"{code} {path} still says in English: {left}\n{text[:2000]}"
    # Spot checks, read by eye once.
    _speak(web, "de")
    listing = (await client.get("/admin")).text
    assert ">Abmelden</button>" in listing and ">offen</span>" in listing


async def test_someone_signed_out_reads_the_workspace_default(client: httpx.AsyncClient) -> None:
    r = await client.get("/admin")
    assert r.status_code == 401 and '<html lang="en">' in r.text
    assert "Sign-in needed" in r.text and "<code>/mentor admin web</code>" in r.text
