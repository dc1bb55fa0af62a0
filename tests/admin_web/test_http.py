"""The admin page over HTTP: sign-in, pages, CSRF, program creation and import dry runs."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select

from adapters.admin_web.auth import COOKIE
from core.models import AuditEntry, Person, Program, ProgramStatus
from tests.admin_web.conftest import AdminWeb

CSV = ("employee_id,name,email,title,department,level,manager_id,location,timezone,"
       "hire_date,active\n"
       "E0,Ada,ada@acme.test,,,,,,UTC,,true\n"
       "E9,Dee New,dee@acme.test,Engineer,Eng,3,E0,Lisbon,UTC,2025-01-06,true\n")


@pytest.fixture
async def client(web: AdminWeb) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def _sign_in(web: AdminWeb, client: httpx.AsyncClient) -> str:
    """Redeem a link; returns the CSRF token of the new session's forms."""
    r = await client.get("/admin/login", params={"token": web.link()})
    assert r.status_code == 303 and r.headers["location"] == "/admin"
    page = await client.get("/admin/programs/new")
    found = re.search(r'name="csrf"\s+value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def _programs(web: AdminWeb) -> list[Program]:
    with web.sessions() as s:
        return list(s.scalars(select(Program)))


async def test_no_cookie_is_401_with_chat_hint(client: httpx.AsyncClient) -> None:
    for path in ("/admin", "/admin/people", "/admin/import", "/admin/programs/new"):
        r = await client.get(path)
        assert r.status_code == 401
        assert "/mentor admin web" in r.text


async def test_bad_token_is_401(client: httpx.AsyncClient, web: AdminWeb) -> None:
    web.link()
    r = await client.get("/admin/login", params={"token": "wrong"})
    assert r.status_code == 401 and COOKIE not in r.cookies


async def test_forged_cookie_is_401(client: httpx.AsyncClient) -> None:
    client.cookies.set(COOKIE, "eyJwIjoxfQ.bogus", path="/admin")
    assert (await client.get("/admin")).status_code == 401


async def test_good_token_sets_a_safe_cookie_and_opens_admin(
        client: httpx.AsyncClient, web: AdminWeb) -> None:
    r = await client.get("/admin/login", params={"token": web.link()})
    assert r.status_code == 303 and r.headers["location"] == "/admin"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/admin" in cookie
    page = await client.get("/admin")
    assert page.status_code == 200 and "Programs" in page.text and "Ada" in page.text


async def test_member_link_does_not_sign_in(client: httpx.AsyncClient, web: AdminWeb) -> None:
    r = await client.get("/admin/login", params={"token": web.link(web.member_id)})
    assert r.status_code == 401


async def test_revoking_ends_an_open_session(client: httpx.AsyncClient, web: AdminWeb) -> None:
    await _sign_in(web, client)
    with web.sessions() as s, s.begin():
        from core.models import Admin
        s.scalars(select(Admin).where(Admin.person_id == web.admin_id)).one().revoked_at = \
            web.clock.now()
    assert (await client.get("/admin")).status_code == 401


async def test_create_program_with_csrf(client: httpx.AsyncClient, web: AdminWeb) -> None:
    csrf = await _sign_in(web, client)
    form = await client.get("/admin/programs/new", params={"template": "onboarding"})
    assert 'value="reverse" selected' in form.text
    r = await client.post("/admin/programs/new", data={
        "csrf": csrf, "template": "onboarding", "name": "New leaders <2025>",
        "kind": "reverse", "purpose": "onboarding", "invite_only": "on",
        "cadence_days": "14", "duration_weeks": "13", "group_size": "1",
        "skills": "Leadership, Feedback"})
    assert r.status_code == 303
    [program] = _programs(web)
    assert program.name == "New leaders <2025>" and program.status is ProgramStatus.DRAFT
    assert program.auto_invite_hired_within_days == 30 and program.invite_only
    listing = await client.get(r.headers["location"])
    # Escaped, never raw markup.
    assert "New leaders &lt;2025&gt;" in listing.text and "<2025>" not in listing.text
    with web.sessions() as s:
        entry = s.scalars(select(AuditEntry)).one()
        assert entry.action == "program new (web)" and entry.actor_id == web.admin_id


async def test_missing_or_wrong_csrf_is_403(client: httpx.AsyncClient, web: AdminWeb) -> None:
    await _sign_in(web, client)
    values = {"name": "X", "kind": "one_on_one", "purpose": "general", "cadence_days": "14",
              "duration_weeks": "26", "group_size": "1", "skills": "A"}
    assert (await client.post("/admin/programs/new", data=values)).status_code == 403
    assert (await client.post("/admin/programs/new",
                              data={**values, "csrf": "forged"})).status_code == 403
    assert _programs(web) == []


async def test_csrf_of_another_session_is_refused(
        client: httpx.AsyncClient, web: AdminWeb) -> None:
    old = await _sign_in(web, client)
    new = await _sign_in(web, client)
    assert old != new
    r = await client.post("/admin/programs/new", data={"csrf": old, "name": "X"})
    assert r.status_code == 403


async def test_field_errors_re_render(client: httpx.AsyncClient, web: AdminWeb) -> None:
    csrf = await _sign_in(web, client)
    r = await client.post("/admin/programs/new", data={
        "csrf": csrf, "name": "", "kind": "one_on_one", "purpose": "general",
        "cadence_days": "3", "duration_weeks": "26", "group_size": "1", "skills": "A",
        "description": "kept <b>as typed</b>"})
    assert r.status_code == 422
    assert "This is required." in r.text and "Please enter at least 7." in r.text
    assert "kept &lt;b&gt;as typed&lt;/b&gt;" in r.text
    assert _programs(web) == []


async def test_duplicate_name_uses_core_check(client: httpx.AsyncClient, web: AdminWeb) -> None:
    csrf = await _sign_in(web, client)
    data = {"csrf": csrf, "name": "Circles", "kind": "group", "purpose": "general",
            "cadence_days": "14", "duration_weeks": "12", "group_size": "4", "skills": "A"}
    assert (await client.post("/admin/programs/new", data=data)).status_code == 303
    r = await client.post("/admin/programs/new", data={**data, "name": "circles"})
    assert r.status_code == 422 and "A program with this name exists already." in r.text


async def test_people_search_and_paging(client: httpx.AsyncClient, web: AdminWeb) -> None:
    with web.sessions() as s, s.begin():
        s.add_all(Person(workspace_id=web.workspace_id, name=f"Zed {i:03}",
                         email=f"zed{i}@acme.test") for i in range(60))
    await _sign_in(web, client)
    page1 = await client.get("/admin/people", params={"q": "zed"})
    assert "60 people" in page1.text and "Zed 049" in page1.text and "Zed 050" not in page1.text
    page2 = await client.get("/admin/people", params={"q": "zed", "page": 2})
    assert "Zed 050" in page2.text and "Zed 000" not in page2.text
    by_email = await client.get("/admin/people", params={"q": "BO@ACME"})
    assert "1 person" in by_email.text and "bo@acme.test" in by_email.text


async def test_import_dry_run_changes_nothing(client: httpx.AsyncClient, web: AdminWeb) -> None:
    csrf = await _sign_in(web, client)
    with web.sessions() as s:
        before = s.scalar(select(func.count()).select_from(Person))
    r = await client.post("/admin/import", data={"csrf": csrf, "preset": "mentorbot",
                                                 "dry_run": "on"},
                          files={"file": ("people.csv", CSV.encode(), "text/csv")})
    assert r.status_code == 200
    assert "Dry run: nothing was changed." in r.text
    assert "Dee New &lt;dee@acme.test&gt;" in r.text  # the diff: new
    assert "Bo &lt;bo@acme.test&gt; (not in the export)" in r.text  # the diff: deactivated
    with web.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Person)) == before
        assert s.scalar(select(Person.active).where(Person.id == web.member_id)) is True
        assert s.scalars(select(AuditEntry)).all() == []


async def test_import_applies_or_refuses_whole_file(
        client: httpx.AsyncClient, web: AdminWeb) -> None:
    csrf = await _sign_in(web, client)
    bad = CSV + "E10,No Email,,,,,,,,,true\n"
    r = await client.post("/admin/import", data={"csrf": csrf, "preset": "mentorbot"},
                          files={"file": ("people.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422 and "Nothing was imported" in r.text
    with web.sessions() as s:
        assert s.scalar(select(Person).where(Person.email == "dee@acme.test")) is None
    r = await client.post("/admin/import", data={"csrf": csrf, "preset": "mentorbot",
                                                 "keep_missing": "on"},
                          files={"file": ("people.csv", CSV.encode(), "text/csv")})
    assert r.status_code == 200 and "Imported" in r.text
    with web.sessions() as s:
        assert s.scalar(select(Person).where(Person.email == "dee@acme.test")) is not None
        assert s.scalar(select(Person.active).where(Person.id == web.member_id)) is True
        assert [e.action for e in s.scalars(select(AuditEntry))] == ["people import (web)"]


async def test_import_needs_csrf(client: httpx.AsyncClient, web: AdminWeb) -> None:
    await _sign_in(web, client)
    r = await client.post("/admin/import", data={"preset": "mentorbot"},
                          files={"file": ("people.csv", CSV.encode(), "text/csv")})
    assert r.status_code == 403
