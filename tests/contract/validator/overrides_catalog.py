"""Catalog operations the listings use whose BigCommerce specs are not vendored (categories,
brands, product variant options): declared by hand after BigCommerce's documentation, with
the members the hub sends and reads; added to products_catalog.v3.yml by OVERRIDES."""

from __future__ import annotations

from typing import Any


def named_records_path(kind: str, extra: dict[str, Any], filters: tuple[str, ...]) -> dict:
    """GET (list, filtered by name) and POST (create) of ``/catalog/categories`` or
    ``/catalog/brands``: the members the hub sends and reads, other members left open."""
    record = {
        "type": "object",
        "required": ["id", "name"],
        "properties": {
            "id": {"type": "integer", "minimum": 1},
            "name": {"type": "string", "minLength": 1, "maxLength": 255},
            **extra,
        },
    }
    create = {
        "type": "object",
        "required": ["name", *extra],
        "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 255}, **extra},
    }
    error = {"$ref": "#/components/schemas/errorResponse_422"}
    return {
        "get": {
            "operationId": f"getAll{kind}",
            "parameters": [
                {"name": name, "in": "query", "schema": schema}
                for name, schema in (
                    ("page", {"type": "integer", "minimum": 1}),
                    ("limit", {"type": "integer", "minimum": 1, "maximum": 250}),
                    ("name", {"type": "string"}),
                    ("id:in", {"type": "array", "items": {"type": "integer"}}),
                    *((f, {"type": "integer"}) for f in filters),
                )
            ]
            + [{"$ref": "#/components/parameters/Accept"}],
            "responses": {
                "200": {
                    "description": "",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["data", "meta"],
                                "properties": {
                                    "data": {"type": "array", "items": record},
                                    "meta": {"$ref": "#/components/schemas/metaCollection_Full"},
                                },
                            }
                        }
                    },
                }
            },
        },
        "post": {
            "operationId": f"create{kind}",
            "parameters": [
                {"$ref": "#/components/parameters/Accept"},
                {"$ref": "#/components/parameters/ContentType"},
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": create}},
            },
            "responses": {
                "200": {
                    "description": "",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "required": ["data"],
                                "properties": {"data": record, "meta": {"type": "object"}},
                            }
                        }
                    },
                },
                "409": {"description": "", "content": {"application/json": {"schema": error}}},
                "422": {"description": "", "content": {"application/json": {"schema": error}}},
            },
        },
    }


NAMED_RECORDS_REASON = (
    "Listings find or create categories and brands (GET and POST {path}), documented in "
    "BigCommerce's categories and brands specs, which are not vendored. The members the hub "
    "uses (id, name{extra}; the page, limit and name filters) are declared here, by hand, "
    "after BigCommerce's documentation; vendoring the official spec files should replace this."
)


def options_paths() -> dict[str, dict]:
    """GET and POST ``/catalog/products/{product_id}/options``, PUT ``.../options/{option_id}``
    and POST ``.../values``."""
    value = {
        "type": "object",
        "required": ["id", "label"],
        "properties": {"id": {"type": "integer"}, "label": {"type": "string", "minLength": 1}},
    }
    option = {
        "type": "object",
        "required": ["id", "product_id", "display_name", "type", "option_values"],
        "properties": {
            "id": {"type": "integer"},
            "product_id": {"type": "integer"},
            "display_name": {"type": "string", "minLength": 1, "maxLength": 255},
            "type": {"type": "string"},
            "option_values": {"type": "array", "items": value},
        },
    }
    new_value = {
        "type": "object",
        "required": ["label", "sort_order"],
        "properties": {
            "label": {"type": "string", "minLength": 1, "maxLength": 255},
            "sort_order": {"type": "integer"},
        },
    }
    option_type = {
        "type": "string",
        "enum": [
            "radio_buttons",
            "rectangles",
            "dropdown",
            "product_list",
            "product_list_with_images",
            "swatch",
        ],
    }
    new_option = {
        "type": "object",
        "required": ["display_name", "type", "option_values"],
        "properties": {
            "display_name": {"type": "string", "minLength": 1, "maxLength": 255},
            "type": option_type,
            "option_values": {"type": "array", "minItems": 1, "items": new_value},
        },
    }
    # productOption_Base marks product_id, display_name and type x-required on a PUT.
    option_put = {
        "type": "object",
        "required": ["product_id", "display_name", "type"],
        "properties": {
            "product_id": {"type": "integer"},
            "display_name": {"type": "string", "minLength": 1, "maxLength": 255},
            "type": option_type,
            "sort_order": {"type": "integer"},
        },
    }

    def one(schema: dict) -> dict:
        return {
            "description": "",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["data"],
                        "properties": {"data": schema, "meta": {"type": "object"}},
                    }
                }
            },
        }

    def post(op_id: str, body: dict, answer: dict) -> dict:
        return {
            "operationId": op_id,
            "parameters": [{"$ref": "#/components/parameters/ContentType"}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {"200": one(answer)},
        }

    refusal = {
        "description": "",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/errorResponse_422"}}
        },
    }
    product_id = {"$ref": "#/components/parameters/ProductIdParam"}
    option_id = {"name": "option_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    accept = {"$ref": "#/components/parameters/Accept"}
    page = [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 250}},
    ]
    listing = {
        "description": "",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["data"],
                    "properties": {
                        "data": {"type": "array", "items": option},
                        "meta": {"$ref": "#/components/schemas/metaCollection_Full"},
                    },
                }
            }
        },
    }
    return {
        "/catalog/products/{product_id}/options": {
            "parameters": [accept, product_id],
            "get": {
                "operationId": "getProductVariantOptions",
                "parameters": page,
                "responses": {"200": listing},
            },
            "post": post("createProductVariantOption", new_option, option),
        },
        "/catalog/products/{product_id}/options/{option_id}": {
            "parameters": [accept, product_id, option_id],
            "put": {
                **post("updateProductVariantOption", option_put, option),
                "responses": {
                    "200": one(option),
                    **{code: refusal for code in ("404", "409", "422")},
                },
            },
        },
        "/catalog/products/{product_id}/options/{option_id}/values": {
            "parameters": [accept, product_id, option_id],
            "post": post("createProductVariantOptionValue", new_value, value),
        },
    }
