"""What an identity provider said about people: profiles, managers named before they arrive,
and deletion (gone from provisioning, kept for reports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from core.hris.people import deactivate
from core.models import DirectoryProfile, Person, Workspace


def profile_of(session: Session, person: Person) -> DirectoryProfile | None:
    return session.get(DirectoryProfile, person.id)


def save_profile(session: Session, person: Person, *, attributes: dict[str, Any],
                 external_id: str | None, manager_ref: str | None) -> DirectoryProfile:
    """Record what the identity provider now says about ``person`` (a re-created user is
    provisioned again)."""
    profile = profile_of(session, person)
    if profile is None:
        profile = DirectoryProfile(person_id=person.id, workspace_id=person.workspace_id)
        session.add(profile)
    profile.attributes = attributes
    profile.external_id = external_id
    profile.manager_ref = manager_ref
    profile.deleted_at = None
    session.flush()
    return profile


def provisioned(workspace: Workspace) -> Select[tuple[Person]]:
    """The people an identity provider sees: with an email, not deleted by it."""
    deleted = select(DirectoryProfile.person_id).where(
        DirectoryProfile.workspace_id == workspace.id, DirectoryProfile.deleted_at.is_not(None))
    return select(Person).where(Person.workspace_id == workspace.id, Person.email.is_not(None),
                                Person.id.not_in(deleted))


def by_external_id(session: Session, workspace: Workspace, external_id: str) -> Person | None:
    """The live person whose identity-provider id is ``external_id``."""
    return session.scalar(select(Person).join(
        DirectoryProfile, DirectoryProfile.person_id == Person.id).where(
        DirectoryProfile.workspace_id == workspace.id, DirectoryProfile.external_id == external_id,
        DirectoryProfile.deleted_at.is_(None)))


def delete_from_directory(session: Session, person: Person, *, now: datetime) -> None:
    """The identity provider deleted the user: they leave (matches end, partners are told),
    disappear from provisioning, and their userName is free for someone new. Their history
    stays for reports."""
    if person.active:
        deactivate(session, person, now=now)
    profile = profile_of(session, person)
    if profile is None:
        profile = DirectoryProfile(person_id=person.id, workspace_id=person.workspace_id,
                                   attributes={})
        session.add(profile)
    profile.deleted_at = now
    profile.external_id = None
    person.email = None
    session.flush()


def link_waiting_reports(session: Session, person: Person) -> int:
    """People whose identity provider named ``person`` as their manager before ``person``
    existed now report to them. Returns how many."""
    refs = {str(person.id)}
    if person.external_id:
        refs.add(person.external_id)
    profile = profile_of(session, person)
    if profile is not None and profile.external_id:
        refs.add(profile.external_id)
    waiting = session.scalars(select(DirectoryProfile).where(
        DirectoryProfile.workspace_id == person.workspace_id,
        DirectoryProfile.manager_ref.in_(refs), DirectoryProfile.person_id != person.id,
        DirectoryProfile.deleted_at.is_(None))).all()
    for row in waiting:
        report = session.get(Person, row.person_id)
        if report is not None:
            report.manager_id = person.id
        row.manager_ref = None
    session.flush()
    return len(waiting)


def find_manager(session: Session, workspace: Workspace, ref: str) -> Person | None:
    """The manager ``ref`` names: our id, the identity provider's id, or an employee id."""
    query = select(Person).outerjoin(
        DirectoryProfile, DirectoryProfile.person_id == Person.id).where(
        Person.workspace_id == workspace.id, DirectoryProfile.deleted_at.is_(None))
    if ref.isascii() and ref.isdigit() and len(ref) < 10:
        found = session.scalar(query.where(Person.id == int(ref)))
        if found is not None:
            return found
    return session.scalar(query.where(or_(DirectoryProfile.external_id == ref,
                                          Person.external_id == ref)).limit(1))
