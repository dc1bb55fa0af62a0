"""The starter course: five short modules a new mentor can finish in a week of coffee breaks.

Bodies use the Markdown-lite every adapter renders (*bold*, _italic_, line breaks, "•" bullets).

Every text is marked with ``N_`` and translated when an admin attaches the course
(:meth:`ModuleSpec.written`), in that admin's language: once copied, the modules are the
program's own, edited by its admins, so they are written once in the language of whoever runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core import i18n
from core.i18n import N_
from core.i18n import gettext as _


@dataclass(frozen=True)
class Module:
    """One module in one language, as it is copied into `training_modules`."""

    title: str
    body: str
    link: str
    quiz_question: str
    quiz_choices: list[str]
    quiz_answer: str


@dataclass(frozen=True)
class ModuleSpec:
    """One module as shipped; attaching it to a program copies it into `training_modules`.

    The quiz's right answer is an index into ``quiz_choices``, not a copy of its text, so it
    stays one of the choices whatever language they are translated into.
    """

    title: str
    body: str
    link: str = ""
    quiz_question: str = ""
    quiz_choices: tuple[str, ...] = ()
    quiz_answer: int | None = None
    # The same article in another language, where one exists; others read ``link``.
    links: dict[str, str] = field(default_factory=dict)

    def written(self) -> Module:
        """The module in the reader's language (``core.i18n.reading``)."""
        choices = [_(c) for c in self.quiz_choices]
        return Module(
            title=_(self.title), body=_(self.body),
            link=self.links.get(i18n.language(), self.link),
            quiz_question=_(self.quiz_question), quiz_choices=choices,
            quiz_answer=choices[self.quiz_answer] if self.quiz_answer is not None else "")


STARTER_COURSE: list[ModuleSpec] = [
    ModuleSpec(
        title=N_("Active listening"),
        body=N_(
            "Your mentee will learn more from what they hear themselves say than from your "
            "advice. Listening well makes that happen.\n\n"
            "• *Give it your full attention.* Close the laptop, silence notifications, and let "
            "a pause run a little longer than feels comfortable: the important thing often "
            "comes after it.\n"
            "• *Reflect before you respond.* \"So the hard part is getting your manager's time, "
            "not the project itself?\" shows you understood and lets them correct you.\n"
            "• *Ask open questions.* \"What would a good outcome look like?\" opens a "
            "conversation; \"Did you try X?\" closes it.\n"
            "• *Hold back the story about you.* Share your experience when it helps them, "
            "not to fill a silence.\n\n"
            "Try it in your first meeting: aim to talk for less than a third of the time."
        ),
        link="https://en.wikipedia.org/wiki/Active_listening",
        links={"de": "https://de.wikipedia.org/wiki/Aktives_Zuh%C3%B6ren",
               "fr": "https://fr.wikipedia.org/wiki/%C3%89coute_active",
               "es": "https://es.wikipedia.org/wiki/Escucha_activa"},
        quiz_question=N_(
            "Your mentee goes quiet after describing a tough week. What helps most?"),
        quiz_choices=(
            N_("Fill the silence with a similar story of your own"),
            N_("Wait a moment, then reflect back what you heard"),
            N_("Move on to the next item on the agenda"),
        ),
        quiz_answer=1,
    ),
    ModuleSpec(
        title=N_("Giving constructive feedback"),
        body=N_(
            "Good feedback is specific, timely and about something the person can change. "
            "A simple shape that works is *Situation – Behaviour – Impact*:\n\n"
            "• *Situation:* \"In Tuesday's planning meeting…\"\n"
            "• *Behaviour:* \"…you presented the estimate without the risks…\"\n"
            "• *Impact:* \"…so the team committed to a date they are now worried about.\"\n\n"
            "Then ask rather than prescribe: \"What would you do differently next time?\" "
            "Their answer sticks better than yours.\n\n"
            "Ask before you give it (\"Would some feedback on that be useful?\"), keep praise "
            "just as specific as criticism, and never deliver feedback you heard second-hand "
            "as if it were your own observation. If it stings, say so and give them time: a "
            "mentor's job is to make honest feedback feel safe."
        ),
    ),
    ModuleSpec(
        title=N_("Setting goals with your mentee"),
        body=N_(
            "Mentoring without a goal drifts into pleasant chats. In your first or second "
            "meeting, help your mentee pick one to three goals for the program.\n\n"
            "• *Their goals, not yours.* Ask what they want to be able to do in six months "
            "that they can't do today.\n"
            "• *Make them concrete.* \"Get better at presenting\" becomes \"Present the "
            "quarterly review to the leadership team by June.\"\n"
            "• *Find the next step.* Every goal needs one small action before your next "
            "meeting.\n"
            "• *Write them down.* Your mentee can keep them in `/mentor plan`, where you can "
            "read them too.\n\n"
            "Revisit the goals every few meetings. Changing a goal is fine: it usually means "
            "you both learned something."
        ),
        quiz_question=N_("Which of these is the most useful goal to agree on?"),
        quiz_choices=(
            N_("Become a better leader"),
            N_("Run the team retrospective on my own by the end of March"),
            N_("Read more about leadership"),
        ),
        quiz_answer=1,
    ),
    ModuleSpec(
        title=N_("Boundaries and confidentiality"),
        body=N_(
            "Your mentee will only be candid if they trust that what they say stays between "
            "you.\n\n"
            "• *Agree the rules in the first meeting:* what is shared stays private unless "
            "they say otherwise.\n"
            "• *Know the exceptions.* If you hear about harassment, a safety risk or a legal "
            "problem, tell your mentee you need to involve HR, and do so.\n"
            "• *Don't go to their manager.* You are not part of their performance review; "
            "if something should reach their manager, coach them to raise it.\n"
            "• *Stay in your lane.* You are a mentor, not a therapist. If they are "
            "struggling, point them kindly to the employee assistance programme.\n\n"
            "Boundaries protect you too: it is fine to say a topic is outside what you can "
            "help with."
        ),
        quiz_question=N_(
            "Your mentee mentions they are unhappy with their manager. What do you do?"),
        quiz_choices=(
            N_("Tell their manager so it can be fixed quickly"),
            N_("Keep it between you and help them decide how to raise it"),
            N_("Mention it to HR straight away"),
        ),
        quiz_answer=1,
    ),
    ModuleSpec(
        title=N_("Ending well"),
        body=N_(
            "Every mentoring relationship ends, and a good ending is worth planning.\n\n"
            "• *Look back together.* In your last meeting, revisit the goals you set: what "
            "moved, what didn't, and what your mentee will work on next on their own.\n"
            "• *Name what they did.* Be specific about the progress you saw; people "
            "remember this conversation.\n"
            "• *Agree what happens next.* An occasional coffee, or a clean close: both are "
            "fine, as long as you both know which.\n"
            "• *Give feedback on the program.* The end survey takes two minutes and shapes "
            "the next round.\n\n"
            "If a match isn't working before the end, ending early is no one's fault: "
            "`/mentor end` closes it kindly, and `/mentor rematch` finds your mentee someone "
            "new."
        ),
    ),
]
