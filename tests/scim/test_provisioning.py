"""What identity providers rely on: deletion, late managers, attributes read back as written,
response shaping, and SCIM errors everywhere under /scim/v2."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from core.clock import FakeClock
from core.models import Person
from tests.scim.conftest import ENT, PATCH, user_body

SEARCH = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"


async def create(client: httpx.AsyncClient, **kwargs: Any) -> dict[str, Any]:
    response = await client.post("/Users", json=user_body(**kwargs))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def error_of(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/scim+json")
    body: dict[str, Any] = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    assert body["status"] == str(status)
    return body


async def test_a_deleted_user_is_gone_and_their_username_can_be_created_again(
        client: httpx.AsyncClient, app: FastAPI, clock: FakeClock) -> None:
    carla = await create(client)
    assert (await client.delete(f"/Users/{carla['id']}")).status_code == 204
    error_of(await client.get(f"/Users/{carla['id']}"), 404)
    error_of(await client.delete(f"/Users/{carla['id']}"), 404)
    error_of(await client.patch(f"/Users/{carla['id']}", json={
        "schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "x"}]}),
        404)
    found = (await client.get("/Users", params={"filter": 'userName eq "carla.diaz@example.com"'}))
    assert found.json()["totalResults"] == 0
    again = await create(client)
    assert again["id"] != carla["id"] and again["userName"] == "carla.diaz@example.com"
    with app.state.sessions() as s:
        old = s.get(Person, int(carla["id"]))
        # The person who left stays for reports: inactive, with the day they left.
        assert old is not None and not old.active and old.left_on == clock.now().date()
        assert old.name == "Carla Diaz"


async def test_a_manager_sent_before_they_exist_is_linked_when_they_arrive(
        client: httpx.AsyncClient) -> None:
    body = user_body()
    body[ENT]["manager"] = {"value": "E1"}  # Okta: the manager's employee id, not here yet
    report = (await client.post("/Users", json=body)).json()
    assert report[ENT]["manager"] == {"value": "E1"}
    boss = await create(client, email="boss@example.com", external_id="E1")
    got = (await client.get(f"/Users/{report['id']}")).json()
    assert got[ENT]["manager"]["value"] == boss["id"]
    # Entra names the manager by its own object id, its externalId.
    body = user_body(email="dan@example.com", external_id="E101")
    body[ENT]["manager"] = "aad-object-9"
    dan = (await client.post("/Users", json=body)).json()
    chief = await create(client, email="chief@example.com", external_id="aad-object-9")
    assert (await client.get(f"/Users/{dan['id']}")).json()[ENT]["manager"]["value"] \
        == chief["id"]


async def test_every_published_attribute_reads_back_as_written(
        client: httpx.AsyncClient) -> None:
    body = user_body(nickName="Carlita", preferredLanguage="es-MX", locale="es-MX",
                     userType="Employee", timezone="America/Mexico_City")
    body["name"] = {"formatted": "Dr. Carla Diaz", "givenName": "Carla", "familyName": "Diaz",
                    "honorificPrefix": "Dr."}
    body["displayName"] = "Carla D."
    body[ENT].update(costCenter="CC-7", division="R&D")
    carla = await create(client, **{k: v for k, v in body.items() if k != "schemas"})
    got = (await client.get(f"/Users/{carla['id']}")).json()
    for key in ("name", "displayName", "nickName", "preferredLanguage", "locale", "userType",
                "timezone", "emails", "externalId", "title", "active"):
        assert got[key] == body[key], key
    assert got[ENT] == {k: v for k, v in body[ENT].items()}
    # Removing any of them removes it; the person stays as the bot knows them.
    for path in ("externalId", "name", "displayName", "timezone", "active", "emails",
                 f"{ENT}:employeeNumber", f"{ENT}:organization"):
        response = await client.patch(f"/Users/{carla['id']}", json={
            "schemas": [PATCH], "Operations": [{"op": "remove", "path": path}]})
        assert response.status_code == 200, response.text
        attribute = path.rpartition(":")[2] if path.startswith(ENT) else path
        holder = response.json().get(ENT, {}) if path.startswith(ENT) else response.json()
        assert attribute not in holder, path
    got = (await client.get(f"/Users/{carla['id']}")).json()
    assert got["userName"] == "carla.diaz@example.com" and got[ENT]["department"] == "Engineering"


async def test_attributes_and_excluded_attributes_shape_every_answer(
        client: httpx.AsyncClient) -> None:
    carla = await create(client, title="Mentor Lead")
    only = (await client.get(f"/Users/{carla['id']}",
                             params={"attributes": f"userName,{ENT}:department"})).json()
    assert set(only) == {"schemas", "id", "userName", ENT}
    assert only[ENT] == {"department": "Engineering"}
    without = (await client.get("/Users", params={"excludedAttributes": "name,emails",
                                                  "filter": 'externalId eq "E100"'})).json()
    [user] = without["Resources"]
    assert "name" not in user and "emails" not in user and user["title"] == "Mentor Lead"
    searched = (await client.post("/Users/.search", json={
        "schemas": [SEARCH], "filter": 'title eq "Mentor Lead" and active eq true',
        "attributes": ["displayName"]})).json()
    assert searched["totalResults"] == 1
    assert searched["Resources"] == [{"schemas": carla["schemas"], "id": carla["id"],
                                      "displayName": "Carla Diaz"}]
    root = (await client.post("/.search", json={"schemas": [SEARCH],
                                                "filter": 'name.formatted co "Carla"'})).json()
    assert [r["id"] for r in root["Resources"]] == [carla["id"]]


async def test_errors_are_scim_errors_everywhere_and_bad_input_changes_nothing(
        client: httpx.AsyncClient, app: FastAPI) -> None:
    carla = await create(client)
    error_of(await client.get("/Nope"), 404)
    error_of(await client.get("/Schemas/urn:nope"), 404)
    error_of(await client.get("/ResourceTypes/Group"), 404)
    error_of(await client.post("/ServiceProviderConfig", json={}), 405)
    error_of(await client.delete("/Users"), 405)
    assert error_of(await client.post("/Users/.search", json={"filter": 'userName eq'}),
                    400)["scimType"] == "invalidFilter"
    assert error_of(await client.post("/.search", json=["x"]), 400)["scimType"] == \
        "invalidSyntax"
    with app.state.sessions() as s:
        before = [(p.id, p.email, p.title) for p in s.scalars(select(Person).order_by(Person.id))]
    error_of(await client.put(f"/Users/{carla['id']}", json=user_body(name=7)), 400)
    error_of(await client.patch(f"/Users/{carla['id']}", json={
        "schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "x"},
                                           {"op": "replace", "path": "active", "value": "?"}]}),
        400)
    with app.state.sessions() as s:
        assert before == [(p.id, p.email, p.title)
                          for p in s.scalars(select(Person).order_by(Person.id))]


async def test_provisioning_a_chat_made_record_adopts_or_merges_it(
        client: httpx.AsyncClient, app: FastAPI, seeded: dict[str, Any]) -> None:
    from core.models import Match, MatchMentee, MatchStatus, PlatformIdentity

    ana, ben = seeded["people"]["U1"], seeded["people"]["U2"]
    # Ana wrote in chat before the identity provider knew her: provisioning her adopts it.
    adopted = await create(client, email="ana.lima@acme.test", external_id="E7",
                           emails=[{"value": "ana@example.com", "type": "work"}])
    assert adopted["id"] == str(ana)
    # Carla's address changes to the one Ben's chat record holds: the same person, merged.
    carla = await create(client)
    moved = await client.patch(f"/Users/{carla['id']}", json={"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "userName", "value": "ben.okoro@acme.test"}]})
    assert moved.status_code == 200, moved.text
    with app.state.sessions() as s:
        assert s.get(Person, ben) is None
        assert s.scalar(select(PlatformIdentity.person_id).where(
            PlatformIdentity.user_id == "U2")) == int(carla["id"])
    # A merge that would break a rule is a 409 and changes nothing.
    dan = await create(client, email="dan@example.com", external_id="E8")
    with app.state.sessions() as s, s.begin():
        eve = Person(workspace_id=seeded["workspace_id"], name="Eve", email="eve@acme.test")
        s.add(eve)
        s.flush()
        for mentee in (int(dan["id"]), eve.id):
            match = Match(program_id=seeded["programs"]["Leadership 1:1"], mentor_id=ana,
                          status=MatchStatus.ACTIVE)
            match.mentees.append(MatchMentee(person_id=mentee))
            s.add(match)
        eve_id = eve.id
    refused = await client.patch(f"/Users/{dan['id']}", json={"schemas": [PATCH], "Operations": [
        {"op": "replace", "path": "userName", "value": "eve@acme.test"}]})
    assert error_of(refused, 409)["scimType"] == "uniqueness"
    assert "each have a live match" in refused.json()["detail"]
    with app.state.sessions() as s:
        assert s.get(Person, eve_id) is not None
        assert s.get(Person, int(dan["id"])).email == "dan@example.com"  # type: ignore[union-attr]
