"""Every word a relationship hears from the bot, for each person in their own role, in their
language (``core.language.writing_to`` picks it for each recipient)."""

from __future__ import annotations

from datetime import date, datetime

from core.enrollment.texts import prefix
from core.i18n import N_, format_date, format_day, ngettext
from core.i18n import gettext as _
from core.match_runs import reasons
from core.models import Goal, GoalStatus, Match, Person, Program
from core.ui import Button, Buttons, Context, Divider, Fields, Message, Section

ICEBREAKERS = [
    N_("What's one piece of career advice you'd give your younger self?"),
    N_("What's a skill you learned outside work that helps you at work?"),
    N_("Who was the best manager you ever had, and why?"),
    N_("What's something you changed your mind about recently?"),
    N_("What does a great week at work look like for you?"),
]
DEFAULT_AGENDA = [N_("Get to know each other: roles, paths, what you want from this"),
                  N_("Agree two or three goals for the action plan"),
                  N_("Agree how often and how you'll meet")]
GOAL_LABELS = {GoalStatus.NOT_STARTED: N_("Not started"), GoalStatus.IN_PROGRESS: N_("In progress"),
               GoalStatus.DONE: N_("Done")}
GOAL_MARKS = {GoalStatus.IN_PROGRESS: N_("Mark in progress"), GoalStatus.DONE: N_("Mark done")}


def _say(text: str, *blocks: object) -> Message:
    return Message(text=text, blocks=[Section(text), *blocks])  # type: ignore[list-item]


def _who(p: Person) -> str:
    details = ", ".join(x for x in (p.title, p.department) if x)
    return f"*{p.name}*" + (f" – {details}" if details else "")


def _first(p: Person) -> str:
    return p.name.split()[0]


def and_list(names: list[str]) -> str:
    if len(names) < 2:
        return "".join(names)
    return _("{names} and {last}").format(names=", ".join(names[:-1]), last=names[-1])


def your_match() -> str:
    """Who the partner is when no name is known."""
    return _("your match")


def introduction(match: Match, program: Program, mentor: Person, mentees: list[Person],
                 goals: dict[int, str]) -> Message:
    names = and_list([_first(p) for p in [mentor, *mentees]])
    peer = program.kind.value == "peer"
    head = "👋 " + _("{names}, meet each other! You're matched in *{program}*.").format(
        names=names, program=program.name)
    mentor_role, mentee_role = " (" + _("mentor") + ")", " (" + _("mentee") + ")"
    roles = [f"{_who(mentor)}{'' if peer else mentor_role}"]
    roles += [f"{_who(p)}{'' if peer else mentee_role}" for p in mentees]
    blocks: list = [Section(head), Section("\n".join(roles))]
    if match.reasons:
        blocks.append(Section("*" + _("Why you were matched") + "*\n"
                              + "\n".join(f"• {r[:1].upper()}{r[1:].rstrip('.')}"
                                           for r in reasons.reasons(match.reasons))))
    stated = [f"*{_first(p)}:* {goals[p.id]}" for p in mentees if goals.get(p.id)]
    if stated:
        blocks.append(Section("*" + _("Development goals") + "*\n" + "\n".join(stated)))
    agenda = [line.strip() for line in program.agenda.splitlines() if line.strip()] \
        or [_(line) for line in DEFAULT_AGENDA]
    blocks.append(Section("*" + _("Suggested first meeting") + "*\n"
                          + "\n".join(f"{i}. {a}" for i, a in enumerate(agenda, 1))))
    icebreaker = _(ICEBREAKERS[match.id % len(ICEBREAKERS)])
    blocks.append(Section(_("*Icebreaker:* {question}").format(question=icebreaker)))
    blocks += [Buttons([Button(_("Schedule first meeting"), "rel.schedule", str(match.id),
                               "primary"),
                        Button(_("We met"), "rel.met", str(match.id)),
                        Button(_("Not a good fit"), "rel.notfit", str(match.id))]),
               Context([_("I'll check in every {days} days. “Not a good fit” is private and "
                          "no-fault: only the program team sees it.").format(
                   days=program.cadence_days)])]
    return Message(text=f"{head} {' · '.join(p.name for p in [mentor, *mentees])}",
                   blocks=blocks)


def nudge(program: Program, partner_names: str, match_id: int) -> Message:
    text = "⏰ " + _("A nudge from *{program}*: have you and {names} found a time this period? "
                    "Meeting every {days} days keeps things moving.").format(
        program=program.name, names=partner_names, days=program.cadence_days)
    return _say(text, Buttons([Button(_("We met"), "rel.met", str(match_id)),
                               Button(_("Schedule a meeting"), "rel.schedule", str(match_id))]))


def checkin(program: Program, partner_names: str, since: date, match_id: int,
            period: int) -> Message:
    value = f"{match_id}:{period}"
    text = _("Did you meet {names} since {day}? ({program})").format(
        names=partner_names, day=format_day(since), program=program.name)
    return _say(text, Buttons([Button(_("Yes"), "rel.checkin.yes", value, "primary"),
                               Button(_("Not yet"), "rel.checkin.notyet", value),
                               Button(_("Need help"), "rel.checkin.help", value)]))


def escalation(program: Program, partner_names: str) -> Message:
    return _say(_("It's been a while since you and {names} logged a session in *{program}*. "
                  "Life gets busy: would a short 20-minute catch-up help? If it isn't working, "
                  "ending is no-fault and you can ask for a new match.").format(
        names=partner_names, program=program.name))


def admin_quiet_note(program: Program, names: str, periods: int) -> Message:
    return _say(ngettext(
        "FYI: {names} in *{program}* have logged no session for {n} period. They've had a "
        "gentle reminder; nothing else is needed from you unless you want to reach out.",
        "FYI: {names} in *{program}* have logged no session for {n} periods. They've had a "
        "gentle reminder; nothing else is needed from you unless you want to reach out.",
        periods).format(names=names, program=program.name, n=periods))


def need_help_for_admins(program: Program, who: Person, names: str) -> Message:
    return _say("🆘 " + _("{who} asked for help with their mentoring in *{program}* ({names}). "
                         "Please reach out to them directly.").format(
        who=who.name, program=program.name, names=names))


def need_help_ack() -> Message:
    return _say(_("I've let the program team know; someone will reach out to you soon."))


def not_yet_ack(match_id: int) -> Message:
    return _say(_("No problem. A short meeting soon keeps momentum going."),
                Buttons([Button(_("Schedule a meeting"), "rel.schedule", str(match_id))]))


def meeting_logged(updated: bool) -> Message:
    return _say(_("Thanks! Your session is updated.") if updated else
                _("Thanks! Session logged. Your private notes are visible only to you."))


def survey_invite(program: Program, stage: str, match_id: int) -> Message:
    text = (_("We're halfway through *{program}*. Two quick questions about your mentoring?")
            if stage == "midpoint" else
            _("We're at the end of *{program}*. Two quick questions about your mentoring?"))
    return _say(text.format(program=program.name),
                Buttons([Button(_("Answer (1 minute)"), "rel.survey", f"{match_id}:{stage}",
                                "primary")]))


def survey_thanks() -> Message:
    return _say(_("Thank you! Your answers help shape the next round."))


def graduation(program: Program, partner_names: str) -> Message:
    return _say("🎓 " + _("*{program}* has come to an end. Congratulations to you and {names} on "
                         "the work you've put in! Keep the conversation going if it helps you "
                         "both, and watch for the next program.").format(
        program=program.name, names=partner_names))


def paused(until: datetime, by_me: bool, who: str, program: Program) -> Message:
    if by_me:
        return _say(_("Paused until {day}. No nudges until then; I'll resume "
                      "automatically.").format(day=format_day(until)))
    return _say(_("{who} paused your mentoring in *{program}* until {day}. No nudges in the "
                  "meantime; I'll pick it up again after that.").format(
        who=who, program=program.name, day=format_day(until)))


def resumed(program: Program) -> Message:
    return _say(_("Welcome back: your mentoring in *{program}* is active again.").format(
        program=program.name))


def ended_for_actor(program: Program) -> Message:
    return _say(_("Done: your match in *{program}* has ended. Thank you for taking part. "
                  "Ending is no-fault, and your reason is seen only by the program "
                  "team.").format(program=program.name))


def ended_for_partner(program: Program, who: str, platform: str) -> Message:
    return _say(_("{who} has ended your mentoring relationship in *{program}*. That happens, "
                  "and it's no-fault on either side. You stay in the program: `{command}` or "
                  "the next matching run will find you a new match.").format(
        who=who, program=program.name, command=f"{prefix(platform)} suggest"))


def ended_for_admins(program: Program, names: str, why: str, private: str) -> Message:
    text = _("A match in *{program}* ended early ({why}): {names}.").format(
        program=program.name, why=_(why), names=names)
    if private:
        text += "\n" + _("Reason (private to admins): {reason}").format(reason=private)
    return _say(text)


def rematch_for_mentee(program: Program) -> Message:
    # The engine blocks a past pair for good within its own program, and in other programs
    # only for the cooldown: say exactly that, never "never".
    days = program.cooldown_days
    if days > 0:
        text = ngettext(
            "You're back in the pool for *{program}*. You won't be paired with the same person "
            "again in this program (nor in another program for the next {n} day), and the next "
            "matching run (or `{command}`) finds you someone new.",
            "You're back in the pool for *{program}*. You won't be paired with the same person "
            "again in this program (nor in another program for the next {n} days), and the "
            "next matching run (or `{command}`) finds you someone new.", days)
    else:
        text = _("You're back in the pool for *{program}*. You won't be paired with the same "
                 "person again in this program, and the next matching run (or `{command}`) "
                 "finds you someone new.")
    return _say(text.format(program=program.name, n=days, command="/mentor suggest"))


def rematch_for_partner(program: Program, who: str) -> Message:
    return _say(_("{who} asked for a new match in *{program}*. It's no reflection on you: fit "
                  "matters, and you stay available for a new match.").format(
        who=who, program=program.name))


VERBS = {"pause": N_("Which match do you want to pause?"),
         "end": N_("Which match do you want to end?"),
         "rematch": N_("Which match do you want to rematch?")}


def choose_match(verb: str, options: list[tuple[int, str]], extra: str = "") -> Message:
    question = _(VERBS[verb]) if verb in VERBS else f"Which match do you want to {verb}?"
    return _say(question,
                Buttons([Button(label, f"rel.{verb}", f"{mid}{extra}") for mid, label in options]))


def no_live_match(platform: str) -> Message:
    return _say(_("You don't have an active match right now. `{command}` shows your "
                  "programs.").format(command=f"{prefix(platform)} status"))


def bad_weeks() -> Message:
    return _say(_("How many weeks? For example `{command}` (1 to 12 weeks).").format(
        command="/mentor pause 2"))


def plan(program: Program, owner: Person, goals: list[Goal], editable: bool) -> Message:
    head = ("*" + _("Your action plan") + f"* – {program.name}" if editable
            else "*" + _("{name}'s action plan").format(name=owner.name) + f"* – {program.name}")
    blocks: list = [Section(head)]
    if not goals:
        blocks.append(Section(_("No goals yet.") + (
            " " + _("Add two or three you can finish within the program.") if editable else "")))
    for g in goals:
        when = (" · " + _("by {day}").format(day=format_date(g.target_date))
                if g.target_date else "")
        blocks.append(Fields([f"*{g.text}*", f"{_(GOAL_LABELS[g.status])}{when}"]))
        if editable and g.status is not GoalStatus.DONE:
            nxt = (GoalStatus.IN_PROGRESS if g.status is GoalStatus.NOT_STARTED
                   else GoalStatus.DONE)
            blocks.append(Buttons([Button(_(GOAL_MARKS[nxt]), "plan.status",
                                          f"{g.id}:{nxt.value}")]))
    if editable:
        blocks += [Divider(), Buttons([Button(_("Add a goal"), "plan.add", str(owner.id),
                                              "primary")])]
    done = sum(g.status is GoalStatus.DONE for g in goals)
    summary = _("{done} of {n} goals done").format(done=done, n=len(goals))
    return Message(text=f"{head}: {summary}", blocks=blocks)


def calendar_button() -> str:
    """The label of Teams' button that opens the invite in Outlook."""
    return _("Add to calendar")


def invite_summary(names: str) -> str:
    """The calendar event's title."""
    return _("Mentoring: {names}").format(names=names)


def invite_description(program: Program) -> str:
    """The calendar event's description."""
    return _("{program}. Agenda: agree your action plan and how often you'll meet.").format(
        program=program.name)


def schedule_confirmation(program: Program, when_text: str, names: str,
                          platform: str = "") -> Message:
    # Teams bots can't attach an .ics in a 1:1 chat; the card carries an Outlook link instead.
    invite = (_("Press *{button}* below to put it in your Outlook calendar.").format(
        button=calendar_button()) if platform == "teams" else _("The calendar invite is attached."))
    return _say("📅 " + _("First meeting in *{program}* set for {when} with {names}.").format(
        program=program.name, when=when_text, names=names) + " " + invite)
