"""Translate between SCIM User resources and core's Person / PersonRecord; no business rules.

Mentorbot publishes (``/Schemas``) only the User attributes it keeps. The ones the bot works
with live in the person's columns (userName is the email, name, title, department, timezone,
active, employeeNumber is the HR employee id, manager); all of them are also kept exactly as
the identity provider wrote them in a ``DirectoryProfile``, so they read back as written.
Attributes outside the published schema (phone numbers, addresses, photos, IMs, roles,
entitlements, certificates, passwords) are accepted and not stored: the bot has no use for
them, and what is not kept cannot leak.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scim2_models import Context, Email, EnterpriseUser, Schema, User
from sqlalchemy import func
from sqlalchemy.orm import Session

from core.hris.directory import by_external_id
from core.hris.records import PersonRecord
from core.models import DirectoryProfile, Person, Workspace

ScimUser = User[EnterpriseUser]
CORE = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
# The published User attributes, and the sub-attributes kept of the complex ones.
NAME_PARTS = ("formatted", "familyName", "givenName", "middleName", "honorificPrefix",
              "honorificSuffix")
EMAIL_PARTS = ("value", "display", "type", "primary")
KEPT = ("userName", "name", "displayName", "nickName", "title", "userType",
        "preferredLanguage", "locale", "timezone", "active", "emails")
ECHOED = ("nickName", "userType", "preferredLanguage", "locale")
ENTERPRISE_KEPT = ("employeeNumber", "costCenter", "organization", "division", "department",
                   "manager")
# The people columns' lengths: PostgreSQL refuses longer values, so they are checked here.
EXTERNAL_ID_MAX = 64
LIMITS = {"userName": 320, "name": 200, "externalId": 255, "employeeNumber": EXTERNAL_ID_MAX,
          "title": 200, "department": 120, "timezone": 64, "manager": 320}
# A kept text attribute longer than this is refused: nothing real is.
VALUE_MAX = 1000


class ScimProblem(Exception):
    """A request the adapter refuses, rendered as a SCIM Error with ``status`` and ``scim_type``."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.scim_type = scim_type


@dataclass(frozen=True)
class Incoming:
    """What a SCIM User says about a person: the HR record, what is kept as written, the
    identity provider's id, and the manager reference if the body set one."""

    record: PersonRecord
    attributes: dict[str, Any]
    external_id: str | None
    manager_ref: str | None
    manager_given: bool


def published_schemas() -> list[Schema]:
    """The User and enterprise User schemas, trimmed to what Mentorbot keeps."""
    core = User.to_schema()
    core.attributes = [a for a in core.attributes or [] if a.name in KEPT]
    enterprise = EnterpriseUser.to_schema()
    enterprise.attributes = [a for a in enterprise.attributes or []
                             if a.name in ENTERPRISE_KEPT]
    return [core, enterprise]


def _derive_name(attrs: dict[str, Any], email: str) -> str:
    name = attrs.get("name") or {}
    text = name.get("formatted") or " ".join(
        p for p in (name.get("givenName"), name.get("familyName")) if p)
    return (text or attrs.get("displayName") or email).strip() or email


def user_json(session: Session, person: Person, profile: DirectoryProfile | None,
              base_url: str) -> dict[str, Any]:
    """The SCIM User for ``person``; ``id`` is the database id as a string."""
    attrs = profile.attributes if profile is not None else {}
    email = person.email or ""
    out: dict[str, Any] = {"schemas": [CORE], "id": str(person.id)}
    external_id = profile.external_id if profile is not None else person.external_id
    if external_id:
        out["externalId"] = external_id
    out["userName"] = email
    if profile is not None and _derive_name(attrs, email) == person.name:
        for key in ("name", "displayName"):
            if attrs.get(key):
                out[key] = attrs[key]
    else:  # not from SCIM, or renamed since (an HRIS import): the name the bot uses
        out["name"] = {"formatted": person.name}
        out["displayName"] = person.name
    for key in ECHOED:
        if attrs.get(key) is not None:
            out[key] = attrs[key]
    if person.title:
        out["title"] = person.title
    if person.timezone and not (profile is not None and "timezone" not in attrs
                                and person.timezone == "UTC"):
        out["timezone"] = person.timezone
    if not (profile is not None and "active" not in attrs and person.active):
        out["active"] = person.active
    if profile is not None:
        if attrs.get("emails"):
            out["emails"] = attrs["emails"]
    elif email:
        out["emails"] = [{"value": email, "type": "work", "primary": True}]
    enterprise: dict[str, Any] = {}
    kept = attrs.get(ENTERPRISE) or {}
    if profile is None and person.external_id:
        enterprise["employeeNumber"] = person.external_id
    for key in ("employeeNumber", "costCenter", "organization", "division"):
        if kept.get(key) is not None:
            enterprise[key] = kept[key]
    if person.department:
        enterprise["department"] = person.department
    if person.manager_id:
        manager = session.get(Person, person.manager_id)
        if manager is not None:
            # No displayName: it is read-only and optional, and it would go stale.
            enterprise["manager"] = {"value": str(manager.id),
                                     "$ref": f"{base_url}/Users/{manager.id}"}
    elif profile is not None and profile.manager_ref:
        enterprise["manager"] = {"value": profile.manager_ref}
    if enterprise:
        out["schemas"] = [CORE, ENTERPRISE]
        out[ENTERPRISE] = enterprise
    changed = profile.updated_at if profile is not None else person.created_at
    out["meta"] = {"resourceType": "User", "created": person.created_at.isoformat(),
                   "lastModified": max(changed, person.created_at).isoformat(),
                   "location": f"{base_url}/Users/{person.id}"}
    return out


def to_model(state: dict[str, Any]) -> Any:
    """A User model of a stored state (emails built without validation: stored addresses
    on reserved domains such as .test must stay readable)."""
    emails = state.get("emails")
    rest = {k: v for k, v in state.items() if k not in ("emails", "meta")}
    user = ScimUser.model_validate(rest, scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    if emails:
        user.emails = [Email.model_construct(**{k: _email_type(e.get(k)) if k == "type"
                                                else e.get(k) for k in EMAIL_PARTS})
                       for e in emails]
    return user


def _email_type(value: Any) -> Any:
    try:
        return Email.Type(value)
    except ValueError:
        return value


def _take_manager(payload: dict[str, Any]) -> tuple[str | None, bool]:
    """Pull the manager out of the enterprise extension before validation.

    Okta and Entra send only ``value`` (or a bare string), so the adapter reads it itself.
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


def _text(value: Any, name: str) -> Any:
    if isinstance(value, str) and len(value) > VALUE_MAX:
        raise ScimProblem(400, f"{name} is longer than {VALUE_MAX} characters", "invalidValue")
    return value


def _kept(user: Any) -> dict[str, Any]:
    """The published attributes of ``user`` as SCIM JSON, dropping what is not kept."""
    dumped = user.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    out: dict[str, Any] = {}
    for key in KEPT:
        value = dumped.get(key)
        if value is None or value == [] or value == {} or key == "userName":
            continue
        if key == "name":
            value = {k: _text(value[k], f"name.{k}") for k in NAME_PARTS
                     if value.get(k) is not None}
            if not value:
                continue
        elif key == "emails":
            value = [{k: _text(e[k], f"emails.{k}") for k in EMAIL_PARTS if e.get(k) is not None}
                     for e in value if isinstance(e, dict)]
        out[key] = _text(value, key)
    ext = dumped.get(ENTERPRISE) or {}
    kept = {k: _text(ext[k], k) for k in ENTERPRISE_KEPT
            if k != "manager" and ext.get(k) not in (None, "")}
    if kept:
        out[ENTERPRISE] = kept
    return out


def user_to_incoming(user: Any, manager_ref: str | None, manager_given: bool,
                     existing: Person | None = None,
                     before: dict[str, Any] | None = None) -> Incoming:
    """What a validated User says. Fields SCIM does not carry (level, location, hire date)
    keep their HRIS values; a timezone the HRIS set stays unless the identity provider
    takes back one it set itself."""
    email = (user.user_name or "").strip()
    if not email:
        raise ScimProblem(400, "userName is required", "invalidValue")
    attrs = _kept(user)
    enterprise = attrs.get(ENTERPRISE) or {}
    employee_number = enterprise.get("employeeNumber")
    external_id = (user.external_id or "").strip() or None
    record_id = (employee_number or (existing.external_id if existing else None)
                 or external_id or email)
    timezone = attrs.get("timezone")
    if timezone is None:
        timezone = "UTC" if existing is None or (before or {}).get("timezone") \
            else existing.timezone
    record = PersonRecord(
        external_id=record_id, name=_derive_name(attrs, email), email=email,
        title=attrs.get("title") or "", department=enterprise.get("department") or "",
        level=existing.level if existing else None,
        location=existing.location if existing else "",
        timezone=timezone, hire_date=existing.hire_date if existing else None,
        active=True if user.active is None else user.active)
    _check_lengths(record, external_id, employee_number, manager_ref)
    return Incoming(record, attrs, external_id, manager_ref, manager_given)


def _check_lengths(record: PersonRecord, external_id: str | None,
                   employee_number: str | None, manager_ref: str | None) -> None:
    """Refuse values longer than their column, naming the SCIM attribute."""
    values = {"userName": record.email, "name": record.name, "externalId": external_id,
              "employeeNumber": employee_number or record.external_id, "title": record.title,
              "department": record.department, "timezone": record.timezone,
              "manager": manager_ref}
    for attribute, value in values.items():
        if value and len(value) > LIMITS[attribute]:
            hint = " (userName stands in when there is none)" \
                if attribute == "employeeNumber" and not employee_number else ""
            raise ScimProblem(400, f"{attribute}{hint} is longer than {LIMITS[attribute]} "
                                   "characters", "invalidValue")


def chat_made(session: Session, person: Person) -> bool:
    """A record the chat made on first contact (an email, no HR identity yet): provisioning
    that email adopts it rather than refusing it as taken."""
    return person.external_id is None and session.get(DirectoryProfile, person.id) is None


def conflicting(session: Session, workspace: Workspace, incoming: Incoming,
                exclude_id: int | None = None) -> str | None:
    """Which unique attribute another live user already holds: userName (any case),
    externalId, or employeeNumber; None when all are free."""
    from core.hris.directory import provisioned

    live = provisioned(workspace)
    if exclude_id is not None:
        live = live.where(Person.id != exclude_id)
    for other in session.scalars(live.where(
            func.lower(Person.email) == incoming.record.email.lower())):
        if not chat_made(session, other):
            return "userName"
    if incoming.external_id:
        other = by_external_id(session, workspace, incoming.external_id)
        if other is not None and other.id != exclude_id:
            return "externalId"
    employee_number = (incoming.attributes.get(ENTERPRISE) or {}).get("employeeNumber")
    if employee_number:
        other = session.scalar(live.where(Person.external_id == employee_number).limit(1))
        if other is not None:
            return "employeeNumber"
    return None


def adoptable(session: Session, workspace: Workspace, email: str) -> Person | None:
    """The chat-made record holding ``email``, which provisioning turns into the HR record."""
    from core.hris.directory import provisioned

    for person in session.scalars(provisioned(workspace).where(
            func.lower(Person.email) == email.lower())):
        if chat_made(session, person):
            return person
    return None
