"""The enrollment dialog through core alone, read as a conversation."""

from __future__ import annotations

from sqlalchemy import func, select

from core.events import (
    Actor,
    ButtonAction,
    CloseForm,
    CommandEvent,
    FormErrors,
    FormSubmission,
    OpenForm,
    Reply,
    UpdateMessage,
)
from core.mentorbot import Mentorbot
from core.models import Enrollment, EnrollmentStatus, OutboxMessage, ProgramStatus, Role
from core.ui import Select
from tests.factories import seed

ANA = Actor("webchat", "T1", "U1", "Ana Lima")
BEN = Actor("webchat", "T1", "U2", "Ben Okoro")

MENTEE = {"role": "mentee", "skills_wanted": ["Negotiation"], "goals": "Lead a team",
          "availability": "mornings"}


def say(core: Mentorbot, text: str, actor: Actor = ANA):
    return core.handle(CommandEvent(actor, text))


def only_reply_text(intents) -> str:
    assert len(intents) == 1 and isinstance(intents[0], Reply | UpdateMessage), intents
    return intents[0].message.text


def test_help_for_empty_help_and_unknown(core, sessions):
    seed(sessions)
    assert "/mentor join" in only_reply_text(say(core, ""))
    assert "/mentor status" in only_reply_text(say(core, "help"))
    text = only_reply_text(say(core, "dance"))
    assert "don't know `dance`" in text and "/mentor join" in text


def test_teams_help_uses_the_typed_word(core, sessions):
    seed(sessions, platform="teams")
    text = only_reply_text(say(core, "mentor help", Actor("teams", "T1", "U1")))
    assert "`mentor join" in text and "/mentor" not in text


def test_join_with_one_open_program_opens_prefilled_form_on_second_run(core, sessions):
    ids = seed(sessions)
    [intent] = say(core, "join")
    assert isinstance(intent, OpenForm)
    form = intent.form
    assert form.context == str(ids["programs"]["Leadership 1:1"])
    assert {f.name for f in form.fields} >= {"role", "skills_offered", "skills_wanted", "goals",
                                             "capacity", "availability"}
    result = core.handle(FormSubmission(ANA, form.form_id, MENTEE, form.context))
    assert any(isinstance(i, CloseForm) for i in result)
    [again] = say(core, "join Leadership 1:1")
    role = next(f for f in again.form.fields if f.name == "role")
    assert role.initial == "mentee" and again.form.submit_label == "Update"


def test_join_offers_a_choice_when_several_programs_are_open(core, sessions):
    ids = seed(sessions, programs=[{"name": "Leadership 1:1"}, {"name": "Peer circles"},
                                   {"name": "Old", "status": ProgramStatus.ENDED}])
    [reply] = say(core, "join")
    select_block = next(b for b in reply.message.blocks if isinstance(b, Select))
    assert [o.label for o in select_block.options] == ["Leadership 1:1", "Peer circles"]
    [opened] = core.handle(ButtonAction(ANA, "join.pick", str(ids["programs"]["Peer circles"])))
    assert isinstance(opened, OpenForm) and "Peer circles" in opened.form.intro


def test_invite_only_program_is_hidden_from_the_uninvited(core, sessions):
    seed(sessions, programs=[{"name": "Leadership 1:1"},
                             {"name": "Rising stars", "invite_only": True, "invited": ["U2"]}])
    [form] = say(core, "join")  # Ana sees only one program, so the form opens directly
    assert isinstance(form, OpenForm) and "Leadership" in form.form.intro
    assert "by invitation" in only_reply_text(say(core, "join Rising stars"))
    [reply] = say(core, "join", BEN)
    assert "Rising stars" in reply.message.text


def test_closed_and_unknown_programs_get_clear_messages(core, sessions):
    seed(sessions, programs=[{"name": "Leadership 1:1"},
                             {"name": "Spring cohort", "status": ProgramStatus.RUNNING}])
    text = only_reply_text(say(core, "join Spring cohort"))
    assert "already running" in text
    text = only_reply_text(say(core, "join Quantum basket weaving"))
    assert "couldn't find" in text and "Leadership 1:1" in text


def test_field_errors_for_no_skills_and_long_goals(core, sessions):
    ids = seed(sessions)
    ctx = str(ids["programs"]["Leadership 1:1"])
    [err] = core.handle(FormSubmission(ANA, "enroll", {**MENTEE, "skills_wanted": []}, ctx))
    assert isinstance(err, FormErrors) and "skills_wanted" in err.errors
    [err] = core.handle(FormSubmission(ANA, "enroll", {"role": "mentor", "capacity": "2",
                                                      "availability": "flexible"}, ctx))
    assert set(err.errors) == {"skills_offered"}
    [err] = core.handle(FormSubmission(ANA, "enroll", {**MENTEE, "goals": "x" * 501}, ctx))
    assert "500" in err.errors["goals"]
    [err] = core.handle(FormSubmission(ANA, "enroll", {**MENTEE, "skills_wanted": ["Hacking"]},
                                       ctx))
    assert "skills_wanted" in err.errors
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Enrollment)) == 0


def test_second_submit_edits_and_confirms_once_per_change(core, sessions):
    ids = seed(sessions)
    ctx = str(ids["programs"]["Leadership 1:1"])
    core.handle(FormSubmission(ANA, "enroll", MENTEE, ctx))
    core.handle(FormSubmission(ANA, "enroll", MENTEE, ctx))  # double click: no change
    mentor = {"role": "mentor", "skills_offered": ["Leadership"], "capacity": "3",
              "availability": "flexible"}
    core.handle(FormSubmission(ANA, "enroll", mentor, ctx))
    with sessions() as s:
        [e] = s.scalars(select(Enrollment)).all()
        assert e.role is Role.MENTOR and e.capacity == 3 and e.skills_offered == ["Leadership"]
        dms = s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert len(dms) == 2
        assert "enrolled in *Leadership 1:1* as a mentee" in dms[0].payload["text"]
        assert "updated" in dms[1].payload["text"]


def test_status_then_leave_with_confirmation_and_undo(core, sessions):
    ids = seed(sessions)
    core.handle(FormSubmission(ANA, "enroll", MENTEE, str(ids["programs"]["Leadership 1:1"])))
    assert "Leadership 1:1* – mentee, active" in only_reply_text(say(core, "status"))
    [confirm] = say(core, "leave")
    assert "Leave “Leadership 1:1”?" in confirm.message.text
    with sessions() as s:  # nothing changes before the confirmation
        assert s.scalar(select(Enrollment.status)) is EnrollmentStatus.ACTIVE
    with sessions() as s:
        eid = str(s.scalar(select(Enrollment.id)))
    [done] = core.handle(ButtonAction(ANA, "leave.confirm", eid))
    assert "You've left" in done.message.text
    assert "withdrawn" in only_reply_text(say(core, "status"))
    [undo] = core.handle(ButtonAction(ANA, "leave.undo", eid))
    assert "enrolled in “Leadership 1:1” again" in undo.message.text
    with sessions() as s:
        assert s.scalar(select(Enrollment.status)) is EnrollmentStatus.ACTIVE


def test_someone_elses_leave_button_does_nothing(core, sessions):
    ids = seed(sessions)
    core.handle(FormSubmission(ANA, "enroll", MENTEE, str(ids["programs"]["Leadership 1:1"])))
    with sessions() as s:
        eid = str(s.scalar(select(Enrollment.id)))
    [reply] = core.handle(ButtonAction(BEN, "leave.confirm", eid))
    assert "out of date" in reply.message.text
    with sessions() as s:
        assert s.scalar(select(Enrollment.status)) is EnrollmentStatus.ACTIVE


def test_unknown_person_is_created_on_first_contact(core, sessions):
    seed(sessions)
    newcomer = Actor("webchat", "T1", "U9", "Cleo New")
    [form] = say(core, "join", newcomer)
    assert isinstance(form, OpenForm)


def test_an_internal_failure_is_an_apology_and_changes_nothing(core, sessions, monkeypatch):
    ids = seed(sessions)
    from core.enrollment import dialog

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(dialog, "upsert_enrollment", broken)
    [reply] = core.handle(FormSubmission(ANA, "enroll", MENTEE,
                                         str(ids["programs"]["Leadership 1:1"])))
    assert isinstance(reply, Reply) and "something went wrong" in reply.message.text
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Enrollment)) == 0
