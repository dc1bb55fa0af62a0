"""What mentees and mentors are told in self-select, in the reader's language."""

from __future__ import annotations

from core.enrollment.texts import prefix
from core.i18n import gettext as _
from core.match_runs import reasons as explained
from core.ui import Button, Buttons, Context, Message, Section

REQUEST_DAYS = 7


def _say(text: str) -> Message:
    text = text[:1].upper() + text[1:]  # "your mentor didn't answer" opens a sentence
    return Message(text=text, blocks=[Section(text)])


def suggestions(program_name: str, rows: list[tuple[int, str, str, str]],
                platform: str) -> Message:
    """rows: (mentor id, name, title and department, reasons), best first."""
    head = _("Mentors I'd suggest for you in *{program}*:").format(program=program_name)
    blocks: list = [Section(head)]
    for mentor_id, name, role, reasons in rows:
        blocks.append(Section(f"*{name}* – {role}\n{explained.explanation(reasons)}"))
        blocks.append(Buttons([Button(_("Ask {name}").format(name=name.split()[0]),
                                      "request.ask", f"{mentor_id}", "primary")]))
    blocks.append(Context([_(
        "They have {days} days to answer. If nobody answers, the program's next matching run "
        "finds you a mentor. `{command}` shows where you are.").format(
        days=REQUEST_DAYS, command=f"{prefix(platform)} status")]))
    return Message(text=head + " " + ", ".join(r[1] for r in rows), blocks=blocks)


def no_suggestions(program_name: str) -> Message:
    return _say(_("I have no mentor to suggest in *{program}* right now (everyone with room is "
                  "in your reporting line, on a do-not-match list, or has answered already). "
                  "You stay in the pool for the program's next matching run.").format(
        program=program_name))


def not_a_mentee(platform: str) -> Message:
    return _say(_("Suggestions are for mentees who are not matched yet. `{command}` to enroll "
                  "as a mentee.").format(command=f"{prefix(platform)} join"))


def your_mentor() -> str:
    """Who a mentor is when their record is gone."""
    return _("your mentor")


def asked(mentor: str) -> Message:
    return _say(_("I've asked {mentor}. I'll tell you as soon as they answer.").format(
        mentor=mentor))


def already_waiting(mentor: str) -> Message:
    return _say(_("You're waiting for {mentor}'s answer. One request at a time keeps it fair; "
                  "if they don't answer within {days} days it lapses on its own.").format(
        mentor=mentor, days=REQUEST_DAYS))


def request_for_mentor(mentee: str, details: str, goals: str, reasons: str,
                       request_id: int) -> Message:
    text = (_("{mentee} ({details}) would like you as their mentor.").format(
        mentee=mentee, details=details) if details else
        _("{mentee} would like you as their mentor.").format(mentee=mentee))
    blocks: list = [Section(text)]
    if goals:
        blocks.append(Section("*" + _("Their goals") + "*\n" + goals))
    if reasons:
        blocks.append(Section("*" + _("Why you") + "*\n" + explained.explanation(reasons)))
    blocks += [Buttons([Button(_("Accept"), "request.accept", str(request_id), "primary"),
                        Button(_("Decline"), "request.decline", str(request_id))]),
               Context([_("No answer in {days} days counts as a no, and they're told kindly. "
                          "Declining is fine: they won't see why.").format(days=REQUEST_DAYS)])]
    return Message(text=text, blocks=blocks)


def accepted_for_mentor(mentee: str) -> Message:
    return _say(_("You're now {mentee}'s mentor. I'll introduce you both shortly.").format(
        mentee=mentee))


def accepted_for_mentee(mentor: str) -> Message:
    return _say(_("Good news: {mentor} accepted. You're matched! I'll introduce you both "
                  "shortly.").format(mentor=mentor))


def declined_for_mentor(mentee: str) -> Message:
    return _say(_("Thanks for answering. I've let {mentee} know, kindly and without a "
                  "reason.").format(mentee=mentee))


def declined_for_mentee(mentor: str, platform: str) -> Message:
    return _say(_("{mentor} can't take a mentee right now. That's no reflection on you. "
                  "`{command}` shows other mentors, or you stay in the pool for the next "
                  "matching run.").format(mentor=mentor, command=f"{prefix(platform)} suggest"))


def expired_for_mentee(mentor: str) -> Message:
    return _say(_("{mentor} didn't answer in {days} days, so I've withdrawn the request. You "
                  "stay in the pool, and the program's next matching run finds you a "
                  "mentor.").format(mentor=mentor, days=REQUEST_DAYS))


def no_longer_possible() -> Message:
    return _say(_("This request can't go ahead any more: one of you was matched in the "
                  "meantime or the mentor's places are full. Nothing else changed."))


def answered_already() -> Message:
    return _say(_("This request was already answered."))
