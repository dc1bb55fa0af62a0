"""Private things stay private, on every platform: what a person asks for in a channel or a
group chat is answered in their 1:1 chat (only "I've sent you a private message" is said where
they asked), and a form is saved only for the person it was shown to."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.events import (
    Actor,
    ButtonAction,
    CommandEvent,
    FormSubmission,
    OpenForm,
    Privately,
    Reply,
    SendFile,
)
from core.mentorbot import Mentorbot
from core.models import Enrollment
from core.personal import keep_private
from core.ui import Message
from tests.factories import seed

ANA = Actor("webchat", "T1", "U1", "Ana Lima")
BEN = Actor("webchat", "T1", "U2", "Ben Okoro")


def test_an_answer_asked_for_in_public_moves_into_the_private_chat() -> None:
    answer = Reply(Message("your goals"))
    [private] = keep_private([answer], public=True, shareable=False)
    assert isinstance(private, Privately) and private.intents == (answer,)
    assert private.notice.text == "I've sent you a private message."
    assert "your goals" not in private.notice.text + private.failed.text
    # Asked in private, or shareable (help): answered where asked.
    assert keep_private([answer], public=False, shareable=False) == [answer]
    assert keep_private([answer], public=True, shareable=True) == [answer]


def test_my_data_status_and_join_asked_in_a_channel_go_private(
        sessions: sessionmaker[Session], core: Mentorbot) -> None:
    seed(sessions)
    for text in ("my-data", "mentor status", "join", "home", "plan", "suggest", "training"):
        intents = core.handle(CommandEvent(ANA, text, channel_id="C1", public=True))
        [private] = [i for i in intents if isinstance(i, Privately)]
        # Nothing but the private bundle: no answer is left where the others read.
        assert intents == [private], text
    [data] = core.handle(CommandEvent(ANA, "my-data", public=True))
    assert isinstance(data, Privately) and isinstance(data.intents[0], SendFile)
    assert "ana.lima@acme.test" in data.intents[0].content


def test_help_in_a_channel_is_answered_there(sessions: sessionmaker[Session],
                                             core: Mentorbot) -> None:
    seed(sessions)
    for text in ("help", "mentor", "no-such-command"):
        [reply] = core.handle(CommandEvent(ANA, text, public=True))
        assert isinstance(reply, Reply) and "Mentorbot commands" in reply.message.text


def test_join_from_a_channel_post_opens_the_form_privately(
        sessions: sessionmaker[Session], core: Mentorbot) -> None:
    ids = seed(sessions)
    program = ids["programs"]["Leadership 1:1"]
    [private] = core.handle(ButtonAction(ANA, "join.pick", str(program), public=True))
    assert isinstance(private, Privately)
    [form] = [i for i in private.intents if isinstance(i, OpenForm)]
    assert form.form.owner == "U1"


def _enrolled(sessions: sessionmaker[Session]) -> int:
    with sessions() as s:
        return s.scalar(select(func.count()).select_from(Enrollment))


def test_a_form_submitted_by_someone_else_is_refused(sessions: sessionmaker[Session],
                                                     core: Mentorbot) -> None:
    ids = seed(sessions)
    program = ids["programs"]["Leadership 1:1"]
    [form] = [i for i in core.handle(ButtonAction(ANA, "join.pick", str(program)))
              if isinstance(i, OpenForm)]
    values = {"role": "mentee", "skills_wanted": ["Negotiation"], "goals": "Ana's goals",
              "capacity": "1", "availability": "mornings"}
    for owner in ("U1", ""):  # Ana's form, and a stale card that names nobody
        [refused] = core.handle(FormSubmission(BEN, form.form.form_id, values,
                                               form.form.context, owner=owner))
        assert isinstance(refused, Reply) and "opened for someone else" in refused.message.text
    assert _enrolled(sessions) == 0
    core.handle(FormSubmission(ANA, form.form.form_id, values, form.form.context, owner="U1"))
    assert _enrolled(sessions) == 1
