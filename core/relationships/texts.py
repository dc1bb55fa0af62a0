"""Every word a relationship hears from the bot, for each person in their own role."""

from __future__ import annotations

from datetime import date, datetime

from core.enrollment.texts import prefix
from core.models import Goal, GoalStatus, Match, Person, Program
from core.ui import Button, Buttons, Context, Divider, Fields, Message, Section

ICEBREAKERS = [
    "What's one piece of career advice you'd give your younger self?",
    "What's a skill you learned outside work that helps you at work?",
    "Who was the best manager you ever had, and why?",
    "What's something you changed your mind about recently?",
    "What does a great week at work look like for you?",
]
DEFAULT_AGENDA = ["Get to know each other: roles, paths, what you want from this",
                  "Agree two or three goals for the action plan",
                  "Agree how often and how you'll meet"]
GOAL_LABELS = {GoalStatus.NOT_STARTED: "Not started", GoalStatus.IN_PROGRESS: "In progress",
               GoalStatus.DONE: "Done"}


def _say(text: str, *blocks: object) -> Message:
    return Message(text=text, blocks=[Section(text), *blocks])  # type: ignore[list-item]


def _who(p: Person) -> str:
    details = ", ".join(x for x in (p.title, p.department) if x)
    return f"*{p.name}*" + (f" – {details}" if details else "")


def _first(p: Person) -> str:
    return p.name.split()[0]


def introduction(match: Match, program: Program, mentor: Person, mentees: list[Person],
                 goals: dict[int, str]) -> Message:
    names = " and ".join(_first(p) for p in [mentor, *mentees])
    peer = program.kind.value == "peer"
    head = f"👋 {names}, meet each other! You're matched in *{program.name}*."
    roles = [f"{_who(mentor)}{'' if peer else ' (mentor)'}"]
    roles += [f"{_who(p)}{'' if peer else ' (mentee)'}" for p in mentees]
    blocks: list = [Section(head), Section("\n".join(roles))]
    if match.reasons:
        blocks.append(Section("*Why you were matched*\n" + "\n".join(f"• {r.rstrip('.')}"
                                                                    for r in match.reasons)))
    stated = [f"*{_first(p)}:* {goals[p.id]}" for p in mentees if goals.get(p.id)]
    if stated:
        blocks.append(Section("*Development goals*\n" + "\n".join(stated)))
    agenda = [line.strip() for line in program.agenda.splitlines() if line.strip()] \
        or DEFAULT_AGENDA
    blocks.append(Section("*Suggested first meeting*\n"
                          + "\n".join(f"{i}. {a}" for i, a in enumerate(agenda, 1))))
    blocks.append(Section(f"*Icebreaker:* {ICEBREAKERS[match.id % len(ICEBREAKERS)]}"))
    blocks += [Buttons([Button("Schedule first meeting", "rel.schedule", str(match.id), "primary"),
                        Button("We met", "rel.met", str(match.id)),
                        Button("Not a good fit", "rel.notfit", str(match.id))]),
               Context([f"I'll check in every {program.cadence_days} days. "
                        "“Not a good fit” is private and no-fault: only the program team "
                        "sees it."])]
    return Message(text=f"{head} {' · '.join(p.name for p in [mentor, *mentees])}",
                   blocks=blocks)


def nudge(program: Program, partner_names: str, match_id: int) -> Message:
    text = (f"⏰ A nudge from *{program.name}*: have you and {partner_names} found a time this "
            f"period? Meeting every {program.cadence_days} days keeps things moving.")
    return _say(text, Buttons([Button("We met", "rel.met", str(match_id)),
                               Button("Schedule a meeting", "rel.schedule", str(match_id))]))


def checkin(program: Program, partner_names: str, since: date, match_id: int,
            period: int) -> Message:
    value = f"{match_id}:{period}"
    text = f"Did you meet {partner_names} since {since:%a %d %b}? ({program.name})"
    return _say(text, Buttons([Button("Yes", "rel.checkin.yes", value, "primary"),
                               Button("Not yet", "rel.checkin.notyet", value),
                               Button("Need help", "rel.checkin.help", value)]))


def escalation(program: Program, partner_names: str) -> Message:
    return _say(f"It's been a while since you and {partner_names} logged a session in "
                f"*{program.name}*. Life gets busy: would a short 20-minute catch-up help? "
                "If it isn't working, ending is no-fault and you can ask for a new match.")


def admin_quiet_note(program: Program, names: str, periods: int) -> Message:
    return _say(f"FYI: {names} in *{program.name}* have logged no session for {periods} "
                "periods. They've had a gentle reminder; nothing else is needed from you "
                "unless you want to reach out.")


def need_help_for_admins(program: Program, who: Person, names: str) -> Message:
    return _say(f"🆘 {who.name} asked for help with their mentoring in *{program.name}* "
                f"({names}). Please reach out to them directly.")


def need_help_ack() -> Message:
    return _say("I've let the program team know; someone will reach out to you soon.")


def not_yet_ack(match_id: int) -> Message:
    return _say("No problem. A short meeting soon keeps momentum going.",
                Buttons([Button("Schedule a meeting", "rel.schedule", str(match_id))]))


def meeting_logged(updated: bool) -> Message:
    return _say("Thanks! Your session is updated." if updated else
                "Thanks! Session logged. Your private notes are visible only to you.")


def survey_invite(program: Program, stage: str, match_id: int) -> Message:
    when = "halfway through" if stage == "midpoint" else "at the end of"
    return _say(f"We're {when} *{program.name}*. Two quick questions about your mentoring?",
                Buttons([Button("Answer (1 minute)", "rel.survey", f"{match_id}:{stage}",
                                "primary")]))


def survey_thanks() -> Message:
    return _say("Thank you! Your answers help shape the next round.")


def graduation(program: Program, partner_names: str) -> Message:
    return _say(f"🎓 *{program.name}* has come to an end. Congratulations to you and "
                f"{partner_names} on the work you've put in! Keep the conversation going if "
                "it helps you both, and watch for the next program.")


def paused(until: datetime, by_me: bool, who: str, program: Program) -> Message:
    if by_me:
        return _say(f"Paused until {until:%a %d %b}. No nudges until then; I'll resume "
                    "automatically.")
    return _say(f"{who} paused your mentoring in *{program.name}* until {until:%a %d %b}. "
                "No nudges in the meantime; I'll pick it up again after that.")


def resumed(program: Program) -> Message:
    return _say(f"Welcome back: your mentoring in *{program.name}* is active again.")


def ended_for_actor(program: Program) -> Message:
    return _say(f"Done: your match in *{program.name}* has ended. Thank you for taking part. "
                "Ending is no-fault, and your reason is seen only by the program team.")


def ended_for_partner(program: Program, who: str, platform: str) -> Message:
    return _say(f"{who} has ended your mentoring relationship in *{program.name}*. That happens, "
                "and it's no-fault on either side. You stay in the program: "
                f"`{prefix(platform)} suggest` or the next matching run will find you a new match.")


def ended_for_admins(program: Program, names: str, why: str, private: str) -> Message:
    text = f"A match in *{program.name}* ended early ({why}): {names}."
    if private:
        text += f"\nReason (private to admins): {private}"
    return _say(text)


def rematch_for_mentee(program: Program) -> Message:
    # The engine blocks a past pair for good within its own program, and in other programs
    # only for the cooldown: say exactly that, never "never".
    days = program.cooldown_days
    elsewhere = (f" (nor in another program for the next {days} days)" if days > 0 else "")
    return _say(f"You're back in the pool for *{program.name}*. You won't be paired with the "
                f"same person again in this program{elsewhere}, and the next matching run "
                "(or `/mentor suggest`) finds you someone new.")


def rematch_for_partner(program: Program, who: str) -> Message:
    return _say(f"{who} asked for a new match in *{program.name}*. It's no reflection on you: "
                "fit matters, and you stay available for a new match.")


def choose_match(verb: str, options: list[tuple[int, str]], extra: str = "") -> Message:
    return _say(f"Which match do you want to {verb}?",
                Buttons([Button(label, f"rel.{verb}", f"{mid}{extra}") for mid, label in options]))


def no_live_match(platform: str) -> Message:
    return _say("You don't have an active match right now. "
                f"`{prefix(platform)} status` shows your programs.")


def bad_weeks() -> Message:
    return _say("How many weeks? For example `/mentor pause 2` (1 to 12 weeks).")


def plan(program: Program, owner: Person, goals: list[Goal], editable: bool) -> Message:
    head = (f"*Your action plan* – {program.name}" if editable
            else f"*{owner.name}'s action plan* – {program.name}")
    blocks: list = [Section(head)]
    if not goals:
        blocks.append(Section("No goals yet." + (" Add two or three you can finish within the "
                                                  "program." if editable else "")))
    for g in goals:
        when = f" · by {g.target_date:%d %b %Y}" if g.target_date else ""
        blocks.append(Fields([f"*{g.text}*", f"{GOAL_LABELS[g.status]}{when}"]))
        if editable and g.status is not GoalStatus.DONE:
            nxt = (GoalStatus.IN_PROGRESS if g.status is GoalStatus.NOT_STARTED
                   else GoalStatus.DONE)
            blocks.append(Buttons([Button(f"Mark {GOAL_LABELS[nxt].lower()}", "plan.status",
                                          f"{g.id}:{nxt.value}")]))
    if editable:
        blocks += [Divider(), Buttons([Button("Add a goal", "plan.add", str(owner.id), "primary")])]
    done = sum(g.status is GoalStatus.DONE for g in goals)
    return Message(text=f"{head}: {done} of {len(goals)} goals done", blocks=blocks)


def schedule_confirmation(program: Program, when_text: str, names: str,
                          platform: str = "") -> Message:
    # Teams bots can't attach an .ics in a 1:1 chat; the card carries an Outlook link instead.
    invite = ("Press *Add to calendar* below to put it in your Outlook calendar."
              if platform == "teams" else "The calendar invite is attached.")
    return _say(f"📅 First meeting in *{program.name}* set for {when_text} with {names}. "
                + invite)
