"""The admin page's program report: the same report as the files, downloads, and its assumption."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import openpyxl
import pytest
from sqlalchemy import select

from core.models import AuditEntry, Platform, Program, ProgramKind, ProgramStatus, Workspace
from tests.admin_web.conftest import START, AdminWeb
from tests.admin_web.test_http import _sign_in


@pytest.fixture
async def client(web: AdminWeb) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


def _program(web: AdminWeb, name: str = "Pilot", workspace_id: int | None = None) -> int:
    with web.sessions() as s, s.begin():
        program = Program(workspace_id=workspace_id or web.workspace_id, name=name,
                          kind=ProgramKind.ONE_ON_ONE, status=ProgramStatus.OPEN)
        s.add(program)
        s.flush()
        return program.id


def _simulated(web: AdminWeb) -> int:
    """A year of the demo's Leadership program in the admin's workspace (webchat:demo)."""
    from core.demo import simulate_program

    # Four weeks are plenty for the page (the 12-week run is tests/reports' job) and quick.
    summary = simulate_program(web.sessions, start=START - timedelta(days=400), now=START,
                               weeks=4)
    return summary.program_id


async def test_a_simulated_program_report_with_charts_and_downloads(
        client: httpx.AsyncClient, web: AdminWeb) -> None:
    program_id = _simulated(web)
    await _sign_in(web, client)
    listing = await client.get("/admin")
    assert f'href="/admin/programs/{program_id}/report"' in listing.text
    page = await client.get(f"/admin/programs/{program_id}/report")
    assert page.status_code == 200
    assert "Leadership 1:1" in page.text and "Sign out" in page.text  # inside the admin layout
    for section in ("Participation", "Matching", "Engagement", "Satisfaction", "Development",
                    "Outcomes", "Tables", "In their words"):
        assert f"<h2>{section}</h2>" in page.text
    assert page.text.count("<svg") == 4
    assert "From invitation to active pairs" in page.text and "$50,000" in page.text
    for fmt in ("pdf", "xlsx", "csv", "html"):
        assert f'href="/admin/programs/{program_id}/report.{fmt}"' in page.text

    magic = {"pdf": b"%PDF", "xlsx": b"PK", "csv": b"\xef\xbb\xbftable,row,column,value",
             "html": b"<!doctype html>"}
    for fmt, start in magic.items():
        r = await client.get(f"/admin/programs/{program_id}/report.{fmt}")
        assert r.status_code == 200 and r.content.startswith(start), fmt
        assert r.headers["content-disposition"] == \
            f'attachment; filename="report-leadership-1-1.{fmt}"'
    xlsx = await client.get(f"/admin/programs/{program_id}/report.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames[:2] == ["Summary", "Participation"] and "Funnel" in wb.sheetnames
    assert (await client.get(f"/admin/programs/{program_id}/report.docx")).status_code == 404


async def test_a_new_program_shows_placeholders_not_zeros(
        client: httpx.AsyncClient, web: AdminWeb) -> None:
    program_id = _program(web)
    await _sign_in(web, client)
    page = await client.get(f"/admin/programs/{program_id}/report")
    assert page.status_code == 200 and "<svg" not in page.text
    assert page.text.count('class="mbr-placeholder"') == 4
    assert "No data yet" in page.text


async def test_report_needs_an_admin_session_and_the_admins_workspace(
        client: httpx.AsyncClient, web: AdminWeb) -> None:
    program_id = _program(web)
    for path in (f"/admin/programs/{program_id}/report",
                 f"/admin/programs/{program_id}/report.pdf"):
        r = await client.get(path)
        assert r.status_code == 401 and "%PDF" not in r.text
    with web.sessions() as s, s.begin():
        other = Workspace(platform=Platform.SLACK, external_id="T999", name="Other")
        s.add(other)
        s.flush()
        other_id = other.id
    theirs = _program(web, "Theirs", other_id)
    await _sign_in(web, client)
    assert (await client.get(f"/admin/programs/{theirs}/report")).status_code == 404
    assert (await client.get(f"/admin/programs/{theirs}/report.csv")).status_code == 404
    assert (await client.get("/admin/programs/999999/report")).status_code == 404


async def test_editing_the_replacement_cost_rerenders_and_is_audited(
        client: httpx.AsyncClient, web: AdminWeb) -> None:
    program_id = _program(web)
    csrf = await _sign_in(web, client)
    page = await client.get(f"/admin/programs/{program_id}/report")
    assert 'name="replacement_cost"' in page.text and 'value="50000"' in page.text
    assert "$50,000" in page.text

    r = await client.post(f"/admin/programs/{program_id}/report",
                          data={"csrf": csrf, "replacement_cost": "75000"})
    assert r.status_code == 303
    again = await client.get(r.headers["location"])
    assert "Saved" in again.text and "$75,000" in again.text and 'value="75000"' in again.text
    csv_file = await client.get(f"/admin/programs/{program_id}/report.csv")
    assert "replacement_cost,75000" in csv_file.text
    with web.sessions() as s:
        assert s.get(Program, program_id).replacement_cost == 75000  # type: ignore[union-attr]
        [entry] = s.scalars(select(AuditEntry)).all()
        assert entry.action == "program replacement cost (web)"
        assert entry.actor_id == web.admin_id
        assert entry.detail == {"program_id": program_id, "old": 50000, "new": 75000}

    bad = await client.post(f"/admin/programs/{program_id}/report",
                            data={"csrf": csrf, "replacement_cost": "-5"})
    assert bad.status_code == 422 and "Enter a whole amount" in bad.text
    forged = await client.post(f"/admin/programs/{program_id}/report",
                               data={"csrf": "forged", "replacement_cost": "1"})
    assert forged.status_code == 403
    with web.sessions() as s:
        assert s.get(Program, program_id).replacement_cost == 75000  # type: ignore[union-attr]
        assert len(s.scalars(select(AuditEntry)).all()) == 1
    assert re.search(r'name="csrf"\s+value="[^"]+"', bad.text)
