"""A person reads the bot in their language: from their platform, their own choice, or the
workspace default, end to end through core."""

from __future__ import annotations

from sqlalchemy import select

from core.events import Actor, CloseForm, CommandEvent, FormSubmission, OpenForm, Reply
from core.mentorbot import Mentorbot
from core.models import OutboxMessage, Person
from core.ui import Context, Fields, Section
from core.ui.message import message_from_dict
from tests.factories import seed

ANA = Actor("webchat", "T1", "U1", "Ana Lima")
JONAS = Actor("slack", "T1", "U7", "Jonas Weber", locale="de-DE")
MENTEE = {"role": "mentee", "skills_wanted": ["Negotiation"], "goals": "Ein Team führen",
          "availability": "mornings"}
ENGLISH = ("Mentorbot commands", "enroll as", "Tip:", "You're", "Welcome", "When matching")


def say(core: Mentorbot, text: str, actor: Actor = ANA) -> list:
    return core.handle(CommandEvent(actor, text))


def reply_text(intents: list) -> str:
    [reply] = intents
    assert isinstance(reply, Reply), intents
    return reply.message.text


def everything_written(message) -> str:
    parts = [message.text]
    for block in message.blocks:
        if isinstance(block, Section):
            parts.append(block.text)
        elif isinstance(block, Fields | Context):
            parts.extend(block.items)
    return "\n".join(parts)


def test_a_german_speaking_person_gets_german_help_and_enrollment(core, sessions) -> None:
    seed(sessions, platform="slack")
    [answer] = say(core, "help", JONAS)
    help_text = everything_written(answer.message)
    assert "*Mentorbot* betreut die Mentoring-Programme" in help_text
    assert "`/mentor join [program]` – als Mentor oder Mentee anmelden" in help_text
    assert "`/mentor language [code]` – mich in einer anderen Sprache lesen" in help_text
    assert not any(word in help_text for word in ENGLISH), help_text

    [opened] = say(core, "join", JONAS)
    assert isinstance(opened, OpenForm)
    form = opened.form
    assert form.title == "Programm beitreten" and form.submit_label == "Anmelden"
    labels = {f.name: f.label for f in form.fields}
    assert labels["role"] == "Ich möchte teilnehmen als"
    assert labels["availability"] == "Wann ich mich meistens treffen kann"
    role = next(f for f in form.fields if f.name == "role")
    assert [o.label for o in role.options] == ["Mentee (ich möchte lernen)",
                                               "Mentor (ich möchte andere fördern)"]

    wrong = core.handle(FormSubmission(JONAS, form.form_id, {**MENTEE, "skills_wanted": []},
                                       form.context))
    assert wrong[0].errors == {"skills_wanted": "Wähle mindestens eine Fähigkeit, die du "
                                                "lernen möchtest."}

    done = core.handle(FormSubmission(JONAS, form.form_id, MENTEE, form.context))
    assert any(isinstance(i, CloseForm) for i in done)
    with sessions() as s:  # the confirmation is a DM, queued in the outbox
        [row] = s.scalars(select(OutboxMessage)).all()
    written = everything_written(message_from_dict(row.payload))
    assert "Du bist bei *Leadership 1:1* als Mentee angemeldet. Willkommen!" in written
    assert "*Rolle*\nMentee" in written and "*Verfügbarkeit*\nVormittags" in written
    assert "*Ziele*\nEin Team führen" in written
    assert "Ändern mit `/mentor join Leadership 1:1` · austreten mit " \
           "`/mentor leave Leadership 1:1`" in written
    assert not any(word in written for word in ENGLISH), written

    # Someone else in the same workspace still reads English.
    assert "Mentorbot commands" in reply_text(say(core, "help", ANA))
    with sessions() as s:
        jonas = s.scalar(select(Person).where(Person.name == "Jonas Weber"))
        assert (jonas.language, jonas.platform_language) == (None, "de")


def test_mentor_language_sets_and_resets_the_choice(core, sessions) -> None:
    seed(sessions)
    listing = reply_text(say(core, "language"))
    assert "I write to you in *English*." in listing
    for line in ("`/mentor language de` – Deutsch", "`/mentor language fr` – Français",
                 "`/mentor language es` – Español",
                 "`/mentor language pt_BR` – Português (Brasil)"):
        assert line in listing

    assert reply_text(say(core, "language fr")).startswith(
        "Désormais, je vous écrirai en français.")
    assert "Vous n'êtes inscrit à aucun programme pour l'instant. Essayez `/mentor join`." \
        == reply_text(say(core, "status"))
    assert "Commandes de Mentorbot" in reply_text(say(core, "help"))

    unknown = reply_text(say(core, "language klingon"))
    assert unknown.startswith("Désolé, je ne parle pas encore « klingon ».")
    assert "`/mentor language es` – Español" in unknown

    assert reply_text(say(core, "language pt-br")).startswith(
        "A partir de agora vou escrever para você em português (Brasil).")
    # "auto" drops the choice: the webchat reports no language, so the default applies.
    assert reply_text(say(core, "language auto")).startswith(
        "From now on I'll write to you in your chat app's language: English.")
    with sessions() as s:
        assert s.scalar(select(Person.language).where(Person.name == "Ana Lima")) is None


def test_the_workspace_default_applies_to_who_chose_nothing(sessions, clock) -> None:
    seed(sessions)
    core = Mentorbot(sessions, clock=clock, default_language="es")
    assert "Comandos de Mentorbot:" in reply_text(say(core, "help"))
    # The platform's language wins over the default, a person's choice over both.
    teams = Actor("teams", "T1", "U9", "Lea", locale="de-CH")
    assert "Mentorbot-Befehle:" in reply_text(say(core, "help", teams))
    say(core, "language en", teams)
    assert "Mentorbot commands:" in reply_text(say(core, "help", teams))


def test_default_language_setting_is_checked_at_start() -> None:
    import pytest
    from pydantic import ValidationError

    from bot.settings import Settings
    assert Settings(default_language="de-DE").default_language == "de"
    assert Settings().default_language == "en"
    with pytest.raises(ValidationError, match="DEFAULT_LANGUAGE must be one of"):
        Settings(default_language="tlh")


def test_admin_help_and_refusal_in_the_readers_language(sessions, clock) -> None:
    seed(sessions)
    boss = Actor("webchat", "T1", "U8", "Bo Admin", email="bo@acme.test", locale="fr")
    core = Mentorbot(sessions, clock=clock, admin_emails=["bo@acme.test"])
    [answer] = say(core, "admin help", boss)
    written = everything_written(answer.message)
    assert "*Commandes d'administration*" in written
    assert "`/mentor admin swap <mentee> <mentee> <program>` – échanger les mentors de deux " \
           "mentorés" in written
    stranger = Actor("webchat", "T1", "U9", "Cy", locale="es-MX")
    assert reply_text(say(core, "admin help", stranger)).startswith(
        "Lo siento, eso es solo para administradores de programas.")
