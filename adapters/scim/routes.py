"""The /scim/v2 endpoints: authenticate, translate SCIM to core calls, answer in SCIM."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from pydantic import ValidationError
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    EnterpriseUser,
    Error,
    ETag,
    Filter,
    ListResponse,
    Patch,
    PatchOp,
    ResourceType,
    Schema,
    SCIMException,
    ScimFilter,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_models.path import CompareOperator, Comparison
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from adapters.scim.mapping import (
    ENTERPRISE,
    Incoming,
    ScimProblem,
    ScimUser,
    conflicting,
    dump,
    parse_user,
    person_to_user,
    resolve_manager,
    user_to_incoming,
)
from adapters.scim.tokens import workspace_for_token
from core.clock import Clock
from core.hris.people import apply_record, cycles, deactivate
from core.ids import parse_id
from core.models import Person, Workspace

SCIM_JSON = "application/scim+json"
MAX_RESULTS = 200


def scim_response(body: dict[str, Any] | None, status: int = 200) -> Response:
    """A response with the SCIM media type (RFC 7644 §3.1)."""
    if body is None:
        return Response(status_code=status)
    return Response(json.dumps(body, default=str), status_code=status, media_type=SCIM_JSON)


def error_response(status: int, detail: str, scim_type: str | None = None) -> Response:
    """A SCIM Error message; 401s carry the challenge RFC 6750 asks for."""
    error = Error(status=status, detail=detail, scim_type=scim_type)
    response = scim_response(error.model_dump(), status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="scim"'
    return response


def _from_validation(exc: ValidationError) -> Response:
    """Map pydantic errors to a SCIM 400, keeping the scimType scim2-models chose."""
    errors = exc.errors()
    error = Error.from_validation_error(errors[0]) if errors else Error(status=400)
    loc = ".".join(str(p) for p in errors[0].get("loc", ())) if errors else ""
    detail = f"{loc}: {errors[0]['msg']}" if loc and errors else (error.detail or "invalid")
    status = int(error.status or 400)
    # Anything scim2-models deems a server-side problem is still the client's malformed body.
    status = status if 400 <= status < 500 else 400
    return error_response(status, detail, error.scim_type or "invalidValue")


def _scim_query_int(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    # ASCII digits only and bounded: "²" or a 400-digit number is the client's mistake.
    text = raw.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 9:
        raise ScimProblem(400, f"{name} must be an integer below 1,000,000,000",
                          "invalidValue")
    return int(text)


def _equality_filter(expression: str) -> tuple[str, str]:
    """Parse ``filter``: only ``userName|externalId|id eq "value"``, which is what IdPs send."""
    try:
        parsed = ScimFilter[ScimUser](expression)
    except SCIMException as exc:
        raise ScimProblem(400, f"filter: {exc.detail or exc}", "invalidFilter") from None
    except (ValueError, ValidationError) as exc:
        raise ScimProblem(400, f"filter: {exc}", "invalidFilter") from None
    node = parsed.ast
    if (isinstance(node, Comparison) and node.op == CompareOperator.eq
            and node.attr_path.sub_attr is None and isinstance(node.value, str)
            and node.attr_path.attr.lower() in {"username", "externalid", "id"}):
        return node.attr_path.attr.lower(), node.value
    raise ScimProblem(400, "only userName, externalId or id eq \"value\" filters are supported",
                      "invalidFilter")


def mount_scim(app: FastAPI, *, sessions: sessionmaker[Session], clock: Clock) -> APIRouter:
    """Add the SCIM 2.0 endpoints under /scim/v2 to ``app`` and return their router."""
    router = APIRouter(prefix="/scim/v2")

    async def handle(request: Request,
                     work: Callable[[Session, Workspace, datetime, str], Response]) -> Response:
        """Authenticate, run ``work`` in one transaction off the event loop, map failures."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        base_url = str(request.base_url).rstrip("/") + "/scim/v2"

        def run() -> Response:
            now = clock.now()
            with sessions() as session, session.begin():
                workspace = (workspace_for_token(session, token.strip(), now=now)
                             if scheme.lower() == "bearer" else None)
                if workspace is None:
                    return error_response(401, "missing or invalid bearer token")
                # A ScimProblem raised here rolls the whole request back.
                return work(session, workspace, now, base_url)

        try:
            return await run_in_threadpool(run)
        except ScimProblem as exc:
            return error_response(exc.status, exc.detail, exc.scim_type)
        except ValidationError as exc:
            return _from_validation(exc)
        except SCIMException as exc:
            return error_response(exc.status if 400 <= exc.status < 500 else 400,
                                  exc.detail or str(exc), exc.scim_type or "invalidValue")
        except IntegrityError:
            # A concurrent create won the race for the same email: same answer as a duplicate.
            return error_response(409, "userName or externalId already exists", "uniqueness")

    async def body_of(request: Request) -> Any:
        """The JSON body; read by hand so bad JSON is a SCIM invalidSyntax, not FastAPI's 422."""
        raw = await request.body()
        try:
            return json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise ScimProblem(400, "the body is not valid JSON", "invalidSyntax") from None

    def get_person(session: Session, workspace: Workspace, user_id: str) -> Person:
        """The person with SCIM id ``user_id`` in this workspace, else a SCIM 404."""
        pk = parse_id(user_id)
        person = session.get(Person, pk) if pk is not None else None
        if person is None or person.workspace_id != workspace.id:
            raise ScimProblem(404, f"User {user_id} not found")
        return person

    def save(session: Session, workspace: Workspace, incoming: Incoming, now: datetime,
             target: Person | None) -> Person:
        """Create or update through core, after the uniqueness checks SCIM promises."""
        other = conflicting(session, workspace, incoming.record,
                            exclude_id=target.id if target else None)
        if other is not None:
            raise ScimProblem(409, "userName or externalId already exists", "uniqueness")
        if target is not None:
            # core finds people by employee id first: pin it so the update hits this person
            # even when the IdP changed both the externalId and the userName.
            target.external_id = incoming.record.external_id
            session.flush()
        person, _ = apply_record(session, workspace, incoming.record, now=now)
        if incoming.manager_given:
            manager = (resolve_manager(session, workspace, incoming.manager_ref)
                       if incoming.manager_ref else None)
            # An unknown manager is not an error: IdPs often send reports before their boss.
            person.manager_id = manager.id if manager and manager.id != person.id else None
            session.flush()
            loops = cycles(session, workspace)
            if loops:
                raise ScimProblem(400, "; ".join(loops), "invalidValue")
        return person

    def refresh_view(session: Session, person: Person, base_url: str,
                     status: int = 200) -> Response:
        """The person as the SCIM User response body."""
        session.flush()
        return scim_response(dump(person_to_user(session, person, base_url)), status)

    @router.post("/Users")
    async def create_user(request: Request) -> Response:
        """Create a person (RFC 7644 §3.3); a taken userName or externalId is a 409."""
        try:
            payload = await body_of(request)
        except ScimProblem as exc:
            return error_response(exc.status, exc.detail, exc.scim_type)

        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            user, ref, given = parse_user(payload, Context.RESOURCE_CREATION_REQUEST)
            person = save(session, ws, user_to_incoming(user, ref, given), now, None)
            return refresh_view(session, person, base, 201)

        return await handle(request, work)

    @router.get("/Users/{user_id}")
    async def get_user(request: Request, user_id: str) -> Response:
        """One person as a SCIM User; unknown ids are 404."""
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            return refresh_view(session, get_person(session, ws, user_id), base)

        return await handle(request, work)

    @router.get("/Users")
    async def list_users(request: Request) -> Response:
        """List or filter people, paginated with 1-based startIndex and count (RFC 7644 §3.4.2)."""
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            start = max(_scim_query_int(request, "startIndex", 1), 1)
            count = min(max(_scim_query_int(request, "count", MAX_RESULTS), 0), MAX_RESULTS)
            query = select(Person).where(Person.workspace_id == ws.id)
            expression = request.query_params.get("filter")
            if expression:
                attr, value = _equality_filter(expression)
                if attr == "username":
                    # userName is case-insensitive in the User schema (caseExact false).
                    query = query.where(func.lower(Person.email) == value.lower())
                elif attr == "externalid":
                    query = query.where(Person.external_id == value)
                else:
                    query = query.where(Person.id == (parse_id(value) or -1))
            total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
            people = session.scalars(query.order_by(Person.id).offset(start - 1).limit(count))
            resources = [person_to_user(session, p, base) for p in people]
            listing = ListResponse[ScimUser](total_results=total, start_index=start,
                                             items_per_page=len(resources), resources=resources)
            return scim_response(dump(listing))

        return await handle(request, work)

    @router.put("/Users/{user_id}")
    async def replace_user(request: Request, user_id: str) -> Response:
        """Replace a person's SCIM attributes (RFC 7644 §3.5.1); active=false deactivates."""
        try:
            payload = await body_of(request)
        except ScimProblem as exc:
            return error_response(exc.status, exc.detail, exc.scim_type)

        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            person = get_person(session, ws, user_id)
            user, ref, given = parse_user(payload, Context.RESOURCE_REPLACEMENT_REQUEST)
            # A replacement without a manager clears it, as PUT replaces the whole resource.
            incoming = user_to_incoming(user, ref, True, existing=person)
            return refresh_view(session, save(session, ws, incoming, now, person), base)

        return await handle(request, work)

    @router.patch("/Users/{user_id}")
    async def patch_user(request: Request, user_id: str) -> Response:
        """Apply a PatchOp (RFC 7644 §3.5.2) in Okta's path form or Entra's value form."""
        try:
            payload = await body_of(request)
        except ScimProblem as exc:
            return error_response(exc.status, exc.detail, exc.scim_type)

        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            person = get_person(session, ws, user_id)
            patch = PatchOp[ScimUser].model_validate(_normalize_patch(payload),
                                                     scim_ctx=Context.RESOURCE_PATCH_REQUEST)
            user = person_to_user(session, person, base)
            before = user[EnterpriseUser].manager if user[EnterpriseUser] else None
            patch.patch(user)
            after = user[EnterpriseUser].manager if user[EnterpriseUser] else None
            ref = after.value if after else None
            incoming = user_to_incoming(user, ref, before != after, existing=person)
            return refresh_view(session, save(session, ws, incoming, now, person), base)

        return await handle(request, work)

    @router.delete("/Users/{user_id}")
    async def delete_user(request: Request, user_id: str) -> Response:
        """Deactivate through core (matches end, partners are told); history is kept."""
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            person = get_person(session, ws, user_id)
            if person.active:
                deactivate(session, person, now=now)
            return scim_response(None, 204)

        return await handle(request, work)

    @router.get("/ServiceProviderConfig")
    async def service_provider_config(request: Request) -> Response:
        """What this service provider supports (RFC 7643 §5)."""
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            return scim_response(dump(_service_provider_config(base)))

        return await handle(request, work)

    @router.get("/Schemas")
    async def schemas(request: Request) -> Response:
        """The User and enterprise User schemas, generated by scim2-models (RFC 7643 §7)."""
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            items = [User.to_schema(), EnterpriseUser.to_schema()]
            listing = ListResponse[Schema](total_results=len(items), start_index=1,
                                        items_per_page=len(items), resources=items)
            return scim_response(dump(listing))

        return await handle(request, work)

    @router.get("/ResourceTypes")
    async def resource_types(request: Request) -> Response:
        """The one resource type served: User with the enterprise extension (RFC 7643 §6)."""
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            items = [ResourceType.from_resource(ScimUser)]
            listing = ListResponse[ResourceType](total_results=1, start_index=1,
                                                 items_per_page=1, resources=items)
            return scim_response(dump(listing))

        return await handle(request, work)

    app.include_router(router)
    return router


def _service_provider_config(base_url: str) -> ServiceProviderConfig:
    return ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[AuthenticationScheme(
            type="oauthbearertoken", name="OAuth Bearer Token", primary=True,
            description="Authentication with a per-workspace bearer token")],
    )


def _normalize_patch(payload: Any) -> Any:
    """Reshape what Entra sends so scim2-models can apply it.

    Entra sets the manager with ``path=...:manager`` and a bare string value (or an object keyed
    by that path in the value form); scim2-models expects ``{"value": id}``.
    """
    if not isinstance(payload, dict):
        raise ScimProblem(400, "the body must be a JSON object", "invalidSyntax")
    ops = payload.get("Operations")
    if not isinstance(ops, list):
        return payload
    manager_path = f"{ENTERPRISE}:manager".lower()
    fixed = []
    for op in ops:
        if isinstance(op, dict):
            op = {**op}
            path = op.get("path")
            if isinstance(path, str) and path.lower() == manager_path and isinstance(
                    op.get("value"), str):
                op["value"] = {"value": op["value"]}
            value = op.get("value")
            if isinstance(value, dict):
                op["value"] = {k: ({"value": v} if k.lower() == manager_path and isinstance(v, str)
                                   else v) for k, v in value.items()}
        fixed.append(op)
    return {**payload, "Operations": fixed}
