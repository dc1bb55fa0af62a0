"""Translate between SCIM User resources and core's Person / PersonRecord; no business rules."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from scim2_models import (
    Context,
    Email,
    EnterpriseUser,
    Manager,
    Meta,
    Name,
    User,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.hris.records import PersonRecord
from core.ids import parse_id
from core.models import Person, Workspace

ScimUser = User[EnterpriseUser]
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
# The people columns' lengths: PostgreSQL refuses longer values, so they are checked here.
EXTERNAL_ID_MAX = 64
LIMITS = {"userName": 320, "name": 200, "externalId": EXTERNAL_ID_MAX, "title": 200,
          "department": 120, "timezone": 64}


def _check_lengths(record: PersonRecord) -> None:
    """Refuse values longer than their column, naming the SCIM attribute."""
    values = {"userName": record.email, "name": record.name, "externalId": record.external_id,
              "title": record.title, "department": record.department,
              "timezone": record.timezone}
    for attribute, value in values.items():
        if value and len(value) > LIMITS[attribute]:
            hint = " (userName stands in when there is none)" if attribute == "externalId" \
                else ""
            raise ScimProblem(400, f"{attribute}{hint} is longer than {LIMITS[attribute]} "
                                   "characters", "invalidValue")


class ScimProblem(Exception):
    """A request the adapter refuses, rendered as a SCIM Error with ``status`` and ``scim_type``."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type


@dataclass(frozen=True)
class Incoming:
    """What a SCIM User body says about a person, plus its manager reference if it set one."""

    record: PersonRecord
    manager_ref: str | None
    manager_given: bool


def person_to_user(session: Session, person: Person, base_url: str) -> Any:
    """The SCIM User for ``person``; ``id`` is the database id as a string."""
    manager = session.get(Person, person.manager_id) if person.manager_id else None
    enterprise = EnterpriseUser(
        employee_number=person.external_id or None,
        department=person.department or None,
        manager=Manager(value=str(manager.id), ref=f"{base_url}/Users/{manager.id}",
                        display_name=manager.name) if manager else None,
    )
    return ScimUser(
        id=str(person.id),
        external_id=person.external_id or None,
        user_name=person.email or str(person.id),
        name=Name(formatted=person.name),
        display_name=person.name,
        title=person.title or None,
        active=person.active,
        timezone=person.timezone or None,
        # Built without validation: stored addresses (e.g. on .test domains) that EmailStr
        # rejects must still be readable, or one odd row would break every list.
        emails=[Email.model_construct(value=person.email, type=Email.Type.work, primary=True)]
        if person.email else None,
        meta=Meta(resource_type="User", created=person.created_at,
                  last_modified=person.created_at, location=f"{base_url}/Users/{person.id}"),
        **{ENTERPRISE: enterprise},
    )


def dump(resource: Any, ctx: Context = Context.RESOURCE_QUERY_RESPONSE) -> dict[str, Any]:
    """A resource or message as a SCIM JSON object."""
    result: dict[str, Any] = resource.model_dump(scim_ctx=ctx)
    return result


def _take_manager(payload: dict[str, Any]) -> tuple[str | None, bool]:
    """Pull the manager out of the enterprise extension before validation.

    scim2-models requires ``manager.$ref``, but Okta and Entra send only ``value`` (or a bare
    string), so the adapter reads it itself rather than reject real IdP payloads.
    """
    ext_key = next((k for k in payload if k.lower() == ENTERPRISE.lower()), None)
    ext = payload.get(ext_key) if ext_key else None
    if not isinstance(ext, dict):
        return None, False
    mgr_key = next((k for k in ext if k.lower() == "manager"), None)
    if mgr_key is None:
        return None, False
    raw = ext.pop(mgr_key)
    if raw is None or raw == "":
        return None, True
    if isinstance(raw, str):
        return raw, True
    if isinstance(raw, dict) and isinstance(raw.get("value"), str | None):
        return raw.get("value") or None, True
    raise ScimProblem(400, "manager must be an object with a string value", "invalidValue")


def parse_user(payload: Any, ctx: Context) -> tuple[Any, str | None, bool]:
    """Validate a User body with scim2-models; returns (user, manager_ref, manager_given)."""
    if not isinstance(payload, dict):
        raise ScimProblem(400, "the body must be a JSON object", "invalidSyntax")
    payload = {**payload}
    for key in list(payload):
        if key.lower() == ENTERPRISE.lower() and isinstance(payload[key], dict):
            payload[key] = {**payload[key]}
    manager_ref, manager_given = _take_manager(payload)
    user = ScimUser.model_validate(payload, scim_ctx=ctx)
    return user, manager_ref, manager_given


def user_to_incoming(user: Any, manager_ref: str | None, manager_given: bool,
                     existing: Person | None = None) -> Incoming:
    """A PersonRecord from a validated User; fields SCIM does not carry keep their old values."""
    enterprise = user[EnterpriseUser]
    email = (user.user_name or "").strip()
    if not email:
        raise ScimProblem(400, "userName is required", "invalidValue")
    name = ""
    if user.name is not None:
        name = user.name.formatted or " ".join(
            p for p in (user.name.given_name, user.name.family_name) if p)
    name = name or user.display_name or email
    external_id = (user.external_id or (enterprise.employee_number if enterprise else None)
                   or (existing.external_id if existing else None) or email)
    base = PersonRecord(external_id=external_id, name=name, email=email)
    if existing is not None:
        # Level, location, hire date... come from the HRIS import; SCIM must not wipe them.
        base = replace(base, level=existing.level, location=existing.location,
                       timezone=existing.timezone, hire_date=existing.hire_date)
    record = replace(
        base,
        title=user.title or "",
        department=(enterprise.department if enterprise else None) or "",
        timezone=user.timezone or base.timezone,
        active=True if user.active is None else user.active,
    )
    _check_lengths(record)
    if manager_ref is not None and len(manager_ref) > 320:
        raise ScimProblem(400, "manager value is too long", "invalidValue")
    return Incoming(record, manager_ref, manager_given)


def resolve_manager(session: Session, workspace: Workspace, ref: str) -> Person | None:
    """The manager ``ref`` names: a SCIM id (our Person.id) or else an externalId."""
    pk = parse_id(ref)
    if pk is not None:
        person = session.get(Person, pk)
        if person is not None and person.workspace_id == workspace.id:
            return person
    if len(ref) > EXTERNAL_ID_MAX:
        return None  # no externalId is that long
    return session.scalar(select(Person).where(
        Person.workspace_id == workspace.id, Person.external_id == ref))


def conflicting(session: Session, workspace: Workspace, record: PersonRecord,
                exclude_id: int | None = None) -> Person | None:
    """Another person already holding this userName (any case) or externalId."""
    query = select(Person).where(
        Person.workspace_id == workspace.id,
        (func.lower(Person.email) == record.email.lower())
        | (Person.external_id == record.external_id))
    if exclude_id is not None:
        query = query.where(Person.id != exclude_id)
    return session.scalars(query).first()
