"""Who is an admin of a workspace: a table, seeded from the ADMIN_EMAILS setting."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from core.models import Admin, Person, Platform, PlatformIdentity


def normalise_emails(emails: Iterable[str]) -> frozenset[str]:
    return frozenset(e.strip().lower() for e in emails if e and e.strip())


def is_admin(session: Session, person: Person, seeded: frozenset[str] = frozenset()) -> bool:
    """True for a recorded admin; a person named in the settings is recorded on first check."""
    found = session.scalar(
        select(Admin).where(Admin.workspace_id == person.workspace_id,
                            Admin.person_id == person.id))
    if found is not None:
        return found.revoked_at is None
    if person.email and person.email.lower() in seeded:
        session.add(Admin(workspace_id=person.workspace_id, person_id=person.id))
        session.flush()
        return True
    return False


def grant(session: Session, person: Person, by: Person | None = None) -> bool:
    """Make ``person`` an admin; False when they already were."""
    row = session.scalar(select(Admin).where(Admin.workspace_id == person.workspace_id,
                                             Admin.person_id == person.id))
    if row is not None and row.revoked_at is None:
        return False
    if row is None:
        session.add(Admin(workspace_id=person.workspace_id, person_id=person.id,
                          granted_by_id=by.id if by else None))
    else:
        row.revoked_at, row.granted_by_id = None, by.id if by else None
    session.flush()
    return True


def admin_people(session: Session, workspace_id: int) -> list[Person]:
    """The people who are admins of a workspace now (revoked ones excluded)."""
    return list(session.scalars(select(Person).join(Admin, Admin.person_id == Person.id).where(
        Admin.workspace_id == workspace_id, Admin.revoked_at.is_(None))))


def active_admins(session: Session, workspace_id: int) -> list[Admin]:
    return list(session.scalars(select(Admin).where(Admin.workspace_id == workspace_id,
                                                    Admin.revoked_at.is_(None))))


def seed_admins(session: Session, workspace_id: int, seeded: frozenset[str]) -> None:
    """Record the ADMIN_EMAILS people of a workspace as admins (once; a revoked row stays)."""
    if not seeded:
        return
    known = select(Admin.person_id).where(Admin.workspace_id == workspace_id)
    for person in session.scalars(select(Person).where(
            Person.workspace_id == workspace_id, func.lower(Person.email).in_(seeded),
            Person.id.not_in(known))):
        session.add(Admin(workspace_id=workspace_id, person_id=person.id))
    session.flush()


def admin_user_ids(session: Session, platform: Platform, tenant_id: str,
                   seeded: frozenset[str] = frozenset()) -> set[str]:
    """The platform user ids of this tenant's admins now: recorded, not revoked, or named in
    ADMIN_EMAILS and not yet recorded (they become admins on first contact)."""
    recorded = select(Admin.person_id).where(Admin.workspace_id == Person.workspace_id,
                                             Admin.person_id == Person.id)
    live = recorded.where(Admin.revoked_at.is_(None))
    is_admin_now = live.exists()
    if seeded:
        is_admin_now = or_(is_admin_now, and_(~recorded.exists(),
                                              func.lower(Person.email).in_(seeded)))
    return set(session.scalars(
        select(PlatformIdentity.user_id).join(Person, Person.id == PlatformIdentity.person_id)
        .where(PlatformIdentity.platform == platform, PlatformIdentity.tenant_id == tenant_id,
               Person.active.is_(True), is_admin_now)))
