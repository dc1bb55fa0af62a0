"""The demo organisation in the Microsoft 365 Agents Playground's tenant, with its sample
users as employees, so Teams can be tried offline (``mentorbot teams-playground``).

The playground (npm ``@microsoft/m365agentsplayground``) plays a Teams tenant whose roster
gives these users' emails; the bot links them to these records on first contact or when it is
added to the playground's team, as it would in a real tenant.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from core.demo.organisation import DemoSummary, load_demo
from core.identity import get_or_create_workspace
from core.models import Person, Platform, PlatformIdentity

PLAYGROUND_TENANT = "00000000-0000-0000-0000-0000000000001"
# The playground's built-in users (its default config), as the HR system would list them.
# Alex Wilber is the playground's own user; ADMIN_EMAILS names him so admin commands work.
PLAYGROUND_PEOPLE = (
    ("Alex Wilber", "alexw@example.com", "Engineering Manager", "Engineering", 5),
    ("Megan Bowen", "meganb@example.com", "Marketing Lead", "Marketing", 4),
    ("Adele Vance", "adelev@example.com", "Product Manager", "Product", 4),
    ("Isaiah Langer", "isaiahl@example.com", "Sales Associate", "Sales", 2),
    ("Patti Fernandez", "pattif@example.com", "Director of Finance", "Finance", 6),
    ("Lynne Robbins", "lynner@example.com", "Software Engineer", "Engineering", 2),
)
PLAYGROUND_ADMIN = "alexw@example.com"


def load_playground(session: Session, *, enrollments: int = 60) -> DemoSummary:
    """The demo organisation plus the playground's users, in the playground's tenant; running
    it again adds nothing."""
    summary = load_demo(session, platform="teams", tenant_id=PLAYGROUND_TENANT,
                        enrollments=enrollments)
    ws = get_or_create_workspace(session, "teams", PLAYGROUND_TENANT)
    # The demo gives its people made-up accounts (their emails), as the web chat needs; in a
    # Teams tenant an account is an AAD id the bot learns from Teams, so drop those.
    session.execute(delete(PlatformIdentity).where(
        PlatformIdentity.platform == Platform.TEAMS,
        PlatformIdentity.tenant_id == PLAYGROUND_TENANT,
        PlatformIdentity.user_id.contains("@")))
    added = 0
    for name, email, title, department, level in PLAYGROUND_PEOPLE:
        known = session.scalar(select(Person.id).where(
            Person.workspace_id == ws.id, func.lower(Person.email) == email))
        if known is None:
            session.add(Person(workspace_id=ws.id, name=name, email=email, title=title,
                               department=department, level=level, skills=[]))
            added += 1
    session.flush()
    return DemoSummary(people=summary.people + added, programs=summary.programs,
                       enrollments=summary.enrollments)

