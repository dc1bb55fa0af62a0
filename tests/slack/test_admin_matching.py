"""An admin runs matching from Slack: preview by response_url, CSV upload, publish in place."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Enrollment, MatchStatus, Person, Role
from core.models import Match as MatchRow
from tests.factories import seed
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import block_action, command_body, payload_body, post


def _pool(slack_app) -> None:  # type: ignore[no-untyped-def]
    ids = seed(slack_app.state.sessions, platform="slack", tenant="T1",
               people=[("Ana Lima", "U1"), ("Ben Okoro", "U2"), ("Cleo Park", "U3")])
    program_id = ids["programs"]["Leadership 1:1"]
    with slack_app.state.sessions() as s, s.begin():
        people = {p.name.split()[0]: p for p in s.scalars(select(Person))}
        people["Ana"].level, people["Ben"].level, people["Cleo"].level = 6, 2, 2
        s.add(Enrollment(person_id=people["Ana"].id, program_id=program_id, role=Role.MENTOR,
                         skills_offered=["Negotiation"], availability="flexible"))
        for name in ("Ben", "Cleo"):
            s.add(Enrollment(person_id=people[name].id, program_id=program_id,
                             role=Role.MENTEE, skills_wanted=["Negotiation"],
                             availability="flexible"))


async def test_admin_previews_downloads_csv_and_publishes(client, fake: FakeSlackApi,
                                                          slack_app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _pool(slack_app)
    monkeypatch.setattr(slack_app.state.core, "admin_emails", frozenset({"ana.lima@acme.test"}))
    await post(client, command_body("admin match Leadership 1:1", f"{fake.url}response/1"))
    [preview] = await fake.wait_for("response/1")
    assert "matching preview" in preview.body["text"] and "1 of 2 matched" in preview.body["text"]
    actions = [e for b in preview.body["blocks"] if b["type"] == "actions"
               for e in b["elements"]]
    by_label = {e["text"]["text"]: e for e in actions}
    assert set(by_label) == {"Publish", "Re-run", "Download CSV"}

    csv_button = by_label["Download CSV"]
    await post(client, payload_body(block_action(csv_button["action_id"], csv_button["value"],
                                                 f"{fake.url}response/2")))
    [done] = await fake.wait_for("files.completeUploadExternal")
    [upload] = fake.calls_to("upload/F1")
    assert upload.body["raw"].startswith("status,mentor,") and "Ana Lima" in upload.body["raw"]
    [opened] = fake.calls_to("conversations.open")
    assert opened.body["users"] == "U1"
    assert done.body["channel_id"] == "DU1"

    publish = by_label["Publish"]
    await post(client, payload_body(block_action(publish["action_id"], publish["value"],
                                                 f"{fake.url}response/3")))
    [published] = await fake.wait_for("response/3")
    assert published.body["replace_original"] in (True, "true")
    assert "Published 1 match in" in published.body["text"]
    with slack_app.state.sessions() as s:
        assert [m.status for m in s.scalars(select(MatchRow))] == [MatchStatus.ACTIVE]
    # The pair is introduced and the mentee left over is told kindly, both via the outbox.
    posts = await fake.wait_for("chat.postMessage", count=2)
    texts = [p.body["text"] for p in posts]
    assert any("couldn't find you a match" in t for t in texts)
    assert any("meet each other" in t for t in texts)


async def test_non_admin_gets_a_polite_refusal(client, fake: FakeSlackApi, slack_app) -> None:  # type: ignore[no-untyped-def]
    _pool(slack_app)
    await post(client, command_body("admin match Leadership 1:1", f"{fake.url}response/1"))
    [reply] = await fake.wait_for("response/1")
    assert "for program admins" in reply.body["text"]
