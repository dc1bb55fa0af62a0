"""Training through the real Slack adapter: Block Kit in, a click on "Mark as done" out."""

from __future__ import annotations

from sqlalchemy import select

from core.models import Enrollment, Person, Program, Role, TrainingCompletion, TrainingModule
from core.training import attach_starter
from tests.factories import seed
from tests.fakes.slack_api import FakeSlackApi
from tests.slack.helpers import block_action, command_body, payload_body, post


def _mentor_in_training(slack_app) -> None:  # type: ignore[no-untyped-def]
    """Ana mentors in a program that requires the starter course; she answered module 1."""
    ids = seed(slack_app.state.sessions, platform="slack", tenant="T1",
               people=[("Ana Lima", "U1")])
    with slack_app.state.sessions() as s, s.begin():
        ana = s.scalar(select(Person))
        program = s.get(Program, ids["programs"]["Leadership 1:1"])
        program.training_required = True
        s.add(Enrollment(person_id=ana.id, program_id=program.id, role=Role.MENTOR,
                         skills_offered=["Negotiation"], availability="flexible"))
        attach_starter(s, program)
        first = s.scalar(select(TrainingModule).where(TrainingModule.position == 1))
        s.add(TrainingCompletion(module_id=first.id, person_id=ana.id))


async def test_training_renders_the_module_and_mark_as_done_records_it(
        client, fake: FakeSlackApi, slack_app) -> None:  # type: ignore[no-untyped-def]
    _mentor_in_training(slack_app)
    await post(client, command_body("training", f"{fake.url}response/1"))
    [shown] = await fake.wait_for("response/1")
    assert shown.body["response_type"] == "ephemeral"
    assert "1 of 5 done" in shown.body["text"]
    sections = [b["text"]["text"] for b in shown.body["blocks"] if b["type"] == "section"]
    assert any(s.startswith("*Giving constructive feedback*") for s in sections)
    [button] = [e for b in shown.body["blocks"] if b["type"] == "actions"
                for e in b["elements"]]
    assert button["text"]["text"] == "Mark as done" and button["style"] == "primary"

    await post(client, payload_body(block_action(button["action_id"], button["value"],
                                                 f"{fake.url}response/2")))
    [done] = await fake.wait_for("response/2")
    assert done.body["replace_original"] in (True, "true")
    assert "Giving constructive feedback* is done: 2 of 5 done" in done.body["text"]
    with slack_app.state.sessions() as s:
        titles = set(s.scalars(select(TrainingModule.title).join(
            TrainingCompletion, TrainingCompletion.module_id == TrainingModule.id)))
    assert titles == {"Active listening", "Giving constructive feedback"}
