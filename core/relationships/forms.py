"""The small forms of a relationship: log a session, schedule, end, a goal, a survey."""

from __future__ import annotations

from datetime import date

from core.i18n import N_
from core.i18n import gettext as _
from core.ui import FieldKind, Form, FormField, Option

TOPICS_MAX = 500
NOTES_MAX = 2000
REASON_MAX = 1000
GOAL_MAX = 300

_RATING_WORDS = ((5, N_("great")), (4, N_("good")), (3, N_("okay")), (2, N_("not great")),
                 (1, N_("poor")))


def _ratings() -> list[Option]:
    return [Option(str(i), f"{i} – {_(label)}") for i, label in _RATING_WORDS]


def _durations() -> list[Option]:
    return [Option(str(m), _("{n} minutes").format(n=m)) for m in (15, 30, 45, 60, 90)]


def meeting_form(context: str, today: date) -> Form:
    return Form("meeting", _("Log a session"), [
        FormField("met_on", _("Date"), FieldKind.DATE, required=True, initial=today.isoformat()),
        FormField("duration", _("How long"), FieldKind.SINGLE_SELECT, options=_durations(),
                  initial="30"),
        FormField("topics", _("What you talked about"), FieldKind.LONG_TEXT,
                  max_length=TOPICS_MAX),
        FormField("rating", _("How useful was it?"), FieldKind.SINGLE_SELECT, options=_ratings()),
        FormField("notes", _("Private notes (only you will ever see these)"), FieldKind.LONG_TEXT,
                  max_length=NOTES_MAX),
    ], submit_label=_("Save"), context=context)


def schedule_form(context: str, today: date) -> Form:
    return Form("schedule", _("Schedule a meeting"), [
        FormField("day", _("Date"), FieldKind.DATE, required=True, initial=today.isoformat()),
        FormField("at", _("Time (your local time)"), FieldKind.TIME, required=True,
                  initial="10:00"),
        FormField("duration", _("How long"), FieldKind.SINGLE_SELECT, options=_durations(),
                  initial="30", required=True),
    ], submit_label=_("Send invite"), context=context,
        intro=_("Both of you get a confirmation and a calendar invite."))


def end_form(context: str, not_a_fit: bool) -> Form:
    intro = _("Ending is no-fault. Your reason goes only to the program team; your match is "
              "told kindly, without it.")
    return Form("end", _("Not a good fit") if not_a_fit else _("End this match"), [
        FormField("reason", _("Why (private to the program team)"), FieldKind.LONG_TEXT,
                  max_length=REASON_MAX, initial=_("Not a good fit") if not_a_fit else None),
        FormField("rematch", _("Put me back in the pool for a new match"), FieldKind.CHECKBOX,
                  initial=True),
    ], submit_label=_("End match"), context=context, intro=intro)


def goal_form(context: str) -> Form:
    return Form("goal", _("Add a goal"), [
        FormField("text", _("Goal"), FieldKind.SHORT_TEXT, required=True, max_length=GOAL_MAX,
                  placeholder=_("e.g. Run a team retro on my own")),
        FormField("target", _("Target date"), FieldKind.DATE),
    ], submit_label=_("Add"), context=context)


def survey_form(context: str) -> Form:
    return Form("survey", _("Quick survey"), [
        FormField("useful", _("Was this relationship useful? (1–5)"), FieldKind.SINGLE_SELECT,
                  required=True, options=[Option(str(i), str(i)) for i in range(5, 0, -1)]),
        FormField("recommend", _("How likely are you to recommend the program? (0–10)"),
                  FieldKind.SINGLE_SELECT, required=True,
                  options=[Option(str(i), str(i)) for i in range(10, -1, -1)]),
        FormField("comment", _("Anything else?"), FieldKind.LONG_TEXT, max_length=NOTES_MAX),
        FormField("consent", _("You may quote me anonymously in program reports"),
                  FieldKind.CHECKBOX),
    ], submit_label=_("Send"), context=context)
