"""The /scim/v2 endpoints: authenticate, translate SCIM to core calls, answer in SCIM."""

from __future__ import annotations

import json
import re
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
    Patch,
    PatchOp,
    ResourceType,
    SCIMException,
    ScimFilter,
    ServiceProviderConfig,
    Sort,
)
from scim2_models.path import CompareOperator, Comparison
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from adapters.scim.mapping import (
    CORE,
    ENTERPRISE,
    LIST,
    Incoming,
    ScimProblem,
    ScimUser,
    adoptable,
    conflicting,
    parse_user,
    published_schemas,
    to_model,
    user_json,
    user_to_incoming,
)
from adapters.scim.tokens import workspace_for_token
from core.clock import Clock
from core.hris.directory import (
    by_external_id,
    delete_from_directory,
    find_manager,
    link_waiting_reports,
    profile_of,
    provisioned,
    save_profile,
)
from core.hris.people import apply_record, cycles
from core.identity_merge import MergeRefused
from core.ids import parse_id
from core.models import DirectoryProfile, Person, Workspace

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


def _int_param(raw: Any, name: str, default: int) -> int:
    """startIndex and count from a query string or a search body."""
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        raise ScimProblem(400, f"{name} must be an integer", "invalidValue")
    if isinstance(raw, int):
        if abs(raw) >= 1_000_000_000:
            raise ScimProblem(400, f"{name} must be an integer below 1,000,000,000",
                              "invalidValue")
        return raw
    if not isinstance(raw, str):
        raise ScimProblem(400, f"{name} must be an integer", "invalidValue")
    text = raw.strip()
    digits = text[1:] if text[:1] in "+-" else text
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 9:
        raise ScimProblem(400, f"{name} must be an integer below 1,000,000,000",
                          "invalidValue")
    return int(text)


def _names(raw: Any, name: str) -> list[str]:
    """``attributes`` / ``excludedAttributes``: comma-separated, or a list in a search body."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        items = raw.split(",")
    elif isinstance(raw, list) and all(isinstance(i, str) for i in raw):
        items = [part for i in raw for part in i.split(",")]
    else:
        raise ScimProblem(400, f"{name} must be a list of attribute names", "invalidValue")
    names = [i.strip() for i in items if i.strip()]
    if len(names) > 50 or any(len(n) > 200 for n in names):
        raise ScimProblem(400, f"{name} names too many or too long attributes", "invalidValue")
    return names


def _path(name: str) -> tuple[str, str | None]:
    """An attribute name as (top-level key, sub-attribute): core URN prefixes dropped, the
    enterprise extension's attributes as (extension URN, attribute)."""
    low = name.lower()
    if low.startswith(CORE.lower() + ":"):
        name, low = name[len(CORE) + 1:], low[len(CORE) + 1:]
    if low == ENTERPRISE.lower():
        return ENTERPRISE, None
    if low.startswith(ENTERPRISE.lower() + ":"):
        return ENTERPRISE, name[len(ENTERPRISE) + 1:].split(".")[0]
    top, _, sub = name.partition(".")
    return top, sub or None


ALWAYS = {"id", "schemas"}


def _find(obj: dict[str, Any], key: str) -> str | None:
    return next((k for k in obj if k.lower() == key.lower()), None)


def project(state: dict[str, Any], attributes: list[str], excluded: list[str]) -> dict[str, Any]:
    """Apply ``attributes`` (only these, plus id) or ``excludedAttributes`` (RFC 7644 §3.9)."""
    if attributes:
        out = {k: v for k, v in state.items() if k in ALWAYS}
        for name in attributes:
            top, sub = _path(name)
            key = _find(state, top)
            if key is None:
                continue
            value = state[key]
            if sub is None:
                out[key] = value
            elif isinstance(value, dict):
                sub_key = _find(value, sub)
                if sub_key is not None:
                    out.setdefault(key, {})[sub_key] = value[sub_key]
            elif isinstance(value, list):
                picked = [{k: v for k, v in item.items() if k.lower() == sub.lower()}
                          for item in value if isinstance(item, dict)]
                out[key] = [p for p in picked if p]
        return out
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in state.items()}
    for name in excluded:
        top, sub = _path(name)
        key = _find(out, top)
        if key is None or key in ALWAYS:
            continue
        if sub is None:
            del out[key]
        elif isinstance(out[key], dict):
            sub_key = _find(out[key], sub)
            if sub_key is not None:
                del out[key][sub_key]
        elif isinstance(out[key], list):
            out[key] = [{k: v for k, v in item.items() if k.lower() != sub.lower()}
                        for item in out[key] if isinstance(item, dict)]
    if ENTERPRISE in out and not out[ENTERPRISE]:
        del out[ENTERPRISE]
    return out


def _parse_filter(expression: str) -> Any:
    if len(expression) > 1000:
        raise ScimProblem(400, "filter is longer than 1000 characters", "invalidFilter")
    try:
        parsed = ScimFilter[ScimUser](expression)
        parsed._validate_semantics()
    except SCIMException as exc:
        raise ScimProblem(400, f"filter: {exc.detail or exc}", "invalidFilter") from None
    except (ValueError, ValidationError, AttributeError, TypeError) as exc:
        raise ScimProblem(400, f"filter: {exc}", "invalidFilter") from None
    return parsed


def _indexed(parsed: Any) -> tuple[str, str] | None:
    """``userName|externalId|id eq "value"``, what identity providers send: answered by an
    index; any other filter is evaluated on each user."""
    node = parsed.ast
    if (isinstance(node, Comparison) and node.op == CompareOperator.eq
            and node.attr_path.sub_attr is None and isinstance(node.value, str)
            and node.attr_path.attr.lower() in {"username", "externalid", "id"}):
        return node.attr_path.attr.lower(), node.value
    return None


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
                    return error_response(401, "missing, invalid, revoked or expired token")
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
        except MergeRefused as exc:
            # The email belongs to a chat-made record that can't join this one.
            return error_response(409, str(exc), "uniqueness")
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
        """The live person with SCIM id ``user_id`` in this workspace, else a SCIM 404."""
        pk = parse_id(user_id)
        person = session.scalar(provisioned(workspace).where(Person.id == pk)) \
            if pk is not None else None
        if person is None:
            raise ScimProblem(404, f"User {user_id} not found")
        return person

    def save(session: Session, workspace: Workspace, incoming: Incoming, now: datetime,
             target: Person | None) -> Person:
        """Create or update through core, after the uniqueness checks SCIM promises."""
        taken = conflicting(session, workspace, incoming, exclude_id=target.id if target else None)
        if taken is not None:
            raise ScimProblem(409, f"{taken} already exists", "uniqueness")
        existing = target or adoptable(session, workspace, incoming.record.email)
        person, _ = apply_record(session, workspace, incoming.record, now=now,
                                 existing=existing)
        session.flush()
        manager_ref = profile.manager_ref if (profile := profile_of(session, person)) else None
        if incoming.manager_given:
            manager = (find_manager(session, workspace, incoming.manager_ref)
                       if incoming.manager_ref else None)
            person.manager_id = manager.id if manager and manager.id != person.id else None
            # A manager not provisioned yet is linked when they arrive.
            manager_ref = incoming.manager_ref if manager is None else None
        save_profile(session, person, attributes=incoming.attributes,
                     external_id=incoming.external_id, manager_ref=manager_ref)
        link_waiting_reports(session, person)
        loops = cycles(session, workspace)
        if loops:
            raise ScimProblem(400, "; ".join(loops), "invalidValue")
        return person

    def view(session: Session, person: Person, base_url: str) -> dict[str, Any]:
        session.flush()
        return user_json(session, person, profile_of(session, person), base_url)

    def one(request: Request, state: dict[str, Any], status: int = 200) -> Response:
        attributes = _names(request.query_params.get("attributes"), "attributes")
        excluded = _names(request.query_params.get("excludedAttributes"), "excludedAttributes")
        return scim_response(project(state, attributes, excluded), status)

    def listing(session: Session, ws: Workspace, base: str, *, expression: str | None,
                start: int, count: int, attributes: list[str],
                excluded: list[str]) -> Response:
        """Users, newest first (a new user is on the first page), 1-based pages."""
        start = max(start, 1)
        count = min(max(count, 0), MAX_RESULTS)
        query = provisioned(ws)
        parsed = _parse_filter(expression) if expression else None
        indexed = _indexed(parsed) if parsed is not None else None
        if indexed is not None:
            attr, value = indexed
            if attr == "username":
                # userName is case-insensitive in the User schema (caseExact false).
                query = query.where(func.lower(Person.email) == value.lower())
            elif attr == "externalid":
                found = by_external_id(session, ws, value)
                query = query.where(Person.id == (found.id if found else -1))
            else:
                query = query.where(Person.id == (parse_id(value) or -1))
        query = query.order_by(Person.id.desc())
        if parsed is not None and indexed is None:
            # Any other filter: evaluated on each user, so every published attribute works.
            states = [view(session, p, base) for p in session.scalars(query)]
            matching = [st for st in states if parsed.match(to_model(st))]
            total, page = len(matching), matching[start - 1:start - 1 + count]
        else:
            total = session.scalar(select_count(query)) or 0
            page = [view(session, p, base)
                    for p in session.scalars(query.offset(start - 1).limit(count))]
        resources = [project(st, attributes, excluded) for st in page]
        body: dict[str, Any] = {"schemas": [LIST], "totalResults": total, "startIndex": start,
                                "itemsPerPage": len(resources)}
        if resources:
            body["Resources"] = resources
        return scim_response(body)

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
            return one(request, view(session, person, base), 201)

        return await handle(request, work)

    @router.get("/Users/{user_id}")
    async def get_user(request: Request, user_id: str) -> Response:
        """One person as a SCIM User; unknown and deleted ids are 404."""
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            return one(request, view(session, get_person(session, ws, user_id), base))

        return await handle(request, work)

    @router.get("/Users")
    async def list_users(request: Request) -> Response:
        """List or filter people, paginated with 1-based startIndex and count (RFC 7644 §3.4.2)."""
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            q = request.query_params
            return listing(session, ws, base, expression=q.get("filter") or None,
                           start=_int_param(q.get("startIndex"), "startIndex", 1),
                           count=_int_param(q.get("count"), "count", MAX_RESULTS),
                           attributes=_names(q.get("attributes"), "attributes"),
                           excluded=_names(q.get("excludedAttributes"), "excludedAttributes"))

        return await handle(request, work)

    async def search(request: Request) -> Response:
        """POST .search (RFC 7644 §3.4.3): the query in a SearchRequest body."""
        try:
            payload = await body_of(request)
        except ScimProblem as exc:
            return error_response(exc.status, exc.detail, exc.scim_type)

        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            if not isinstance(payload, dict):
                raise ScimProblem(400, "the body must be a SearchRequest object",
                                  "invalidSyntax")
            get = {k.lower(): v for k, v in payload.items()}
            expression = get.get("filter")
            if expression is not None and not isinstance(expression, str):
                raise ScimProblem(400, "filter must be a string", "invalidFilter")
            attributes = _names(get.get("attributes"), "attributes")
            excluded = _names(get.get("excludedattributes"), "excludedAttributes")
            if attributes and excluded:
                raise ScimProblem(400, "attributes and excludedAttributes exclude each other",
                                  "invalidSyntax")
            return listing(session, ws, base, expression=expression or None,
                           start=_int_param(get.get("startindex"), "startIndex", 1),
                           count=_int_param(get.get("count"), "count", MAX_RESULTS),
                           attributes=attributes, excluded=excluded)

        return await handle(request, work)

    router.post("/Users/.search")(search)
    router.post("/.search")(search)

    @router.put("/Users/{user_id}")
    async def replace_user(request: Request, user_id: str) -> Response:
        """Replace a person's SCIM attributes (RFC 7644 §3.5.1); active=false deactivates."""
        try:
            payload = await body_of(request)
        except ScimProblem as exc:
            return error_response(exc.status, exc.detail, exc.scim_type)

        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            person = get_person(session, ws, user_id)
            before = (profile_of(session, person) or DirectoryProfile(attributes={})).attributes
            user, ref, given = parse_user(payload, Context.RESOURCE_REPLACEMENT_REQUEST)
            # A replacement without a manager clears it, as PUT replaces the whole resource.
            incoming = user_to_incoming(user, ref, True, existing=person, before=before)
            return one(request, view(session, save(session, ws, incoming, now, person), base))

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
            profile = profile_of(session, person)
            patch = PatchOp[ScimUser].model_validate(_normalize_patch(payload),
                                                     scim_ctx=Context.RESOURCE_PATCH_REQUEST)
            user = to_model(view(session, person, base))
            before = _manager_value(user)  # the patch changes the manager object in place
            patch.patch(user)
            ref = _manager_value(user)
            incoming = user_to_incoming(user, ref, before != ref, existing=person,
                                        before=profile.attributes if profile else {})
            return one(request, view(session, save(session, ws, incoming, now, person), base))

        return await handle(request, work)

    @router.delete("/Users/{user_id}")
    async def delete_user(request: Request, user_id: str) -> Response:
        """The person leaves (matches end, partners are told) and is gone from SCIM: 404
        from now on, their userName free. Their history stays for reports."""
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            delete_from_directory(session, get_person(session, ws, user_id), now=now)
            return scim_response(None, 204)

        return await handle(request, work)

    @router.get("/ServiceProviderConfig")
    async def service_provider_config(request: Request) -> Response:
        """What this service provider supports (RFC 7643 §5): all of it true."""
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            return scim_response(_dump(_service_provider_config(base)))

        return await handle(request, work)

    def schema_list(base: str) -> list[dict[str, Any]]:
        out = []
        for schema in published_schemas():
            body = _dump(schema)
            body["meta"] = {"resourceType": "Schema", "location": f"{base}/Schemas/{schema.id}"}
            out.append(body)
        return out

    def resource_type(base: str) -> dict[str, Any]:
        body = _dump(ResourceType.from_resource(ScimUser))
        body["meta"] = {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/User"}
        return body

    def list_of(items: list[dict[str, Any]]) -> Response:
        return scim_response({"schemas": [LIST], "totalResults": len(items), "startIndex": 1,
                              "itemsPerPage": len(items), "Resources": items})

    @router.get("/Schemas")
    async def schemas(request: Request) -> Response:
        """The User and enterprise User schemas, with only the attributes kept (RFC 7643 §7)."""
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            return list_of(schema_list(base))

        return await handle(request, work)

    @router.get("/Schemas/{schema_id}")
    async def schema(request: Request, schema_id: str) -> Response:
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            found = [s for s in schema_list(base) if s["id"].lower() == schema_id.lower()]
            if not found:
                raise ScimProblem(404, f"Schema {schema_id[:100]} not found")
            return scim_response(found[0])

        return await handle(request, work)

    @router.get("/ResourceTypes")
    async def resource_types(request: Request) -> Response:
        """The one resource type served: User with the enterprise extension (RFC 7643 §6)."""
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            return list_of([resource_type(base)])

        return await handle(request, work)

    @router.get("/ResourceTypes/{type_id}")
    async def one_resource_type(request: Request, type_id: str) -> Response:
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            if type_id != "User":
                raise ScimProblem(404, f"ResourceType {type_id[:100]} not found")
            return scim_response(resource_type(base))

        return await handle(request, work)

    app.include_router(router)

    # Anything else under /scim/v2: a SCIM Error, 405 for a known path's other methods.
    known = [re.compile(p) for p in (r"ServiceProviderConfig", r"Schemas(/[^/]+)?",
                                     r"ResourceTypes(/[^/]+)?", r"Users(/[^/]+)?",
                                     r"(Users/)?\.search")]

    @app.api_route("/scim/v2/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                   include_in_schema=False)
    async def not_found(request: Request, rest: str) -> Response:
        def work(session: Session, ws: Workspace, now: datetime, base: str) -> Response:
            if any(p.fullmatch(rest) for p in known):
                response = error_response(405, f"{request.method} is not supported on "
                                               f"/{rest[:100]}")
                return response
            raise ScimProblem(404, f"/{rest[:100]} is not a SCIM endpoint here")

        return await handle(request, work)

    return router


def _manager_value(user: Any) -> str | None:
    enterprise = user[EnterpriseUser]
    manager = enterprise.manager if enterprise else None
    return manager.value if manager and manager.value else None


def select_count(query: Any) -> Any:
    from sqlalchemy import select

    return select(func.count()).select_from(query.order_by(None).subquery())


def _dump(resource: Any) -> dict[str, Any]:
    result: dict[str, Any] = resource.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    return result


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
