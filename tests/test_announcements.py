"""Announcements: form, preview, confirm; now or later; once per channel; failures reported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.clock import FakeClock
from core.events import Actor, ButtonAction, CommandEvent, FormSubmission, OpenForm, Reply
from core.mentorbot import Mentorbot
from core.models import Announcement, OutboxMessage, OutboxStatus
from core.ui import Buttons
from tests.factories import seed

BOSS, ANA = Actor("slack", "T1", "UBOSS"), Actor("slack", "T1", "U1")
NOW = datetime(2027, 3, 3, 9, tzinfo=UTC)


@pytest.fixture
def bot(sessions) -> Mentorbot:  # type: ignore[no-untyped-def]
    seed(sessions, platform="slack", people=[("Ana Lima", "U1"), ("Boss Person", "UBOSS")])
    return Mentorbot(sessions, admin_emails=["boss.person@acme.test"], clock=FakeClock(NOW))


def draft(bot: Mentorbot, **values: str):  # type: ignore[no-untyped-def]
    [form] = bot.handle(CommandEvent(BOSS, "admin announce"))
    assert isinstance(form, OpenForm)
    program = next(o.value for f in form.form.fields if f.name == "program" for o in f.options)
    given = {"channels": "#general, <#C2|leaders>", "text": "Mentoring is *open*!",
             "program": program, "when": "now"} | values
    return bot.handle(FormSubmission(BOSS, "announce", given, form.form.context))


def buttons(reply) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {b.label: b.value for blk in reply.message.blocks if isinstance(blk, Buttons)
            for b in blk.buttons}


def posts(sessions) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return list(s.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "announcement").order_by(OutboxMessage.id)))


def test_preview_first_then_post_now_to_every_channel_with_a_join_button(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    [preview] = draft(bot)
    assert isinstance(preview, Reply) and "*Preview* – to #general, C2, now" in preview.message.text
    assert posts(sessions) == []  # nothing goes out before the admin confirms
    [done] = bot.handle(ButtonAction(BOSS, "announce.confirm", buttons(preview)["Post"]))
    assert "Posting to #general, C2" in done.message.text
    sent = posts(sessions)
    assert [p.channel_id for p in sent] == ["#general", "C2"]
    join = sent[0].payload["blocks"][1]["buttons"][0]
    assert join["action_id"] == "join.pick" and join["label"] == "Join Leadership 1:1"
    [again] = bot.handle(ButtonAction(BOSS, "announce.confirm", buttons(preview)["Post"]))
    assert "already posted" in again.message.text
    assert len(posts(sessions)) == 2
    # Anyone who clicks Join gets the enrollment form.
    [form] = bot.handle(ButtonAction(ANA, join["action_id"], join["value"]))
    assert isinstance(form, OpenForm) and form.form.form_id == "enroll"


def test_scheduled_announcement_posts_once_at_its_time_and_can_be_cancelled(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    day = (NOW + timedelta(days=1)).date().isoformat()
    [preview] = draft(bot, when="later", day=day, at="10:00")
    bot.handle(ButtonAction(BOSS, "announce.confirm", buttons(preview)["Schedule"]))
    [other] = draft(bot, when="later", day=day, at="11:00", channels="#random")
    bot.handle(ButtonAction(BOSS, "announce.confirm", buttons(other)["Schedule"]))
    [listing] = bot.handle(CommandEvent(BOSS, "admin announce list"))
    assert "2 scheduled announcements" in listing.message.text
    cancel = [b for blk in listing.message.blocks if isinstance(blk, Buttons)
              for b in blk.buttons][1]
    bot.handle(ButtonAction(BOSS, cancel.action_id, cancel.value))
    bot.tick()
    assert posts(sessions) == []  # not yet
    bot.clock.set(NOW + timedelta(days=1, hours=1, minutes=1))  # 10:01 UTC next day
    bot.tick()
    bot.tick()
    assert [p.channel_id for p in posts(sessions)] == ["#general", "C2"]
    bot.clock.set(NOW + timedelta(days=1, hours=3))
    bot.tick()
    assert len(posts(sessions)) == 2  # the cancelled one never goes
    with sessions() as s:
        statuses = sorted(a.status.value for a in s.scalars(select(Announcement)))
    assert statuses == ["cancelled", "posted"]


def test_form_errors_and_refusal(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    [err] = draft(bot, when="later")
    assert "Pick a date and a time" in err.errors["day"]
    [err] = draft(bot, when="later", day="2020-01-01", at="10:00")
    assert "passed" in err.errors["day"]
    [err] = draft(bot, channels=" , ")
    assert "at least one channel" in err.errors["channels"]
    [refused] = bot.handle(CommandEvent(ANA, "admin announce"))
    assert "for program admins" in refused.message.text
    [refused] = bot.handle(FormSubmission(ANA, "announce", {"channels": "#x", "text": "hi",
                                                             "when": "now"}, "new"))
    assert "for program admins" in refused.message.text
    with sessions() as s:
        assert s.scalars(select(Announcement)).all() == []


def test_a_channel_the_bot_is_not_in_is_reported_to_the_author(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    [preview] = draft(bot)
    bot.handle(ButtonAction(BOSS, "announce.confirm", buttons(preview)["Post"]))
    with sessions() as s, s.begin():
        row = s.scalar(select(OutboxMessage).where(OutboxMessage.channel_id == "C2"))
        row.status, row.last_error = OutboxStatus.FAILED, "permanent: not_in_channel"
    bot.tick()
    bot.tick()
    with sessions() as s:
        [told] = s.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "announce_failed")).all()
    assert "couldn't post your announcement in C2" in told.payload["text"]
    assert "invite me there" in told.payload["text"]


def test_enrollment_reminder_posts_three_days_before_closing(bot, sessions) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from core.models import Program

    with sessions() as s, s.begin():
        s.scalar(select(Program)).enrollment_closes = date(2027, 3, 10)
    [reply] = bot.handle(CommandEvent(BOSS, "admin program remind Leadership 1:1 #general"))
    assert "Scheduled for Sun, Mar 7, 10:00 UTC in #general" in reply.message.text
    bot.clock.set(datetime(2027, 3, 7, 10, 5, tzinfo=UTC))
    bot.tick()
    [post] = posts(sessions)
    assert "closes in 3 days" in post.payload["text"] and post.channel_id == "#general"
    assert post.payload["blocks"][1]["buttons"][0]["action_id"] == "join.pick"
    [refused] = bot.handle(CommandEvent(ANA, "admin program remind Leadership 1:1 #general"))
    assert "for program admins" in refused.message.text
