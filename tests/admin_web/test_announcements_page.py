"""The admin page's announcements: a draft, its preview, then post or schedule, and cancel."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from core.models import Announcement, AnnouncementStatus, OutboxMessage, Program, ProgramStatus
from tests.admin_web.conftest import AdminWeb
from tests.admin_web.test_http import _sign_in


@pytest.fixture
async def client(web: AdminWeb):  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=web.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_preview_then_post_now_and_schedule_then_cancel(client, web: AdminWeb) -> None:  # type: ignore[no-untyped-def]
    with web.sessions() as s, s.begin():
        s.add(Program(workspace_id=web.workspace_id, name="Leaders", kind="one_on_one",
                      status=ProgramStatus.OPEN))
    csrf = await _sign_in(web, client)
    page = await client.get("/admin/announcements")
    assert page.status_code == 200 and "New announcement" in page.text
    bad = await client.post("/admin/announcements", data={"csrf": csrf, "channels": "",
                                                          "text": "Hi"})
    assert bad.status_code == 422 and "This is required." in bad.text
    draft = await client.post("/admin/announcements", data={
        "csrf": csrf, "channels": "#general", "text": "Mentoring is <open>!", "program": ""})
    assert "Preview" in draft.text and "Mentoring is &lt;open&gt;!" in draft.text
    with web.sessions() as s:
        a = s.scalar(select(Announcement))
        assert a.status is AnnouncementStatus.DRAFT
        assert s.scalars(select(OutboxMessage)).all() == []  # nothing before confirming
    posted = await client.post(f"/admin/announcements/{a.id}/confirm", data={"csrf": csrf})
    assert "Posting to #general now" in posted.text
    with web.sessions() as s:
        [row] = s.scalars(select(OutboxMessage)).all()
        assert row.channel_id == "#general" and row.kind == "announcement"
    later = await client.post("/admin/announcements", data={
        "csrf": csrf, "channels": "#leaders", "text": "Soon", "day": "2031-01-06",
        "at": "10:00"})
    with web.sessions() as s:
        b_id = max(a.id for a in s.scalars(select(Announcement)))
    assert "Schedule" in later.text
    await client.post(f"/admin/announcements/{b_id}/confirm", data={"csrf": csrf})
    listed = await client.get("/admin/announcements")
    assert "#leaders: Soon" in listed.text
    cancelled = await client.post(f"/admin/announcements/{b_id}/cancel", data={"csrf": csrf})
    assert "Cancelled" in cancelled.text
    forged = await client.post(f"/admin/announcements/{b_id}/confirm", data={"csrf": "x"})
    assert forged.status_code == 403
