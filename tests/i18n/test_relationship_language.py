"""A live match speaks each person's language: the introduction in the language the pair
shares, a check-in with the date written their way, a partner's DM in the partner's."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from core.events import Actor, CommandEvent
from core.models import Person
from tests.relationships.helpers import build_world, outbox_rows

WED_NOON = datetime(2027, 3, 3, 12, 0, tzinfo=UTC)


def test_introduction_check_in_and_pause_in_each_readers_language(sessions) -> None:  # type: ignore[no-untyped-def]
    world = build_world(sessions, WED_NOON, [("ana", "ben"), ("cleo", "dev")],
                        {"ana": "Europe/Berlin", "ben": "Europe/Berlin", "cleo": "UTC",
                         "dev": "UTC"})
    with sessions() as s, s.begin():
        for person in s.scalars(select(Person).where(Person.name.in_(["Ana", "Ben", "Cleo"]))):
            person.language = "fr" if person.name == "Cleo" else "de"
    world.bot.tick()
    intros = {r.idempotency_key: r.payload["text"] for r in outbox_rows(sessions)
              if r.idempotency_key.startswith("intro:")}
    german = [t for t in intros.values() if "Ana und Ben" in t]
    assert german and german[0].startswith(
        "👋 Ana und Ben, lernt euch kennen! Ihr seid in *Leadership 1:1* ein Team.")
    # Cleo reads French, Dev the default: the shared message falls back to the default.
    assert any(t.startswith("👋 Cleo and Dev, meet each other!") for t in intros.values())

    # Two weeks on, the check-in names the day the German way.
    world.clock.set(datetime(2027, 3, 18, 9, 0, tzinfo=UTC))  # Thursday, 10:00 in Berlin
    world.bot.tick()
    checkins = [r.payload["text"] for r in outbox_rows(sessions)
                if r.kind == "checkin" and r.person_id == world.people["ana"]]
    assert checkins and checkins[0] == "Hast du dich seit Mi., 3. März mit Ben getroffen? " \
                                       "(Leadership 1:1)"

    # Cleo pauses in French; Dev is told in the default language, with the English day.
    [reply] = world.bot.handle(CommandEvent(Actor("webchat", "T1", "cleo"), "pause 2"))
    assert reply.message.text.startswith("En pause jusqu'au jeu. 1 avr. : aucune relance")
    told = [r.payload["text"] for r in outbox_rows(sessions)
            if "paused" in r.payload["text"] and r.person_id == world.people["dev"]]
    assert told == ["Cleo paused your mentoring in *Leadership 1:1* until Thu, Apr 1. No "
                    "nudges in the meantime; I'll pick it up again after that."]


def test_the_relationship_forms_are_in_the_readers_language(sessions) -> None:  # type: ignore[no-untyped-def]
    from core.events import ButtonAction, OpenForm

    world = build_world(sessions, WED_NOON, [("ana", "ben")],
                        {"ana": "UTC", "ben": "UTC"})
    with sessions() as s, s.begin():
        s.scalar(select(Person).where(Person.name == "Ana")).language = "pt_BR"
    [opened] = world.bot.handle(ButtonAction(Actor("webchat", "T1", "ana"), "rel.schedule",
                                             str(world.matches[0])))
    assert isinstance(opened, OpenForm)
    form = opened.form
    assert form.title == "Agendar um encontro" and form.submit_label == "Enviar convite"
    labels = {f.name: f.label for f in form.fields}
    assert labels == {"day": "Data", "at": "Horário (seu horário local)", "duration": "Duração"}
    duration = next(f for f in form.fields if f.name == "duration")
    assert [o.label for o in duration.options][:2] == ["15 minutos", "30 minutos"]
