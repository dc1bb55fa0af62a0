"""SCIM Users over HTTP on the real app: CRUD, filters, pagination, PATCH forms, deactivation."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from scim2_models import Context, EnterpriseUser, Error, ListResponse, User
from sqlalchemy import select

from core.clock import FakeClock
from core.models import (
    EndReason,
    Match,
    MatchMentee,
    MatchStatus,
    OutboxMessage,
    Person,
)
from core.relationships import lifecycle
from tests.scim.conftest import ENT, PATCH, user_body

SCIM_JSON = "application/scim+json"
ScimUser = User[EnterpriseUser]


def parse_user(response: httpx.Response) -> Any:
    assert response.headers["content-type"].startswith(SCIM_JSON)
    return ScimUser.model_validate(response.json(), scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


def assert_error(response: httpx.Response, status: int, scim_type: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(SCIM_JSON)
    error = Error.model_validate(response.json())
    assert error.status == status
    if scim_type:
        assert error.scim_type == scim_type


async def create(client: httpx.AsyncClient, **kwargs: Any) -> Any:
    response = await client.post("/Users", json=user_body(**kwargs))
    assert response.status_code == 201, response.text
    return parse_user(response)


async def test_create_and_get(client: httpx.AsyncClient, app: FastAPI) -> None:
    created = await create(client)
    assert created.user_name == "carla.diaz@example.com"
    assert created.external_id == "E100"
    assert created[EnterpriseUser].department == "Engineering"
    got = parse_user(await client.get(f"/Users/{created.id}"))
    assert got.name.formatted == "Carla Diaz" and got.title == "Engineer" and got.active
    assert got.meta.location.endswith(f"/scim/v2/Users/{created.id}")
    with app.state.sessions() as s:
        person = s.get(Person, int(created.id))
        assert person is not None
        assert (person.email, person.external_id, person.department) == (
            "carla.diaz@example.com", "E100", "Engineering")


async def test_manager_by_external_id_and_scim_id(client: httpx.AsyncClient) -> None:
    boss = await create(client, email="boss@example.com", external_id="E1")
    body = user_body()
    body[ENT]["manager"] = {"value": "E1"}  # Okta: the manager's employee id
    report = parse_user(await client.post("/Users", json=body))
    assert report[EnterpriseUser].manager.value == boss.id
    body = user_body(email="dan@example.com", external_id="E101")
    body[ENT]["manager"] = {"value": boss.id}  # by SCIM id
    report2 = parse_user(await client.post("/Users", json=body))
    assert report2[EnterpriseUser].manager.value == boss.id


async def test_duplicate_username_is_409(client: httpx.AsyncClient) -> None:
    await create(client)
    response = await client.post("/Users", json=user_body(email="CARLA.DIAZ@example.com",
                                                          external_id="E999"))
    assert_error(response, 409, "uniqueness")


async def test_filter_by_username_and_external_id(client: httpx.AsyncClient) -> None:
    created = await create(client)
    for expr in ('userName eq "Carla.Diaz@EXAMPLE.com"', 'externalId eq "E100"'):
        response = await client.get("/Users", params={"filter": expr})
        listing = ListResponse[ScimUser].model_validate(
            response.json(), scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
        assert listing.total_results == 1
        assert listing.resources[0].id == created.id
    none = (await client.get("/Users", params={"filter": 'userName eq "nobody@x.com"'})).json()
    assert none["totalResults"] == 0 and none.get("Resources", []) == []


async def test_pagination(client: httpx.AsyncClient, seeded: dict[str, Any]) -> None:
    for i in range(3):
        await create(client, email=f"p{i}@example.com", external_id=f"P{i}")
    # Ana and Ben were seeded, so five people in all.
    page = (await client.get("/Users", params={"startIndex": 2, "count": 2})).json()
    assert page["totalResults"] == 5
    assert page["startIndex"] == 2 and page["itemsPerPage"] == 2
    assert len(page["Resources"]) == 2
    everyone = (await client.get("/Users")).json()
    assert [r["id"] for r in everyone["Resources"]][1:3] == [r["id"] for r in page["Resources"]]
    last = (await client.get("/Users", params={"startIndex": 5, "count": 10})).json()
    assert last["itemsPerPage"] == 1


async def test_put_replaces(client: httpx.AsyncClient) -> None:
    created = await create(client)
    body = user_body(email="carla.d@example.com", external_id="E100-b", title="Lead")
    body[ENT]["department"] = "Sales"
    replaced = parse_user(await client.put(f"/Users/{created.id}", json=body))
    assert replaced.id == created.id
    assert (replaced.user_name, replaced.external_id, replaced.title) == (
        "carla.d@example.com", "E100-b", "Lead")
    assert replaced[EnterpriseUser].department == "Sales"
    listing = (await client.get("/Users")).json()
    assert listing["totalResults"] == 3  # Ana, Ben, Carla: no second Carla was created


async def test_patch_okta_path_form(client: httpx.AsyncClient) -> None:
    created = await create(client)
    boss = await create(client, email="boss@example.com", external_id="E1")
    ops = [
        {"op": "replace", "path": "title", "value": "Staff Engineer"},
        {"op": "replace", "path": "name.formatted", "value": "Carla D."},
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "cd@example.com"},
        {"op": "replace", "path": f"{ENT}:department", "value": "Platform"},
        {"op": "add", "path": f"{ENT}:manager", "value": {"value": boss.id}},
    ]
    user = parse_user(await client.patch(f"/Users/{created.id}",
                                         json={"schemas": [PATCH], "Operations": ops}))
    assert user.title == "Staff Engineer" and user.name.formatted == "Carla D."
    assert user[EnterpriseUser].department == "Platform"
    assert user[EnterpriseUser].manager.value == boss.id
    # Removing the manager clears it.
    user = parse_user(await client.patch(f"/Users/{created.id}", json={
        "schemas": [PATCH], "Operations": [{"op": "remove", "path": f"{ENT}:manager"}]}))
    assert user[EnterpriseUser].manager is None


async def test_patch_entra_value_form(client: httpx.AsyncClient, app: FastAPI) -> None:
    created = await create(client)
    boss = await create(client, email="boss@example.com", external_id="E1")
    ops = [
        {"op": "Replace", "value": {"title": "Manager", f"{ENT}:department": "Ops"}},
        # Entra sends the manager as a bare id string.
        {"op": "Add", "path": f"{ENT}:manager", "value": "E1"},
        {"op": "Replace", "value": {"active": False}},
    ]
    user = parse_user(await client.patch(f"/Users/{created.id}",
                                         json={"schemas": [PATCH], "Operations": ops}))
    assert user.title == "Manager" and user[EnterpriseUser].department == "Ops"
    assert user[EnterpriseUser].manager.value == boss.id
    assert user.active is False
    with app.state.sessions() as s:
        person = s.get(Person, int(created.id))
        assert person is not None and person.active is False
    # Re-enabling comes back the same way.
    user = parse_user(await client.patch(f"/Users/{created.id}", json={
        "schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": "True"}]}))
    assert user.active is True


async def test_deactivate_ends_live_match_and_tells_partner(
        client: httpx.AsyncClient, app: FastAPI, seeded: dict[str, Any],
        clock: FakeClock) -> None:
    ana, ben = seeded["people"]["U1"], seeded["people"]["U2"]
    with app.state.sessions() as s, s.begin():
        match = Match(program_id=seeded["programs"]["Leadership 1:1"], mentor_id=ana,
                      mentees=[MatchMentee(person_id=ben)])
        s.add(match)
        s.flush()
        lifecycle.activate(s, match, now=clock.now())
        match_id = match.id
    response = await client.patch(f"/Users/{ana}", json={
        "schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]})
    assert response.status_code == 200, response.text
    # Seeded addresses are on .test, which EmailStr refuses: read the JSON, not the model.
    assert response.json()["active"] is False
    with app.state.sessions() as s:
        match = s.get(Match, match_id)
        assert match is not None
        assert match.status == MatchStatus.ENDED and match.ended_reason == EndReason.LEFT
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.match_id == match_id)).all()
        assert [(r.person_id, r.kind) for r in rows] == [(ben, "left")]
        assert "has left the company" in str(rows[0].payload)


async def test_delete_deactivates_and_keeps_history(client: httpx.AsyncClient,
                                                    app: FastAPI) -> None:
    created = await create(client)
    response = await client.delete(f"/Users/{created.id}")
    assert response.status_code == 204 and response.content == b""
    with app.state.sessions() as s:
        person = s.get(Person, int(created.id))
        assert person is not None and person.active is False
    assert_error(await client.delete("/Users/987654"), 404)


async def test_unknown_id_is_404(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/Users/987654"), 404)
    assert_error(await client.get("/Users/not-a-number"), 404)
    assert_error(await client.put("/Users/987654", json=user_body()), 404)
    assert_error(await client.patch("/Users/987654", json={
        "schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "x"}]}),
        404)


async def test_auth_required(app: FastAPI, client: httpx.AsyncClient) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/scim/v2") as anon:
        assert_error(await anon.get("/Users"), 401)
        assert_error(await anon.get("/Users", headers={"Authorization": "Bearer wrong"}), 401)
        assert_error(await anon.get("/Users", headers={"Authorization": "Basic abc"}), 401)
        assert_error(await anon.post("/Users", json=user_body()), 401)
        assert_error(await anon.get("/ServiceProviderConfig"), 401)
    assert (await client.get("/Users")).status_code == 200


async def test_malformed_requests_are_scim_400(client: httpx.AsyncClient) -> None:
    created = await create(client)
    headers = {"content-type": "application/scim+json"}
    assert_error(await client.post("/Users", content=b"{not json", headers=headers),
                 400, "invalidSyntax")
    assert_error(await client.post("/Users", json=["a list"]), 400, "invalidSyntax")
    assert_error(await client.post("/Users", json=user_body(active="maybe")), 400)
    assert_error(await client.post("/Users", json=user_body(userName=42)), 400)
    assert_error(await client.post("/Users", json={"schemas": [user_body()["schemas"][0]]}), 400)
    assert_error(await client.post("/Users", json=user_body(emails="x")), 400)
    assert_error(await client.post("/Users", json=user_body(**{ENT: {"manager": 5}})),
                 400, "invalidValue")
    assert_error(await client.put(f"/Users/{created.id}", content=b"nope", headers=headers),
                 400, "invalidSyntax")
    for bad in ('userName eq', "foo bar baz", 'nosuch sw "x"', 'userName eq "a" or'):
        assert_error(await client.get("/Users", params={"filter": bad}), 400, "invalidFilter")
    assert_error(await client.get("/Users", params={"startIndex": "abc"}), 400, "invalidValue")
    patch_url = f"/Users/{created.id}"
    for body in ({"schemas": [PATCH], "Operations": "x"},
                 {"schemas": [PATCH], "Operations": [{"op": "frob"}]},
                 {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active",
                                                      "value": "maybe"}]},
                 {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "nope[[",
                                                      "value": 1}]},
                 "just a string"):
        assert_error(await client.patch(patch_url, json=body), 400)
    assert_error(await client.patch(patch_url, content=b"{", headers=headers), 400,
                 "invalidSyntax")
    # Nothing above changed the user.
    assert parse_user(await client.get(f"/Users/{created.id}")).title == "Engineer"

