"""Discovery endpoints parse with scim2-models and advertise what the adapter really supports."""

from __future__ import annotations

import httpx
from scim2_models import Context, ListResponse, ResourceType, Schema, ServiceProviderConfig


async def test_service_provider_config(client: httpx.AsyncClient) -> None:
    response = await client.get("/ServiceProviderConfig")
    assert response.headers["content-type"].startswith("application/scim+json")
    config = ServiceProviderConfig.model_validate(response.json(),
                                                  scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    assert config.patch.supported is True
    assert config.filter.supported is True and config.filter.max_results == 200
    assert config.bulk.supported is False and config.etag.supported is False
    assert [s.type for s in config.authentication_schemes] == ["oauthbearertoken"]


async def test_schemas(client: httpx.AsyncClient) -> None:
    listing = ListResponse[Schema].model_validate(
        (await client.get("/Schemas")).json(), scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    ids = {s.id for s in listing.resources}
    assert ids == {"urn:ietf:params:scim:schemas:core:2.0:User",
                   "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"}


async def test_resource_types(client: httpx.AsyncClient) -> None:
    listing = ListResponse[ResourceType].model_validate(
        (await client.get("/ResourceTypes")).json(), scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    (user,) = listing.resources
    assert user.endpoint == "/Users"
    assert [e.schema_ for e in user.schema_extensions] == [
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
