"""The small forms of a relationship: log a session, schedule, end, a goal, a survey."""

from __future__ import annotations

from datetime import date

from core.ui import FieldKind, Form, FormField, Option

TOPICS_MAX = 500
NOTES_MAX = 2000
REASON_MAX = 1000
GOAL_MAX = 300

_RATINGS = [Option(str(i), f"{i} – {label}") for i, label in
            ((5, "great"), (4, "good"), (3, "okay"), (2, "not great"), (1, "poor"))]
_DURATIONS = [Option(str(m), f"{m} minutes") for m in (15, 30, 45, 60, 90)]


def meeting_form(context: str, today: date) -> Form:
    return Form("meeting", "Log a session", [
        FormField("met_on", "Date", FieldKind.DATE, required=True, initial=today.isoformat()),
        FormField("duration", "How long", FieldKind.SINGLE_SELECT, options=_DURATIONS,
                  initial="30"),
        FormField("topics", "What you talked about", FieldKind.LONG_TEXT, max_length=TOPICS_MAX),
        FormField("rating", "How useful was it?", FieldKind.SINGLE_SELECT, options=_RATINGS),
        FormField("notes", "Private notes (only you will ever see these)", FieldKind.LONG_TEXT,
                  max_length=NOTES_MAX),
    ], submit_label="Save", context=context)


def schedule_form(context: str, today: date) -> Form:
    return Form("schedule", "Schedule a meeting", [
        FormField("day", "Date", FieldKind.DATE, required=True, initial=today.isoformat()),
        FormField("at", "Time (your local time)", FieldKind.TIME, required=True, initial="10:00"),
        FormField("duration", "How long", FieldKind.SINGLE_SELECT, options=_DURATIONS,
                  initial="30", required=True),
    ], submit_label="Send invite", context=context,
        intro="Both of you get a confirmation and a calendar invite.")


def end_form(context: str, not_a_fit: bool) -> Form:
    intro = ("Ending is no-fault. Your reason goes only to the program team; your match is told "
             "kindly, without it.")
    return Form("end", "Not a good fit" if not_a_fit else "End this match", [
        FormField("reason", "Why (private to the program team)", FieldKind.LONG_TEXT,
                  max_length=REASON_MAX, initial="Not a good fit" if not_a_fit else None),
        FormField("rematch", "Put me back in the pool for a new match", FieldKind.CHECKBOX,
                  initial=True),
    ], submit_label="End match", context=context, intro=intro)


def goal_form(context: str) -> Form:
    return Form("goal", "Add a goal", [
        FormField("text", "Goal", FieldKind.SHORT_TEXT, required=True, max_length=GOAL_MAX,
                  placeholder="e.g. Run a team retro on my own"),
        FormField("target", "Target date", FieldKind.DATE),
    ], submit_label="Add", context=context)


def survey_form(context: str) -> Form:
    return Form("survey", "Quick survey", [
        FormField("useful", "Was this relationship useful? (1–5)", FieldKind.SINGLE_SELECT,
                  required=True, options=[Option(str(i), str(i)) for i in range(5, 0, -1)]),
        FormField("recommend", "How likely are you to recommend the program? (0–10)",
                  FieldKind.SINGLE_SELECT, required=True,
                  options=[Option(str(i), str(i)) for i in range(10, -1, -1)]),
        FormField("comment", "Anything else?", FieldKind.LONG_TEXT, max_length=NOTES_MAX),
        FormField("consent", "You may quote me anonymously in program reports",
                  FieldKind.CHECKBOX),
    ], submit_label="Send", context=context)
