"""What the REST API tests of connections share."""

from django.conf import settings

STORED_TOKEN = "secret-token-1"  # the token make_connection() stores
NEW_TOKEN = "new-token-0123456789abcdef"
LIST_URL = "/api/v1/connections/"

OUTPUT_FIELDS = {
    "id",
    "tenant",
    "name",
    "driver",
    "status",
    "store_hash",
    "store_name",
    "client_id",
    "created_at",
    "updated_at",
    "has_order_errors",
    "variant_option_type",
    "order_status_filter",
    "import_min_order_id",
    "import_created_after",
    "import_archived_orders",
    "update_existing_orders",
    "master_sku_field",
    "inventory_location_id",
    "allow_partial_shipments",
    "push_only_mapped_attributes",
}


def detail_url(connection, suffix=""):
    return f"/api/v1/connections/{connection.pk}/{suffix}"


def bc_url(store_hash, path):
    return f"{settings.BIGCOMMERCE_API_URL}/stores/{store_hash}{path}"


def new_connection_payload(**overrides):
    payload = {"name": "Second store", "store_hash": "new456", "access_token": NEW_TOKEN}
    payload.update(overrides)
    return payload


def mock_healthy_store(mock, store_hash, *, name="New Store"):
    mock.get(bc_url(store_hash, "/v2/store"), json={"id": store_hash, "name": name})
    mock.get(bc_url(store_hash, "/v2/orders/count"), json={"count": 3, "statuses": []})
    mock.get(
        bc_url(store_hash, "/v3/catalog/products"),
        json={"data": [], "meta": {"pagination": {"total": 0, "total_pages": 0}}},
    )
    mock.get(
        bc_url(store_hash, "/v3/inventory/locations"),
        json={"data": [{"id": 1, "code": "default"}], "meta": {}},
    )


def user_for(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)
