"""What participants do with a relationship: log sessions, check in, schedule, pause, end,
rematch, keep an action plan and answer surveys. Every handler checks membership first."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import i18n
from core.admin.rights import admin_people
from core.events import (
    Actor,
    CloseForm,
    DirectMessage,
    FormErrors,
    Intent,
    OpenForm,
    Reply,
    UpdateMessage,
)
from core.i18n import N_, format_date, format_day_and_time
from core.i18n import gettext as _
from core.ids import get_by_id
from core.language import shared_language, writing_to
from core.models import (
    Checkin,
    EndReason,
    Goal,
    GoalStatus,
    Match,
    MatchStatus,
    Meeting,
    Person,
    Program,
    SurveyResponse,
)
from core.outbox.enqueue import latest_identity
from core.relationships import forms, ics, lifecycle
from core.relationships import texts as t
from core.relationships.timing import period_index, zone
from core.ui import FileAttachment, Message, validate

MAX_PAUSE_WEEKS = 12
# The surveys the planner sends; a stage arrives back in a button value or form context, so
# it is checked here: anything else would store a survey row per invented stage.
SURVEY_STAGES = ("midpoint", "end")
# How far ahead a first meeting or a goal's target date may be: a typo, not a plan, beyond it.
MAX_SCHEDULE_AHEAD = timedelta(days=366)
MAX_TARGET_AHEAD = timedelta(days=5 * 366)
# Check-in periods count cadence periods since the match began; a program lasts a few years.
MAX_PERIOD = 1000


def pause_weeks(text: str) -> int | None:
    """How many weeks ``text`` asks to pause for: 1 to MAX_PAUSE_WEEKS, else None.

    The one rule for ``/mentor pause <weeks>`` and the pause button's value alike.
    """
    text = text.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 3:
        return None
    weeks = int(text)
    return weeks if 1 <= weeks <= MAX_PAUSE_WEEKS else None


def survey_stage(context: str) -> str | None:
    """The survey stage a value like ``"12:midpoint"`` names, if it is one the bot sends."""
    stage = context.split(":", 1)[1] if ":" in context else "end"
    return stage if stage in SURVEY_STAGES else None


@dataclass
class Relationships:
    """Handlers for one actor in one transaction."""

    session: Session
    person: Person
    actor: Actor
    now: datetime

    # --- helpers ---------------------------------------------------------------------------

    def _match(self, value: str, *, ended_ok: bool = False) -> Match | None:
        """The live match named by ``value`` ("<id>" or "<id>:..."), if the actor is in it.

        ``ended_ok``: the end-of-program survey is answered after the match completed.
        """
        head = value.split(":", 1)[0]
        match = get_by_id(self.session, Match, head)
        if match is None or self.person.id not in lifecycle.members(match):
            return None
        if match.status is MatchStatus.ENDED and ended_ok:
            return match
        return match if match.status in lifecycle.LIVE else None

    def _people(self, match: Match) -> list[Person]:
        return [p for p in (self.session.get(Person, i) for i in lifecycle.members(match)) if p]

    def _others(self, match: Match) -> list[Person]:
        return [p for p in self._people(match) if p.id != self.person.id]

    def _program(self, match: Match) -> Program:
        program = self.session.get(Program, match.program_id)
        assert program is not None
        return program

    def _admins(self, program: Program) -> list[Person]:
        return admin_people(self.session, program.workspace_id)

    def _period(self, match: Match, on: date | None = None) -> int:
        start = match.published_at or match.created_at
        when = (datetime.combine(on, datetime.min.time(), zone(self.person.timezone))
                if on else self.now)
        return max(0, period_index(start, when, self._program(match).cadence_days))

    def _names(self, people: list[Person]) -> str:
        return t.and_list([p.name for p in people]) or t.your_match()

    def _dm(self, person: Person, message: Message | Callable[[], Message],
            key: str) -> DirectMessage:
        """A DM to ``person``; a builder writes it in their language."""
        if callable(message):
            with writing_to(person):
                message = message()
        return DirectMessage(person.id, message, key)

    def _stale(self) -> list[Intent]:
        return [Reply(t.no_live_match(self.actor.platform))]

    def _pick(self, verb: str, extra: str = "") -> tuple[Match | None, list[Intent]]:
        live = lifecycle.live_matches_for(self.session, self.person)
        if not live:
            return None, self._stale()
        if len(live) == 1:
            return live[0], []
        options = [(m.id, f"{self._names(self._others(m))} ({self._program(m).name})")
                   for m in live]
        return None, [Reply(t.choose_match(verb, options, extra))]

    # --- buttons ---------------------------------------------------------------------------

    def button(self, action_id: str, value: str) -> list[Intent]:
        match = self._match(value, ended_ok=action_id == "rel.survey")
        if match is None:
            return self._stale()
        today = self.now.astimezone(zone(self.person.timezone)).date()
        if action_id == "rel.met":
            return [OpenForm(forms.meeting_form(str(match.id), today))]
        if action_id == "rel.schedule":
            return [OpenForm(forms.schedule_form(str(match.id), today))]
        if action_id == "rel.notfit":
            return [OpenForm(forms.end_form(f"{match.id}:notfit", not_a_fit=True))]
        if action_id == "rel.survey":
            if survey_stage(value) is None:
                return self._stale()
            return [OpenForm(forms.survey_form(value))]
        if action_id.startswith("rel.checkin."):
            return self._checkin(match, action_id.rsplit(".", 1)[1], value, today)
        if action_id == "rel.pause":
            # The button carries "<match>:<weeks>": the same 1-12 weeks as the command.
            weeks = pause_weeks(value.split(":", 1)[1] if ":" in value else "2")
            if weeks is None:
                return [Reply(t.bad_weeks())]
            return self._pause(match, weeks)
        if action_id == "rel.end":
            return [OpenForm(forms.end_form(str(match.id), not_a_fit=False))]
        if action_id == "rel.rematch":
            return self._rematch(match)
        return self._stale()

    def _checkin(self, match: Match, answer: str, value: str, today: date) -> list[Intent]:
        period = value.split(":", 1)[1] if ":" in value else ""
        if not (period.isascii() and period.isdigit()) or int(period) > MAX_PERIOD:
            return self._stale()
        stored = {"yes": "yes", "notyet": "not_yet", "help": "need_help"}[answer]
        row = self.session.scalar(select(Checkin).where(
            Checkin.match_id == match.id, Checkin.person_id == self.person.id,
            Checkin.period == int(period)))
        if row is None:
            self.session.add(Checkin(match_id=match.id, person_id=self.person.id,
                                     period=int(period), answer=stored, answered_at=self.now))
        else:  # answering again updates the one stored answer
            row.answer, row.answered_at = stored, self.now
        if answer == "yes":
            return [OpenForm(forms.meeting_form(f"{match.id}:{period}", today))]
        if answer == "notyet":
            return [Reply(t.not_yet_ack(match.id))]
        program = self._program(match)
        names = self._names(self._people(match))
        return [Reply(t.need_help_ack())] + [
            self._dm(a, lambda: t.need_help_for_admins(program, self.person, names),
                     f"need-help:{match.id}:{period}:{self.person.id}:{a.id}")
            for a in self._admins(program)]

    # --- commands --------------------------------------------------------------------------

    def command(self, verb: str, arg: str) -> list[Intent]:
        if verb == "pause":
            weeks = pause_weeks(arg.split(" ", 1)[0])
            if weeks is None:
                return [Reply(t.bad_weeks())]
            match, ask = self._pick("pause", f":{weeks}")
            return ask or self._pause(match, weeks)  # type: ignore[arg-type]
        if verb == "resume":
            paused = [m for m in lifecycle.live_matches_for(self.session, self.person)
                      if m.status is MatchStatus.PAUSED]
            if not paused:
                return self._stale()
            intents: list[Intent] = []
            for m in paused:
                lifecycle.resume(self.session, m, now=self.now, actor=self.person)
                program = self._program(m)
                intents += [self._dm(p, lambda program=program: t.resumed(program),
                                     f"resumed:{m.id}:{self.now.isoformat()}:{p.id}")
                            for p in self._people(m)]
            return intents
        if verb == "end":
            match, ask = self._pick("end")
            return ask or [OpenForm(forms.end_form(str(match.id), not_a_fit=False))]  # type: ignore[union-attr]
        if verb == "rematch":
            match, ask = self._pick("rematch")
            return ask or self._rematch(match)  # type: ignore[arg-type]
        return self._stale()

    def _pause(self, match: Match, weeks: int) -> list[Intent]:
        if match.status is MatchStatus.PAUSED:
            lifecycle.resume(self.session, match, now=self.now, actor=self.person)
        until = self.now + timedelta(weeks=weeks)
        lifecycle.pause(self.session, match, until, now=self.now, actor=self.person)
        program = self._program(match)
        return [Reply(t.paused(until, True, self.person.name, program))] + [
            self._dm(p, lambda: t.paused(until, False, self.person.name, program),
                     f"paused:{match.id}:{until.isoformat()}:{p.id}")
            for p in self._others(match)]

    def _rematch(self, match: Match) -> list[Intent]:
        mentee_ids = [m.person_id for m in match.mentees]
        program = self._program(match)
        others = self._others(match)
        lifecycle.end(self.session, match, EndReason.REMATCHED, now=self.now, actor=self.person)
        names = self._names(self._people(match))
        intents: list[Intent] = [Reply(t.rematch_for_mentee(program))
                                 if self.person.id in mentee_ids
                                 else Reply(t.ended_for_actor(program))]
        intents += [self._dm(p, lambda: t.rematch_for_partner(program, self.person.name),
                             f"rematch:{match.id}:{p.id}") for p in others]
        intents += [self._dm(a, lambda: t.ended_for_admins(program, names,
                                                           N_("rematch requested"), ""),
                             f"rematch-admin:{match.id}:{a.id}") for a in self._admins(program)]
        return intents

    def plan(self) -> list[Intent]:
        live = lifecycle.live_matches_for(self.session, self.person)
        if not live:
            return self._stale()
        out: list[Intent] = []
        for match in live:
            mentee_ids = [m.person_id for m in match.mentees]
            owners = [self.person.id] if self.person.id in mentee_ids else mentee_ids
            for owner_id in owners:
                out.append(Reply(self._plan_message(match, owner_id)))
        return out

    def _plan_message(self, match: Match, owner_id: int) -> Message:
        owner = self.session.get(Person, owner_id)
        assert owner is not None
        goals = list(self.session.scalars(select(Goal).where(
            Goal.match_id == match.id, Goal.owner_id == owner_id).order_by(Goal.id)).all())
        return t.plan(self._program(match), owner, goals, editable=owner_id == self.person.id)

    def plan_button(self, action_id: str, value: str) -> list[Intent]:
        if action_id == "plan.add":
            live = [m for m in lifecycle.live_matches_for(self.session, self.person)
                    if self.person.id in [x.person_id for x in m.mentees]]
            if not live:
                return self._stale()
            return [OpenForm(forms.goal_form(str(live[0].id)))]
        goal_id, _sep, status = value.partition(":")
        goal = get_by_id(self.session, Goal, goal_id)
        known = {g.value for g in GoalStatus}
        if goal is None or goal.owner_id != self.person.id or status not in known:
            return self._stale()
        goal.status = GoalStatus(status)
        match = self.session.get(Match, goal.match_id)
        assert match is not None
        self.session.flush()
        return [UpdateMessage(self._plan_message(match, self.person.id))]

    # --- forms -----------------------------------------------------------------------------

    def submit(self, form_id: str, values: dict[str, Any], context: str) -> list[Intent]:
        match = self._match(context, ended_ok=form_id == "survey")
        if match is None or (form_id == "survey" and survey_stage(context) is None):
            return self._stale()
        today = self.now.astimezone(zone(self.person.timezone)).date()
        builders = {"meeting": lambda: forms.meeting_form(context, today),
                    "schedule": lambda: forms.schedule_form(context, today),
                    "end": lambda: forms.end_form(context, context.endswith(":notfit")),
                    "goal": lambda: forms.goal_form(context),
                    "survey": lambda: forms.survey_form(context)}
        form = builders[form_id]()
        clean, errors = validate(form, values)
        errors = errors or self._date_errors(form_id, match, clean, today)
        if errors:
            return [FormErrors(errors, form)]
        handler = getattr(self, f"_save_{form_id}")
        return handler(match, clean, context)

    def _date_errors(self, form_id: str, match: Match, clean: dict[str, Any],
                     today: date) -> dict[str, str]:
        """Dates must make sense for this match: a session between its start and today, a
        meeting from today to a year ahead, a goal's target within five years."""
        if form_id == "meeting":
            began = (match.published_at or match.created_at or self.now)
            began_on = began.astimezone(zone(self.person.timezone)).date() - timedelta(days=1)
            if clean["met_on"] > today:
                return {"met_on": _("That date is in the future: log a session once it happened.")}
            if clean["met_on"] < began_on:
                return {"met_on": _("Pick a date since your match began ({day}).").format(
                    day=format_date(began_on, "long"))}
        if form_id == "schedule":
            if clean["day"] < today:
                return {"day": _("Please pick today or a later date.")}
            if clean["day"] > today + MAX_SCHEDULE_AHEAD:
                return {"day": _("Please pick a date within the next year.")}
        if form_id == "goal" and clean.get("target") is not None:
            if not today - MAX_SCHEDULE_AHEAD <= clean["target"] <= today + MAX_TARGET_AHEAD:
                return {"target": _("Pick a target date within the next five years.")}
        return {}

    def _save_meeting(self, match: Match, clean: dict[str, Any], context: str) -> list[Intent]:
        period = self._period(match, clean["met_on"])
        row = self.session.scalar(select(Meeting).where(
            Meeting.match_id == match.id, Meeting.logged_by_id == self.person.id,
            Meeting.period == period))
        fields = dict(met_on=clean["met_on"], topics=clean["topics"] or "",
                      duration_minutes=int(clean["duration"]) if clean["duration"] else None,
                      rating=int(clean["rating"]) if clean["rating"] else None,
                      private_notes=clean["notes"] or "")
        if row is None:
            self.session.add(Meeting(match_id=match.id, logged_by_id=self.person.id,
                                     period=period, **fields))
        else:
            for k, v in fields.items():
                setattr(row, k, v)
        return [CloseForm(), self._dm(self.person, lambda: t.meeting_logged(row is not None),
                                      f"meeting:{match.id}:{period}:{self.person.id}:"
                                      f"{self.now.isoformat()}")]

    def _save_schedule(self, match: Match, clean: dict[str, Any], context: str) -> list[Intent]:
        start = datetime.combine(clean["day"], clean["at"], zone(self.person.timezone))
        match.first_meeting_at = match.first_meeting_at or start
        program = self._program(match)
        people = self._people(match)
        # One invite for everyone in it: in the language they share, else the workspace's.
        with i18n.reading(shared_language(people)):
            summary = t.invite_summary(" & ".join(p.name for p in people))
            description = t.invite_description(program)
        invite = ics.invite(uid=f"mentorbot-{match.id}-{start:%Y%m%d%H%M}@mentorbot",
                            start=start, minutes=int(clean["duration"]), summary=summary,
                            description=description,
                            attendees=[(p.name, p.email or "") for p in people], stamp=self.now)
        intents: list[Intent] = [CloseForm()]
        for p in people:
            local = start.astimezone(zone(p.timezone))
            reached_on = latest_identity(self.session, p.id)
            with writing_to(p):
                when = f"{format_day_and_time(local)} ({p.timezone})"
                message = t.schedule_confirmation(program, when, self._names(
                    [x for x in people if x.id != p.id]),
                    reached_on.platform.value if reached_on else "")
                button = t.calendar_button()
            message = Message(message.text, message.blocks,
                              FileAttachment("mentoring.ics", invite, "text/calendar", button))
            intents.append(self._dm(p, message, f"schedule:{match.id}:{start.isoformat()}:{p.id}"))
        return intents

    def _save_end(self, match: Match, clean: dict[str, Any], context: str) -> list[Intent]:
        program = self._program(match)
        others = self._others(match)
        names = self._names(self._people(match))
        lifecycle.end(self.session, match, EndReason.ENDED_EARLY, now=self.now,
                      actor=self.person, private_reason=clean["reason"] or "")
        why = N_("not a good fit") if context.endswith(":notfit") else N_("ended early")
        intents: list[Intent] = [CloseForm(), self._dm(
            self.person, lambda: t.ended_for_actor(program), f"ended:{match.id}:{self.person.id}")]
        intents += [self._dm(p, lambda: t.ended_for_partner(program, self.person.name,
                                                    self.actor.platform),
                             f"ended:{match.id}:{p.id}") for p in others]
        intents += [self._dm(a, lambda: t.ended_for_admins(program, names, why,
                                                           clean["reason"] or ""),
                             f"ended-admin:{match.id}:{a.id}") for a in self._admins(program)]
        return intents

    def _save_goal(self, match: Match, clean: dict[str, Any], context: str) -> list[Intent]:
        if self.person.id not in [m.person_id for m in match.mentees]:
            return self._stale()
        self.session.add(Goal(match_id=match.id, owner_id=self.person.id, text=clean["text"],
                              target_date=clean["target"]))
        self.session.flush()
        return [CloseForm(), self._dm(self.person, self._plan_message(match, self.person.id),
                                      f"plan:{match.id}:{self.person.id}:{self.now.isoformat()}")]

    def _save_survey(self, match: Match, clean: dict[str, Any], context: str) -> list[Intent]:
        stage = survey_stage(context)
        if stage is None:
            return self._stale()
        row = self.session.scalar(select(SurveyResponse).where(
            SurveyResponse.match_id == match.id, SurveyResponse.person_id == self.person.id,
            SurveyResponse.stage == stage))
        fields = dict(useful=int(clean["useful"]), recommend=int(clean["recommend"]),
                      comment=clean["comment"] or "", consent_to_quote=bool(clean["consent"]),
                      answered_at=self.now)
        if row is None:
            self.session.add(SurveyResponse(match_id=match.id, person_id=self.person.id,
                                            stage=stage, **fields))
        else:
            for k, v in fields.items():
                setattr(row, k, v)
        return [CloseForm(), self._dm(self.person, lambda: t.survey_thanks(),
                                      f"survey-thanks:{match.id}:{stage}:{self.person.id}")]

