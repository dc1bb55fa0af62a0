"""Ids and names longer than their columns are refused at the edge on both databases."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import Person, PlatformIdentity
from tests.hostile.conftest import Surfaces
from tests.slack.helpers import command_body, payload_body, post, view_submission
from tests.teams.conftest import activity


def identities(s: Surfaces) -> int:
    with s.app.state.sessions() as session:
        return session.scalar(select(func.count()).select_from(PlatformIdentity)) or 0


async def test_teams_overlong_ids_and_names_are_a_400(surfaces: Surfaces) -> None:
    before = identities(surfaces)
    for sender, conversation, channel_data in (
            ({"id": "29:" + "x" * 500, "name": "N"}, None, None),
            ({"id": "29:x", "aadObjectId": "a" * 300}, None, None),
            ({"id": "29:x", "name": "N" * 5000}, None, None),
            ({"id": "29:x"}, {"id": "a:c", "tenantId": "t" * 300}, None),
            ({"id": "29:x"}, None, {"tenant": {"id": "t" * 300}})):
        extra = {"from": sender}
        if conversation:
            extra["conversation"] = conversation
        if channel_data:
            extra["channelData"] = channel_data
        got = await surfaces.http.post("/api/messages", json=activity(
            surfaces.connector.url, text="mentor join", **extra))
        assert got.status_code == 400, (extra, got.text)
    assert identities(surfaces) == before
    assert surfaces.connector.activities() == []


async def test_slack_overlong_ids_are_a_400(surfaces: Surfaces) -> None:
    with surfaces.app.state.sessions() as session:
        people = session.scalar(select(func.count()).select_from(Person))
    body = command_body("join", "http://127.0.0.1:9/r", user_id="U" + "9" * 400)
    assert (await post(surfaces.http, body)).status_code == 400
    body = command_body("join", "http://127.0.0.1:9/r").replace("team_id=T1",
                                                                 "team_id=" + "T" * 300)
    assert (await post(surfaces.http, body)).status_code == 400
    view = view_submission("1", {})
    view["user"]["id"] = "U" * 300
    assert (await post(surfaces.http, payload_body(view))).status_code == 400
    with surfaces.app.state.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == people


async def test_slack_event_with_a_user_object_is_read_by_its_id(surfaces: Surfaces) -> None:
    import json

    def event(user: object) -> str:
        return json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1",
                           "event": {"type": "app_home_opened", "user": user}})

    too_long = event({"id": "U5", "name": "N" * 300})
    assert (await post(surfaces.http, too_long, content_type="application/json")
            ).status_code == 400
    odd = event({"id": "U1", "name": "Ana"})
    assert (await post(surfaces.http, odd, content_type="application/json")).status_code == 200
    with surfaces.app.state.sessions() as session:
        ids = session.scalars(select(PlatformIdentity.user_id)).all()
    assert all(len(i) <= 128 and not i.startswith("{") for i in ids)
