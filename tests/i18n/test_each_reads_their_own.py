"""A message to someone else is written in *their* language, not the sender's: self-select
between a German-speaking mentee and a French-speaking mentor."""

from __future__ import annotations

from sqlalchemy import select

from core.events import Actor, ButtonAction, CommandEvent, Reply, UpdateMessage
from core.mentorbot import Mentorbot
from core.models import Enrollment, OutboxMessage, Person, Role
from core.ui import Buttons
from tests.factories import seed

MENTOR = Actor("slack", "T1", "U1", locale="fr-FR")
MENTEE = Actor("slack", "T1", "U2", locale="de-AT")


def test_self_select_dms_follow_each_readers_language(sessions, clock) -> None:
    ids = seed(sessions, platform="slack", people=[("Ana Lima", "U1"), ("Dev Rao", "U2")])
    program_id = ids["programs"]["Leadership 1:1"]
    with sessions() as s, s.begin():
        people = {p.name.split()[0]: p for p in s.scalars(select(Person))}
        people["Ana"].level, people["Dev"].level = 6, 2
        s.add(Enrollment(person_id=people["Ana"].id, program_id=program_id, role=Role.MENTOR,
                         skills_offered=["Negotiation"], availability="flexible"))
        s.add(Enrollment(person_id=people["Dev"].id, program_id=program_id, role=Role.MENTEE,
                         skills_wanted=["Negotiation"], goals="Verhandeln lernen",
                         availability="flexible"))
    bot = Mentorbot(sessions, clock=clock)
    bot.handle(CommandEvent(MENTOR, "status"))  # Ana's Slack locale becomes known

    [suggested] = bot.handle(CommandEvent(MENTEE, "suggest"))
    assert suggested.message.text.startswith(
        "Mentoren, die ich dir in *Leadership 1:1* vorschlage: Ana Lima")
    [ask] = [b for block in suggested.message.blocks if isinstance(block, Buttons)
             for b in block.buttons]
    assert ask.label == "Ana fragen"
    [asked] = bot.handle(ButtonAction(MENTEE, ask.action_id, ask.value))
    assert isinstance(asked, Reply)
    assert asked.message.text == ("Ich habe Ana Lima gefragt. Ich sage dir Bescheid, sobald "
                                  "eine Antwort da ist.")
    with sessions() as s:
        [request] = s.scalars(select(OutboxMessage)).all()
        request_id = next(b["buttons"][0]["value"] for b in request.payload["blocks"]
                          if b["kind"] == "buttons")
    assert request.payload["text"].startswith("Dev Rao")
    assert "aimerait vous avoir comme mentor" in request.payload["text"]

    [accepted] = bot.handle(ButtonAction(MENTOR, "request.accept", request_id))
    assert isinstance(accepted, UpdateMessage)
    assert accepted.message.text.startswith("Vous êtes désormais le mentor de Dev Rao.")
    with sessions() as s:
        told = s.scalar(select(OutboxMessage).where(
            OutboxMessage.idempotency_key.startswith("request-answer:")))
    assert told.payload["text"].startswith("Gute Nachrichten: Ana Lima hat zugesagt.")
