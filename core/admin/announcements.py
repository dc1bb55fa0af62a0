"""Announcements to channels: a form, a preview, then now or at a set time, via the outbox."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import i18n
from core.admin.audit import record
from core.admin.texts import say
from core.db import today_of
from core.enrollment.programs import is_enrollable
from core.i18n import format_clock, format_date, format_day
from core.i18n import gettext as _
from core.language import shared_language, writing_to
from core.models import (
    Announcement,
    AnnouncementStatus,
    OutboxMessage,
    OutboxStatus,
    Person,
    Program,
    Workspace,
)
from core.outbox import enqueue_channel, enqueue_dm
from core.relationships.timing import zone
from core.ui import Button, Buttons, Context, FieldKind, Form, FormField, Message, Option, Section
from core.ui.words import count

FORM_ID = "announce"
TEXT_MAX = 3000
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|[^>]*)?>|#?([\w.-]+)")


def announce_form(programs: list[Program], tz: str, context: str = "new") -> Form:
    return Form(FORM_ID, _("Announce"), [
        FormField("channels", _("Channel(s)"), FieldKind.SHORT_TEXT, required=True,
                  max_length=500, placeholder="#general, #people-leaders"),
        FormField("text", _("Message (Markdown)"), FieldKind.LONG_TEXT, required=True,
                  max_length=TEXT_MAX),
        FormField("program", _("Add a Join button for"), FieldKind.SINGLE_SELECT,
                  options=[Option(str(p.id), p.name) for p in programs]),
        FormField("when", _("When"), FieldKind.SINGLE_SELECT, required=True, initial="now",
                  options=[Option("now", _("Post now")),
                           Option("later", _("At a date and time"))]),
        FormField("day", _("Date"), FieldKind.DATE),
        FormField("at", _("Time ({zone})").format(zone=tz), FieldKind.TIME),
    ], submit_label=_("Preview"), context=context)


def channels_of(text: str) -> list[str]:
    """Channel ids or names from "#general, <#C123|leaders>"; order kept, duplicates dropped."""
    found: list[str] = []
    for part in re.split(r"[,\s]+", text.strip()):
        match = _CHANNEL.fullmatch(part) if part else None
        if match:
            name = match.group(1) or f"#{match.group(2)}"
            if name not in found:
                found.append(name)
    return found


def rendered(a: Announcement, program: Program | None) -> Message:
    """What the channel will see."""
    blocks: list[Any] = [Section(a.text, links=True)]  # an admin wrote it: links drawn
    if program is not None:
        blocks.append(Buttons([Button(_("Join {program}").format(program=program.name),
                                      "join.pick", str(program.id), "primary")]))
    return Message(text=a.text, blocks=blocks)


def preview(a: Announcement, program: Program | None, tz: str) -> Message:
    local = a.post_at.astimezone(zone(tz)) if a.post_at is not None else None
    when = (_("now") if local is None else _("{day} at {time} ({zone})").format(
        day=format_date(local), time=format_clock(local), zone=tz))
    head = _("*Preview* – to {channels}, {when}:").format(channels=", ".join(a.channels),
                                                          when=when)
    shown = rendered(a, program)
    return Message(text=f"{head} {a.text}", blocks=[
        Section(head), *shown.blocks,
        Buttons([Button(_("Post") if a.post_at is None else _("Schedule"), "announce.confirm",
                        str(a.id), "primary"),
                 Button(_("Cancel"), "announce.cancel", str(a.id))]),
        Context([_("Nothing is posted until you confirm.")])])


def _post_at(clean: dict[str, Any], person: Person) -> datetime | None:
    day, at = clean.get("day"), clean.get("at")
    if clean.get("when") != "later" or not isinstance(day, date) or not isinstance(at, time):
        return None
    return datetime.combine(day, at, zone(person.timezone))


def check(clean: dict[str, Any], person: Person, *, now: datetime) -> dict[str, str]:
    """Rules across fields (some channel; a date and time in the future for "later"); safe to
    run next to field errors, so the form shows every problem at once."""
    errors: dict[str, str] = {}
    if isinstance(clean.get("channels"), str) and not channels_of(clean["channels"]):
        errors["channels"] = _("Name at least one channel, like #general.")
    if clean.get("when") == "later":
        post_at = _post_at(clean, person)
        if post_at is None:
            errors["day"] = _("Pick a date and a time, or choose “Post now”.")
        elif post_at <= now:
            errors["day"] = _("That moment has passed; pick a later one.")
    return errors


def create(session: Session, person: Person, clean: dict[str, Any],
           *, now: datetime) -> tuple[Announcement | None, dict[str, str]]:
    """A draft from the form, or field errors."""
    errors = check(clean, person, now=now)
    if errors:
        return None, errors
    channels = channels_of(clean["channels"])
    post_at = _post_at(clean, person)
    program_id = int(clean["program"]) if clean.get("program") else None
    a = Announcement(workspace_id=person.workspace_id, created_by_id=person.id,
                     channels=channels, text=clean["text"], join_program_id=program_id,
                     post_at=post_at, status=AnnouncementStatus.DRAFT, created_at=now)
    session.add(a)
    session.flush()
    return a, {}


def post_due(session: Session, now: datetime) -> int:
    """Queue every confirmed announcement whose time has come, once per channel."""
    queued = 0
    platform_of = {w.id: w.platform.value for w in session.scalars(select(Workspace))}
    due = session.scalars(select(Announcement).where(
        Announcement.status == AnnouncementStatus.SCHEDULED,
        (Announcement.post_at.is_(None)) | (Announcement.post_at <= now))).all()
    for a in due:
        program = session.get(Program, a.join_program_id) if a.join_program_id else None
        platform = platform_of.get(a.workspace_id)
        if platform is None:
            continue
        # A channel has many readers: its button speaks the workspace's language.
        with i18n.reading(shared_language([])):
            post = rendered(a, program)
        for channel in a.channels:
            if enqueue_channel(session, platform, channel, post,
                               f"announce:{a.id}:{channel}", kind="announcement", now=now):
                queued += 1
        a.status = AnnouncementStatus.POSTED
    return queued


def report_failures(session: Session, now: datetime) -> int:
    """Tell the author, once, about every channel an announcement could not reach."""
    told = 0
    for row in session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "announcement", OutboxMessage.status == OutboxStatus.FAILED)):
        _kind, a_id, channel = row.idempotency_key.split(":", 2)
        a = session.get(Announcement, int(a_id))
        author = session.get(Person, a.created_by_id) if a and a.created_by_id else None
        if author is None:
            continue
        reason = (row.last_error or "").removeprefix("permanent: ")
        with writing_to(author):
            text = _("I couldn't post your announcement in {channel} ({reason}).").format(
                channel=channel, reason=reason or _("unknown error"))
            if "not_in_channel" in reason or "channel_not_found" in reason:
                text += " " + _("I'm not in that channel: invite me there (`/invite @Mentorbot`) "
                                "and announce again.")
        if enqueue_dm(session, author, say(text),
                      f"announce-failed:{row.id}", kind="announce_failed", now=now):
            told += 1
    return told


def scheduled_list(session: Session, person: Person) -> Message:
    rows = pending(session, person.workspace_id)
    if not rows:
        return say(_("No announcements are scheduled."))
    blocks: list[Any] = [Section("*" + _("Scheduled announcements") + "*")]
    for a in rows:
        local = a.post_at.astimezone(zone(person.timezone)) if a.post_at else None
        when = f"{format_day(local)}, {format_clock(local)}" if local else _("now")
        blocks += [Section(f"{when} → {', '.join(a.channels)}\n{a.text[:200]}"),
                   Buttons([Button(_("Cancel"), "announce.cancel", str(a.id), "danger")])]
    return Message(text=count(len(rows), "scheduled announcement", "scheduled announcements"),
                   blocks=blocks)


def programs_for_join(session: Session, workspace_id: int) -> list[Program]:
    return [p for p in session.scalars(select(Program).where(
        Program.workspace_id == workspace_id).order_by(Program.name))
        if is_enrollable(p, today_of(session))]


def reminder_time(program: Program, tz: str) -> datetime:
    """10:00 local, three days before enrollment closes."""
    assert program.enrollment_closes is not None
    day = program.enrollment_closes - timedelta(days=3)
    return datetime.combine(day, time(10), zone(tz))


def confirm(session: Session, a: Announcement, actor: Person, *, now: datetime) -> str:
    """The admin confirms a previewed draft: post now or schedule it. Returns what happened."""
    a.status = AnnouncementStatus.SCHEDULED
    record(session, actor, "announce", now=now, id=a.id, channels=a.channels,
           post_at=a.post_at.isoformat() if a.post_at else "now")
    if a.post_at is None:
        post_due(session, now)
        return _("Posting to {channels} now. If I can't reach a channel, I'll tell you.").format(
            channels=", ".join(a.channels))
    return _("Scheduled for {when} UTC to {channels}. `/mentor admin announce list` shows it, "
             "with a Cancel button.").format(
        when=f"{format_day(a.post_at)}, {format_clock(a.post_at)}",
        channels=", ".join(a.channels))


def cancel(session: Session, a: Announcement, actor: Person, *, now: datetime) -> str:
    a.status = AnnouncementStatus.CANCELLED
    record(session, actor, "announce cancel", now=now, id=a.id)
    return _("Cancelled: nothing will be posted.")


def pending(session: Session, workspace_id: int) -> list[Announcement]:
    """Confirmed announcements still waiting for their time, soonest first."""
    return list(session.scalars(select(Announcement).where(
        Announcement.workspace_id == workspace_id,
        Announcement.status == AnnouncementStatus.SCHEDULED).order_by(Announcement.post_at)))
