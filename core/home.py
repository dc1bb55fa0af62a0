"""Home: what a person sees when they open the app (Slack App Home, `mentor home` in Teams),
in their language."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.admin.rights import is_admin
from core.admin.texts import STATUSES
from core.enrollment.texts import ROLES, prefix
from core.i18n import format_clock, format_day, format_number, ngettext
from core.i18n import gettext as _
from core.models import (
    Checkin,
    Enrollment,
    EnrollmentStatus,
    Goal,
    GoalStatus,
    Match,
    MatchMentee,
    MatchStatus,
    Meeting,
    Person,
    Program,
)
from core.relationships import lifecycle
from core.relationships.timing import period_index, period_start, slot_on_or_after, zone
from core.ui import Button, Buttons, Context, Divider, Fields, Message, Section
from core.ui.words import count

RECENT = timedelta(days=30)



def _field(label: str, value: object) -> str:
    """A labelled figure: the label bold on its own line."""
    return f"*{label}*\n{value}"

def _next_nudge(match: Match, program: Program, person: Person, now: datetime) -> str:
    if match.status is MatchStatus.PAUSED:
        until = match.paused_until
        return _("paused until {day}").format(day=format_day(until)) if until else _("paused")
    start = match.published_at or match.created_at
    k = period_index(start, now, program.cadence_days)
    half = timedelta(days=program.cadence_days) / 2
    for j in (k, k + 1):
        slot = slot_on_or_after(period_start(start, j, program.cadence_days) + half,
                                person.timezone)
        if slot > now:
            local = slot.astimezone(zone(person.timezone))
            return f"{format_day(local)}, {format_clock(local)}"
    return _("soon")


def home(session: Session, person: Person, platform: str, now: datetime,
         seeded_admins: frozenset[str] = frozenset()) -> Message:
    """The person's programs, matches, next nudge and plan; admins also get program health."""
    p = prefix(platform)
    blocks: list = [Section(_("*Hi {name}!* Here's your mentoring.").format(
        name=person.name.split()[0]))]
    enrollments = session.scalars(select(Enrollment).where(
        Enrollment.person_id == person.id, Enrollment.status == EnrollmentStatus.ACTIVE)).all()
    if not enrollments:
        blocks.append(Section(_("You're not in a program yet. `{command}` shows the open "
                                "ones.").format(command=f"{p} join")))
    for e in enrollments:
        blocks.append(Section(f"*{e.program.name}* – {_(ROLES.get(e.role, e.role.value))}"))
    if enrollments:
        # The leave flow's own buttons: it asks for confirmation before anything changes.
        blocks.append(Buttons([Button(_("Leave {program}").format(program=e.program.name),
                                      "leave.ask", str(e.id))
                               for e in enrollments[:5]]))
    for match in lifecycle.live_matches_for(session, person):
        program = session.get(Program, match.program_id)
        assert program is not None
        others = [session.get(Person, i) for i in lifecycle.members(match) if i != person.id]
        names = ", ".join(o.name for o in others if o)
        goals = session.scalars(select(Goal).where(Goal.match_id == match.id)).all()
        done = sum(g.status is GoalStatus.DONE for g in goals)
        plan = ngettext("{done} of {n} goal done", "{done} of {n} goals done",
                        len(goals)).format(done=format_number(done), n=format_number(len(goals)))
        blocks.append(Fields([_field(_("Matched with"), names),
                              _field(_("Program"), program.name),
                              _field(_("Next nudge"), _next_nudge(match, program, person, now)),
                              _field(_("Action plan"), plan)]))
    if is_admin(session, person, seeded_admins):
        blocks += [Divider(), Section("*" + _("Program health") + "* (" + _("admins") + ")")]
        for program in session.scalars(select(Program).where(
                Program.workspace_id == person.workspace_id).order_by(Program.name)):
            blocks.append(Fields([f"*{program.name}*\n{_(STATUSES[program.status.value])}",
                                  *_health(session, program, now)]))
    blocks.append(Context([_("`{command}` lists everything I can do.").format(
        command=f"{p} help")]))
    return Message(text=_("Your mentoring home, {name}").format(name=person.name), blocks=blocks)


def _health(session: Session, program: Program, now: datetime) -> list[str]:
    enrolled = session.scalar(select(func.count()).select_from(Enrollment).where(
        Enrollment.program_id == program.id, Enrollment.status == EnrollmentStatus.ACTIVE))
    live = select(Match.id).where(Match.program_id == program.id,
                                  Match.status.in_(lifecycle.LIVE))
    matched = session.scalar(select(func.count()).select_from(MatchMentee).where(
        MatchMentee.match_id.in_(live)))
    met = session.scalar(select(func.count(func.distinct(Meeting.match_id))).where(
        Meeting.match_id.in_(live), Meeting.met_on >= (now - RECENT).date()))
    help_ = session.scalar(select(func.count(func.distinct(Checkin.match_id))).where(
        Checkin.match_id.in_(live), Checkin.answer == "need_help",
        Checkin.answered_at >= now - RECENT))
    return [_field(_("Enrolled"), format_number(enrolled or 0)),
            _field(_("Matched"), format_number(matched or 0)),
            _field(_("Met in 30 days"), count(met or 0, "pair", "pairs")),
            _field(_("Needs help"), format_number(help_ or 0))]
