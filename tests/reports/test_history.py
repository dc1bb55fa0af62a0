"""HRIS history for outcome reports: level changes and leaving dates, from CSV and SCIM."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from core.hris.csv_import import PRESETS, import_people
from core.models import LevelChange, Person, Workspace
from tests.scim.conftest import PATCH, app, client, clock, seeded, token  # noqa: F401

HEADER = ["employee_id", "name", "email", "department", "level", "hire_date", "active"]
DAY1 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DAY2 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def export(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def row(emp: str, level: str = "3", active: str = "true") -> dict[str, str]:
    return {"employee_id": emp, "name": f"Person {emp}", "email": f"{emp.lower()}@acme.test",
            "department": "Engineering", "level": level, "hire_date": "2020-01-01",
            "active": active}


def run_import(sessions, rows: list[dict[str, str]], now: datetime) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s, s.begin():
        ws = s.scalar(select(Workspace))
        result = import_people(s, ws, export(rows), PRESETS["mentorbot"], now=now)
        assert not result.errors, result.errors


def setup_workspace(sessions) -> None:  # type: ignore[no-untyped-def]
    with sessions() as s, s.begin():
        s.add(Workspace(platform="slack", external_id="T1", name="Acme"))


def changes(sessions) -> list[tuple[str, int | None, int | None, date]]:  # type: ignore[no-untyped-def]
    with sessions() as s:
        return [tuple(r) for r in s.execute(select(  # type: ignore[misc]
            Person.external_id, LevelChange.from_level, LevelChange.to_level,
            LevelChange.changed_on).join(Person, Person.id == LevelChange.person_id)
            .order_by(LevelChange.id))]


def test_a_higher_level_on_reimport_writes_one_level_change(sessions) -> None:  # type: ignore[no-untyped-def]
    setup_workspace(sessions)
    run_import(sessions, [row("E1", "3"), row("E2", "4")], DAY1)
    assert changes(sessions) == []  # a new person has no change yet
    run_import(sessions, [row("E1", "4"), row("E2", "4")], DAY2)
    assert changes(sessions) == [("E1", 3, 4, date(2026, 3, 2))]


def test_an_unchanged_reimport_writes_no_level_change(sessions) -> None:  # type: ignore[no-untyped-def]
    setup_workspace(sessions)
    run_import(sessions, [row("E1", "3"), row("E2", "4")], DAY1)
    run_import(sessions, [row("E1", "3"), row("E2", "4")], DAY2)
    assert changes(sessions) == []


def test_deactivation_sets_left_on_and_reactivation_clears_it(sessions) -> None:  # type: ignore[no-untyped-def]
    setup_workspace(sessions)
    run_import(sessions, [row("E1"), row("E2"), row("E3")], DAY1)
    # E2 is marked inactive; E3 is missing from the export: both left on DAY2.
    run_import(sessions, [row("E1"), row("E2", active="terminated")], DAY2)
    with sessions() as s:
        left = dict(s.execute(select(Person.external_id, Person.left_on)).all())
    assert left == {"E1": None, "E2": date(2026, 3, 2), "E3": date(2026, 3, 2)}
    # A later import that still says "terminated" keeps the first leaving date.
    run_import(sessions, [row("E1"), row("E2", active="terminated")],
               datetime(2026, 4, 1, tzinfo=UTC))
    with sessions() as s:
        assert s.scalar(select(Person.left_on).where(Person.external_id == "E2")) == \
            date(2026, 3, 2)
    run_import(sessions, [row("E1"), row("E2"), row("E3")], datetime(2026, 5, 1, tzinfo=UTC))
    with sessions() as s:
        assert s.scalars(select(Person.left_on)).all() == [None, None, None]


async def test_scim_patch_active_false_sets_left_on(client: httpx.AsyncClient,  # noqa: F811
                                                    app: FastAPI,  # noqa: F811
                                                    seeded: dict[str, Any]) -> None:  # noqa: F811
    ana = seeded["people"]["U1"]
    response = await client.patch(f"/Users/{ana}", json={
        "schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]})
    assert response.status_code == 200, response.text
    with app.state.sessions() as s:
        person = s.get(Person, ana)
        assert person is not None and person.active is False
        assert person.left_on == date(2024, 5, 1)  # the fixture clock's day
    response = await client.patch(f"/Users/{ana}", json={
        "schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": True}]})
    assert response.status_code == 200, response.text
    with app.state.sessions() as s:
        person = s.get(Person, ana)
        assert person is not None and person.active is True and person.left_on is None
        # SCIM carries no level: an update must not invent a level change.
        assert s.scalars(select(LevelChange)).all() == []
