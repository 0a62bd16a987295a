"""The OpenAPI schema at /api/v1/schema/ (drf-spectacular) and the docs at /api/v1/docs/."""

import pytest
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from tests.fixtures.tenants import api_client_for

CONNECTION_AND_DATAFLOW_PATHS = {
    "/api/v1/connections/": {"get", "post"},
    "/api/v1/connections/{id}/": {"get", "patch", "delete"},
    "/api/v1/connections/{id}/synchronize/": {"post"},
    "/api/v1/connections/{id}/enable/": {"post"},
    "/api/v1/connections/{id}/disable/": {"post"},
    "/api/v1/connections/{connection_pk}/dataflows/": {"get"},
    "/api/v1/connections/{connection_pk}/dataflows/{kind}/": {"patch"},
    "/api/v1/runs/": {"get"},
    "/api/v1/runs/{id}/": {"get"},
    "/api/v1/runs/{run_pk}/logs/": {"get"},
}
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema, node, seen=None):
    """Every property name reachable from `node`, following $refs, allOf/oneOf and arrays."""
    seen = set() if seen is None else seen
    names = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref:
            if ref in seen:
                return names
            seen.add(ref)
            return _resolve(schema, schema["components"]["schemas"][ref.split("/")[-1]], seen)
        names |= set(node.get("properties", {}))
        for value in node.values():
            names |= _resolve(schema, value, seen)
    elif isinstance(node, list):
        for value in node:
            names |= _resolve(schema, value, seen)
    return names


def test_the_schema_generates_and_validates_without_a_single_warning(tmp_path):
    # --fail-on-warn turns any warning or error of the generator into a failure;
    # --validate checks the result against the OpenAPI 3 specification.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )

    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")


def test_the_schema_documents_every_connection_dataflow_and_run_endpoint(schema):
    documented = {
        path: {method for method in operations if method in HTTP_METHODS}
        for path, operations in schema["paths"].items()
        if path in CONNECTION_AND_DATAFLOW_PATHS
    }

    assert documented == CONNECTION_AND_DATAFLOW_PATHS


def test_no_response_object_in_the_schema_has_the_access_token(schema):
    responses_properties = set()
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            if method in HTTP_METHODS:
                responses_properties |= _resolve(schema, operation.get("responses", {}))

    assert "store_hash" in responses_properties  # the connection is there...
    assert "access_token" not in responses_properties  # ...its token is not


@pytest.mark.parametrize(
    "path,method",
    [("/api/v1/connections/", "post"), ("/api/v1/connections/{id}/", "patch")],
)
def test_the_access_token_is_documented_as_write_only_input(schema, path, method):
    body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    component = schema["components"]["schemas"][body["$ref"].split("/")[-1]]

    assert component["properties"]["access_token"]["writeOnly"] is True


def test_the_runs_list_documents_its_filters_and_pagination(schema):
    operation = schema["paths"]["/api/v1/runs/"]["get"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}

    assert {"connection", "kind", "status", "trigger", "page", "page_size"} <= parameters
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "PaginatedRunList"
    )


def test_the_schema_and_the_docs_are_served(db):
    client = api_client_for(None)

    schema_response = client.get("/api/v1/schema/")
    docs_response = client.get("/api/v1/docs/")

    assert schema_response.status_code == 200
    assert b"/api/v1/connections/" in schema_response.content
    assert docs_response.status_code == 200
    assert b"swagger" in docs_response.content.lower()
