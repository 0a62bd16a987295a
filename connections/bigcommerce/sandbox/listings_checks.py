"""BigCommerce's validation of catalog writes (products, variants, categories, brands): each
check adds `{field: message}` to an errors dict; the caller raises one `ApiError` with all of
them, as BigCommerce answers a 422 naming every bad field."""

from __future__ import annotations

import re

NAME_MAX = 250  # product name (createProduct: "250 characters product name length")
CUSTOM_FIELD_MAX = 250  # custom field name and value
SKU_MAX = 255
CATEGORY_NAME_MAX = 50
BRAND_NAME_MAX = 255
TYPES = ("physical", "digital")
TRACKING = ("none", "product", "variant")
AVAILABILITY = ("available", "disabled", "preorder")
_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$")


def is_number(val) -> bool:
    return isinstance(val, int | float) and not isinstance(val, bool)


def check_text(errors: dict, body: dict, key: str, *, maximum: int, required: bool = False,
               minimum: int = 0, where: str = "") -> None:
    name = f"{where}{key}"
    if key not in body:
        if required:
            errors[name] = f"The field '{key}' is required."
        return
    val = body[key]
    if not isinstance(val, str):
        errors[name] = f"The field '{key}' must be a string."
    elif len(val) > maximum:
        errors[name] = f"The field '{key}' must be at most {maximum} characters; it has {len(val)}."
    elif len(val.strip()) < minimum:
        errors[name] = f"The field '{key}' must not be empty."


def check_number(errors: dict, body: dict, key: str, *, required: bool = False,
                 where: str = "") -> None:
    name = f"{where}{key}"
    if key not in body:
        if required:
            errors[name] = f"The field '{key}' is required."
        return
    val = body[key]
    if not is_number(val):
        errors[name] = f"The field '{key}' must be a number."
    elif val < 0:
        errors[name] = f"The field '{key}' must be 0 or more; it is {val}."


def check_choice(errors: dict, body: dict, key: str, choices, where: str = "") -> None:
    if key in body and body[key] not in choices:
        errors[f"{where}{key}"] = (f"The field '{key}' must be one of {', '.join(choices)}; it is "
                                   f"{body[key]!r}.")


def check_bool(errors: dict, body: dict, key: str, where: str = "") -> None:
    if key in body and not isinstance(body[key], bool):
        errors[f"{where}{key}"] = f"The field '{key}' must be true or false."


def check_product(errors: dict, body: dict, *, create: bool, where: str = "") -> None:
    """The members of a product body (a create needs name, type, weight and price)."""
    check_text(errors, body, "name", maximum=NAME_MAX, required=create, minimum=1, where=where)
    if create and "type" not in body:
        errors[f"{where}type"] = "The field 'type' is required."
    check_choice(errors, body, "type", TYPES, where)
    check_number(errors, body, "weight", required=create, where=where)
    check_number(errors, body, "price", required=create, where=where)
    for key in ("cost_price", "retail_price", "sale_price", "width", "height", "depth"):
        check_number(errors, body, key, where=where)
    check_text(errors, body, "sku", maximum=SKU_MAX, where=where)
    check_text(errors, body, "description", maximum=65535, where=where)
    for key in ("upc", "mpn", "gtin"):
        check_text(errors, body, key, maximum=255, where=where)
    check_choice(errors, body, "inventory_tracking", TRACKING, where)
    check_choice(errors, body, "availability", AVAILABILITY, where)
    check_bool(errors, body, "is_visible", where)
    if "inventory_level" in body and (not isinstance(body["inventory_level"], int)
                                      or body["inventory_level"] < 0):
        errors[f"{where}inventory_level"] = "The field 'inventory_level' must be 0 or more."
    if "categories" in body and (not isinstance(body["categories"], list) or not all(
            isinstance(c, int) and not isinstance(c, bool) for c in body["categories"])):
        errors[f"{where}categories"] = "The field 'categories' must be a list of category ids."
    if "brand_id" in body and (not isinstance(body["brand_id"], int)
                               or isinstance(body["brand_id"], bool)):
        errors[f"{where}brand_id"] = "The field 'brand_id' must be a brand id."
    check_custom_fields(errors, body.get("custom_fields"), where)
    check_images(errors, body.get("images"), where)


def check_custom_fields(errors: dict, fields, where: str = "") -> None:
    if fields is None:
        return
    if not isinstance(fields, list):
        errors[f"{where}custom_fields"] = "The field 'custom_fields' must be a list."
        return
    for n, cf in enumerate(fields):
        at = f"{where}custom_fields.{n}."
        if not isinstance(cf, dict):
            errors[f"{where}custom_fields.{n}"] = "A custom field must be an object."
            continue
        check_text(errors, cf, "name", maximum=CUSTOM_FIELD_MAX, required=True, minimum=1,
                   where=at)
        check_text(errors, cf, "value", maximum=CUSTOM_FIELD_MAX, required=True, minimum=1,
                   where=at)


def check_images(errors: dict, images, where: str = "") -> None:
    if images is None:
        return
    if not isinstance(images, list):
        errors[f"{where}images"] = "The field 'images' must be a list."
        return
    for n, img in enumerate(images):
        at = f"{where}images.{n}.image_url"
        if not isinstance(img, dict):
            errors[f"{where}images.{n}"] = "An image must be an object."
        elif "id" not in img and not (isinstance(img.get("image_url"), str)
                                      and _URL.match(img["image_url"])):
            errors[at] = "The field 'image_url' must be a full http(s) URL of the image."


def check_variant(errors: dict, body: dict, *, create: bool, where: str = "") -> None:
    """The members of a variant body (inline in a product create, or a batch update)."""
    check_text(errors, body, "sku", maximum=SKU_MAX, required=create, minimum=1, where=where)
    for key in ("price", "cost_price", "sale_price", "retail_price", "weight", "width",
                "height", "depth"):
        if body.get(key) is not None:
            check_number(errors, body, key, where=where)
    check_text(errors, body, "upc", maximum=14, where=where)
    check_text(errors, body, "mpn", maximum=255, where=where)
    check_text(errors, body, "purchasing_disabled_message", maximum=255, where=where)
    check_bool(errors, body, "purchasing_disabled", where)
    if "inventory_level" in body and (not isinstance(body["inventory_level"], int)
                                      or body["inventory_level"] < 0):
        errors[f"{where}inventory_level"] = "The field 'inventory_level' must be 0 or more."
    if create:
        values = body.get("option_values")
        if not isinstance(values, list) or not values or not all(
                isinstance(v, dict) and isinstance(v.get("option_display_name"), str)
                and v["option_display_name"] and isinstance(v.get("label"), str) and v["label"]
                for v in values):
            errors[f"{where}option_values"] = ("Each variant needs 'option_values', each with "
                                               "an 'option_display_name' and a 'label'.")
