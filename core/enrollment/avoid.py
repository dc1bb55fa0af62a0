"""A private do-not-match list: the other person is never told, and never proposed again."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.enrollment.texts import prefix
from core.events import Actor, Intent, Reply, UpdateMessage
from core.i18n import gettext as _
from core.ids import get_by_id
from core.models import DoNotMatch, Person
from core.people_refs import find_person
from core.ui import Button, Buttons, Context, Message, Section


def _say(text: str, *blocks: object) -> Message:
    return Message(text=text, blocks=[Section(text), *blocks])  # type: ignore[list-item]


def avoid(session: Session, person: Person, actor: Actor, arg: str) -> list[Intent]:
    """``avoid`` lists, ``avoid <person>`` adds, ``avoid remove <person>`` removes."""
    p = prefix(actor.platform)
    words = arg.split(" ", 1)
    if not arg:
        rows = session.execute(
            select(DoNotMatch.id, Person.name).join(Person, Person.id == DoNotMatch.other_id)
            .where(DoNotMatch.person_id == person.id).order_by(Person.name)).all()
        if not rows:
            return [Reply(_say(_(
                "Your do-not-match list is empty. Add someone with `{command}`: I'll never pair "
                "you, and they won't be told.").format(command=f"{p} avoid <@person or email>")))]
        names = ", ".join(name for _id, name in rows)
        return [Reply(_say(_("I'll never pair you with: {names}.").format(names=names),
                           Context([_("Remove someone with `{command}`.").format(
                               command=f"{p} avoid remove <person>")])))]
    remove = words[0].lower() == "remove" and len(words) > 1
    target = find_person(session, person, words[1] if remove else arg, actor.platform,
                         actor.tenant_id)
    if target is None:
        return [Reply(_say(_("I couldn't find “{name}”. Use an @mention or their work "
                             "email.").format(name=(words[1] if remove else arg)[:80])))]
    if target.id == person.id:
        return [Reply(_say(_("You're never matched with yourself, promise.")))]
    row = session.scalar(select(DoNotMatch).where(DoNotMatch.person_id == person.id,
                                                  DoNotMatch.other_id == target.id))
    if remove:
        if row is not None:
            session.delete(row)
        return [Reply(_say(_("{name} is off your do-not-match list.").format(
            name=target.name)))]
    if row is None:
        row = DoNotMatch(person_id=person.id, other_id=target.id)
        session.add(row)
        session.flush()
    return [Reply(_say(_("Done: I'll never pair you with {name}. They won't be told.").format(
        name=target.name), Buttons([Button(_("Undo"), "avoid.undo", str(row.id))])))]


def undo(session: Session, person: Person, value: str) -> list[Intent]:
    """The Undo button under a fresh entry."""
    row = get_by_id(session, DoNotMatch, value)
    if row is None or row.person_id != person.id:
        return [UpdateMessage(_say(_("Nothing to undo.")))]
    other = session.get(Person, row.other_id)
    session.delete(row)
    return [UpdateMessage(_say(
        _("Undone: {name} can be matched with you again.").format(name=other.name) if other
        else _("Undone: they can be matched with you again.")))]
