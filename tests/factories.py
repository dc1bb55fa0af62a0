"""Small builders for test data, so each test states only what it cares about."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from core.models import (
    Invitation,
    Person,
    Platform,
    PlatformIdentity,
    Program,
    ProgramKind,
    ProgramStatus,
    Workspace,
)

SKILLS = ["Leadership", "Negotiation", "Public speaking", "Data analysis"]


def seed(
    sessions: sessionmaker[Session],
    *,
    platform: str = "webchat",
    tenant: str = "T1",
    programs: list[dict[str, Any]] | None = None,
    people: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """A workspace with people (name, platform user id) and programs; returns their ids."""
    programs = programs if programs is not None else [{"name": "Leadership 1:1"}]
    people = people if people is not None else [("Ana Lima", "U1"), ("Ben Okoro", "U2")]
    out: dict[str, Any] = {"people": {}, "programs": {}}
    with sessions() as s, s.begin():
        ws = Workspace(platform=Platform(platform), external_id=tenant, name="Acme")
        s.add(ws)
        s.flush()
        out["workspace_id"] = ws.id
        for name, user_id in people:
            email = name.lower().replace(" ", ".") + "@acme.test"
            p = Person(workspace_id=ws.id, name=name, email=email, title="Engineer",
                       department="Engineering", level=3)
            s.add(p)
            s.flush()
            s.add(PlatformIdentity(person_id=p.id, platform=Platform(platform), tenant_id=tenant,
                                   user_id=user_id))
            out["people"][user_id] = p.id
        for spec in programs:
            invited = spec.pop("invited", [])
            prog = Program(workspace_id=ws.id, kind=spec.pop("kind", ProgramKind.ONE_ON_ONE),
                           status=spec.pop("status", ProgramStatus.OPEN),
                           skills=spec.pop("skills", SKILLS), **spec)
            s.add(prog)
            s.flush()
            for user_id in invited:
                s.add(Invitation(program_id=prog.id, person_id=out["people"][user_id]))
            out["programs"][prog.name] = prog.id
    return out
