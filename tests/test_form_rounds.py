"""Every problem with a form in one round: rules across fields shown next to field errors, and
no error about a field that does not apply to the person's role."""

from __future__ import annotations

import pytest

from core.clock import FakeClock
from core.events import (
    Actor,
    ButtonAction,
    CloseForm,
    CommandEvent,
    FormErrors,
    FormSubmission,
    OpenForm,
)
from core.mentorbot import Mentorbot
from tests.factories import seed

ANA = Actor("slack", "T1", "U1")


@pytest.fixture
def bot(sessions, clock: FakeClock) -> Mentorbot:  # type: ignore[no-untyped-def]
    seed(sessions, platform="slack", people=[("Ana Lima", "U1")])
    return Mentorbot(sessions, admin_emails=["ana.lima@acme.test"], clock=clock)


def _form(bot: Mentorbot, command: str) -> OpenForm:
    [form] = bot.handle(CommandEvent(ANA, command))
    assert isinstance(form, OpenForm)
    return form


def _submit(bot: Mentorbot, form: OpenForm, values: dict) -> list:  # type: ignore[type-arg]
    return bot.handle(FormSubmission(ANA, form.form.form_id, values, form.form.context))


def test_enrollment_cross_field_and_field_errors_come_together(bot: Mentorbot) -> None:
    form = _form(bot, "join")
    # A mentor with no skill to share (across fields) and a capacity out of range (a field).
    [errors] = _submit(bot, form, {"role": "mentor", "skills_offered": [], "capacity": "9",
                                   "availability": "mornings"})
    assert isinstance(errors, FormErrors)
    assert set(errors.errors) == {"skills_offered", "capacity"}
    # No availability (a field) and a mentee who wants nothing (across fields): one round.
    [errors] = _submit(bot, form, {"role": "mentee", "skills_wanted": []})
    assert isinstance(errors, FormErrors)
    assert set(errors.errors) == {"skills_wanted", "availability"}


def test_a_mentee_is_never_shown_the_capacity_error(bot: Mentorbot) -> None:
    form = _form(bot, "join")
    skill = form.form.fields[2].options[0].value
    [errors] = _submit(bot, form, {"role": "mentee", "skills_wanted": [], "capacity": "99",
                                   "availability": "mornings"})
    assert isinstance(errors, FormErrors) and "capacity" not in errors.errors
    done = _submit(bot, form, {"role": "mentee", "skills_wanted": [skill], "capacity": "99",
                               "availability": "mornings"})
    assert isinstance(done[0], CloseForm)  # capacity does not apply to a mentee


def test_announcement_cross_field_and_field_errors_come_together(bot: Mentorbot) -> None:
    form = _form(bot, "admin announce")
    # No channel named (across fields), no text (a field), "later" without a date (across).
    [errors] = _submit(bot, form, {"channels": ", ,", "text": "", "when": "later"})
    assert isinstance(errors, FormErrors)
    assert set(errors.errors) == {"channels", "text", "day"}


def test_program_cross_field_and_field_errors_come_together(bot: Mentorbot) -> None:
    [form] = bot.handle(ButtonAction(ANA, "program.template", "blank"))
    assert isinstance(form, OpenForm)
    values = {f.name: f.initial for f in form.form.fields}
    values |= {"name": "Leadership 1:1",  # taken (across the table)
               "opens": "2027-05-01", "closes": "2027-04-01",  # closes before it opens
               "cadence_days": "many"}  # a field error
    [errors] = _submit(bot, form, values)
    assert isinstance(errors, FormErrors)
    assert {"name", "closes", "cadence_days"} <= set(errors.errors)
