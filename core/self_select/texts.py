"""What mentees and mentors are told in self-select."""

from __future__ import annotations

from core.enrollment.texts import prefix
from core.ui import Button, Buttons, Context, Message, Section

REQUEST_DAYS = 7


def _say(text: str) -> Message:
    return Message(text=text, blocks=[Section(text)])


def suggestions(program_name: str, rows: list[tuple[int, str, str, str]],
                platform: str) -> Message:
    """rows: (mentor id, name, title and department, reasons), best first."""
    head = f"Mentors I'd suggest for you in *{program_name}*:"
    blocks: list = [Section(head)]
    for mentor_id, name, role, reasons in rows:
        blocks.append(Section(f"*{name}* – {role}\n{reasons}"))
        blocks.append(Buttons([Button(f"Ask {name.split()[0]}", "request.ask",
                                      f"{mentor_id}", "primary")]))
    blocks.append(Context([f"They have {REQUEST_DAYS} days to answer. If nobody answers, "
                           "the program's next matching run finds you a mentor. "
                           f"`{prefix(platform)} status` shows where you are."]))
    return Message(text=head + " " + ", ".join(r[1] for r in rows), blocks=blocks)


def no_suggestions(program_name: str) -> Message:
    return _say(f"I have no mentor to suggest in *{program_name}* right now (everyone with "
                "room is in your reporting line, on a do-not-match list, or has answered "
                "already). You stay in the pool for the program's next matching run.")


def not_a_mentee(platform: str) -> Message:
    return _say("Suggestions are for mentees who are not matched yet. "
                f"`{prefix(platform)} join` to enroll as a mentee.")


def asked(mentor: str) -> Message:
    return _say(f"I've asked {mentor}. I'll tell you as soon as they answer.")


def already_waiting(mentor: str) -> Message:
    return _say(f"You're waiting for {mentor}'s answer. One request at a time keeps it fair; "
                f"if they don't answer within {REQUEST_DAYS} days it lapses on its own.")


def request_for_mentor(mentee: str, details: str, goals: str, reasons: str,
                       request_id: int) -> Message:
    text = f"{mentee} ({details}) would like you as their mentor."
    blocks: list = [Section(text)]
    if goals:
        blocks.append(Section(f"*Their goals*\n{goals}"))
    if reasons:
        blocks.append(Section(f"*Why you*\n{reasons}"))
    blocks += [Buttons([Button("Accept", "request.accept", str(request_id), "primary"),
                        Button("Decline", "request.decline", str(request_id))]),
               Context([f"No answer in {REQUEST_DAYS} days counts as a no, and they're told "
                        "kindly. Declining is fine: they won't see why."])]
    return Message(text=text, blocks=blocks)


def accepted_for_mentor(mentee: str) -> Message:
    return _say(f"You're now {mentee}'s mentor. I'll introduce you both shortly.")


def accepted_for_mentee(mentor: str) -> Message:
    return _say(f"Good news: {mentor} accepted. You're matched! I'll introduce you both shortly.")


def declined_for_mentor(mentee: str) -> Message:
    return _say(f"Thanks for answering. I've let {mentee} know, kindly and without a reason.")


def declined_for_mentee(mentor: str, platform: str) -> Message:
    return _say(f"{mentor} can't take a mentee right now. That's no reflection on you. "
                f"`{prefix(platform)} suggest` shows other mentors, or you stay in the pool "
                "for the next matching run.")


def expired_for_mentee(mentor: str) -> Message:
    return _say(f"{mentor} didn't answer in {REQUEST_DAYS} days, so I've withdrawn the request. "
                "You stay in the pool, and the program's next matching run finds you a mentor.")


def no_longer_possible() -> Message:
    return _say("This request can't go ahead any more: one of you was matched in the meantime "
                "or the mentor's places are full. Nothing else changed.")


def answered_already() -> Message:
    return _say("This request was already answered.")
