"""A mentor works through the course in chat: progress, Mark as done, and quizzes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from core.clock import FakeClock
from core.events import Actor, Reply, UpdateMessage
from core.mentorbot import Mentorbot
from core.models import Person, TrainingCompletion, TrainingModule
from tests.training.helpers import actor, build, buttons, click, modules, say

NOW = datetime(2027, 3, 3, 12, tzinfo=UTC)
ANA, CLEO = actor("U1"), actor("U3")


def _bot(sessions) -> Mentorbot:  # type: ignore[no-untyped-def]
    return Mentorbot(sessions, clock=FakeClock(NOW))


def _done_titles(sessions, name: str) -> set[str]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        person = s.scalar(select(Person).where(Person.name == name))
        return set(s.scalars(select(TrainingModule.title).join(
            TrainingCompletion, TrainingCompletion.module_id == TrainingModule.id).where(
            TrainingCompletion.person_id == person.id)))


def test_training_shows_progress_and_the_next_module(sessions) -> None:  # type: ignore[no-untyped-def]
    build(sessions)
    [reply] = say(_bot(sessions), "training", ANA)
    assert isinstance(reply, Reply)
    text = reply.message.text
    assert "*Leadership 1:1*: 0 of 5 done" in text and "Active listening" in text
    # The first module has a quiz: its three choices are buttons, plus a link to read on.
    choices = [b for b in buttons(reply.message) if b.action_id == "training.quiz"]
    links = [b for b in buttons(reply.message) if b.url]
    assert len(choices) == 3 and len(buttons(reply.message)) == 4
    assert [b.label for b in links] == ["Open the reading"]
    assert links[0].url.startswith("https://")


def test_the_reading_link_is_a_real_link_on_every_platform(sessions) -> None:  # type: ignore[no-untyped-def]
    from adapters.slack.render import message_to_blocks
    from adapters.teams.cards import message_to_card
    from adapters.webchat.render import message_html
    from core.ui import LINK_ACTION

    build(sessions)
    bot = _bot(sessions)
    [reply] = say(bot, "training", ANA)
    url = next(b.url for b in buttons(reply.message) if b.url)
    slack = [e for b in message_to_blocks(reply.message) if b["type"] == "actions"
             for e in b["elements"] if e.get("url")]
    assert [e["url"] for e in slack] == [url]
    card = message_to_card(reply.message)
    opens = [a for b in card["body"] if b["type"] == "ActionSet" for a in b["actions"]
             if a["type"] == "Action.OpenUrl"]
    assert [a["url"] for a in opens] == [url]
    assert f'href="{url}"' in message_html(reply.message)
    # Slack reports the click on a link button too; it must not earn a "that button is stale".
    assert click(bot, ANA, LINK_ACTION, "") == []


def test_alias_and_slash_prefix_work_too(sessions) -> None:  # type: ignore[no-untyped-def]
    build(sessions)
    [reply] = say(_bot(sessions), "/mentor train", ANA)
    assert "0 of 5 done" in reply.message.text


def test_quiz_wrong_answer_is_kind_and_lets_them_retry(sessions) -> None:  # type: ignore[no-untyped-def]
    ids = build(sessions)
    bot = _bot(sessions)
    [(first_id, _), *_] = modules(sessions, ids["programs"]["Leadership 1:1"])
    [reply] = say(bot, "training", ANA)
    choices = {b.label: b.value for b in buttons(reply.message)}
    wrong = choices["Fill the silence with a similar story of your own"]
    [update] = click(bot, ANA, "training.quiz", wrong)
    assert isinstance(update, UpdateMessage)
    assert "Not quite" in update.message.text
    # The same choices are offered again, and nothing was recorded.
    assert {b.value for b in buttons(update.message)} == set(choices.values())
    assert _done_titles(sessions, "Ana Lima") == set()
    right = choices["Wait a moment, then reflect back what you heard"]
    [update] = click(bot, ANA, "training.quiz", right)
    assert "That's right" in update.message.text and "1 of 5 done" in update.message.text
    assert _done_titles(sessions, "Ana Lima") == {"Active listening"}
    assert right.startswith(f"{first_id}:")


def test_mark_done_walks_the_course_to_all_done(sessions) -> None:  # type: ignore[no-untyped-def]
    ids = build(sessions)
    bot = _bot(sessions)
    course = modules(sessions, ids["programs"]["Leadership 1:1"])
    for n, (_, title) in enumerate(course):
        [reply] = say(bot, "training", ANA)
        assert f"{n} of 5 done" in reply.message.text and title in reply.message.text
        pressed = {b.label: b for b in buttons(reply.message)}
        if "Mark as done" in pressed:
            [update] = click(bot, ANA, "training.done", pressed["Mark as done"].value)
        else:  # a quiz: pick the right answer
            with sessions() as s:
                module = s.scalar(select(TrainingModule).where(TrainingModule.title == title))
                right = module.quiz_choices.index(module.quiz_answer)
            [update] = click(bot, ANA, "training.quiz", f"{module.id}:{right}")
        assert f"{n + 1} of 5 done" in update.message.text
    assert "whole course" in update.message.text
    [reply] = say(bot, "training", ANA)
    assert reply.message.text.startswith("All done: you can be matched")
    assert _done_titles(sessions, "Ana Lima") == {t for _, t in course}
    # Pressing an old button again changes nothing and says so.
    [again] = click(bot, ANA, "training.done", str(course[1][0]))
    assert "already finished" in again.message.text


def test_a_quiz_module_needs_the_answer_not_a_done_button(sessions) -> None:  # type: ignore[no-untyped-def]
    ids = build(sessions)
    [(quiz_module, _), *_] = modules(sessions, ids["programs"]["Leadership 1:1"])
    [update] = click(_bot(sessions), ANA, "training.done", str(quiz_module))
    assert "pick an answer" in update.message.text
    assert _done_titles(sessions, "Ana Lima") == set()


def test_next_module_button_after_marking_done(sessions) -> None:  # type: ignore[no-untyped-def]
    ids = build(sessions)
    bot = _bot(sessions)
    course = modules(sessions, ids["programs"]["Leadership 1:1"])
    [update] = click(bot, ANA, "training.done", str(course[1][0]))  # out of order is fine
    [next_button] = [b for b in buttons(update.message) if b.label == "Next module"]
    [reply] = click(bot, ANA, next_button.action_id, next_button.value)
    assert "1 of 5 done" in reply.message.text and "Active listening" in reply.message.text


def test_people_without_training_get_a_helpful_answer(sessions) -> None:  # type: ignore[no-untyped-def]
    build(sessions)
    bot = _bot(sessions)
    [mentee] = say(bot, "training", CLEO)
    assert "no training to do" in mentee.message.text and "join" in mentee.message.text
    [stranger] = say(bot, "training", actor("U-new"))
    assert "no training to do" in stranger.message.text


def test_training_off_means_nothing_to_do(sessions) -> None:  # type: ignore[no-untyped-def]
    build(sessions, required=False)
    [reply] = say(_bot(sessions), "training", ANA)
    assert "no training to do" in reply.message.text


def test_help_mentions_training(sessions) -> None:  # type: ignore[no-untyped-def]
    build(sessions)
    [reply] = say(_bot(sessions), "help", ANA)
    assert "/mentor training" in reply.message.text


def test_a_module_from_another_workspace_is_refused(sessions) -> None:  # type: ignore[no-untyped-def]
    ids = build(sessions)
    bot = _bot(sessions)
    [(first_id, _), *_] = modules(sessions, ids["programs"]["Leadership 1:1"])
    outsider = Actor("webchat", "OTHER", "X9")
    [reply] = click(bot, outsider, "training.done", str(first_id))
    assert "no longer exists" in reply.message.text
    with sessions() as s:
        assert s.scalars(select(TrainingCompletion)).all() == []
