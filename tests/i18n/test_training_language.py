"""Mentor training's daily DM reaches each mentor in their language; the course stays as the
admin wrote it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from core.clock import FakeClock
from core.mentorbot import Mentorbot
from core.models import OutboxMessage, Person
from core.ui import Buttons, Context, message_from_dict
from tests.training.helpers import build

START = datetime(2027, 1, 4, 0, 0, tzinfo=UTC)  # a Monday


def test_the_daily_module_is_in_each_mentors_language(sessions) -> None:  # type: ignore[no-untyped-def]
    build(sessions)
    with sessions() as s, s.begin():
        ana = s.scalar(select(Person).where(Person.name == "Ana Lima"))
        ana.language = "es"
    clock = FakeClock(START)
    bot = Mentorbot(sessions, clock=clock, default_language="pt_BR")
    while clock.now() < START + timedelta(hours=14):
        bot.tick()
        clock.advance(timedelta(hours=1))
    with sessions() as s:
        names = {p.id: p.name for p in s.scalars(select(Person))}
        first = {names[r.person_id]: message_from_dict(r.payload) for r in s.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "training")
            .order_by(OutboxMessage.id))}
    ana_dm, ben_dm = first["Ana Lima"], first["Ben Okoro"]
    assert ana_dm.text.startswith(
        "Aquí tienes la formación de mentores de hoy para *Leadership 1:1* (módulo 1 de ")
    # Ben chose nothing and his platform says nothing: the workspace default.
    assert ben_dm.text.startswith(
        "Aqui está o treinamento de mentores de hoje para *Leadership 1:1* (módulo 1 de ")
    labels = [b.label for block in ana_dm.blocks if isinstance(block, Buttons)
              for b in block.buttons]
    context = [i for block in ana_dm.blocks if isinstance(block, Context) for i in block.items]
    assert "Marcar como hecho" in labels or any("Elige una respuesta" in c for c in context)
    assert any("`/mentor training` cuando quieras" in c for c in context)
