"""Variant options of a sandbox store's products and variants added to a product on the store:
BigCommerce builds a new variant only from option values that exist on the product."""

from __future__ import annotations

import copy

from . import listings_checks as checks
from .errors import ApiError
from .params import now
from .records import Variant
from .render_catalog import option_dicts

OPTION_TYPES = ("radio_buttons", "rectangles", "dropdown", "swatch", "product_list",
                "product_list_with_images")


class OptionsMixin:
    """Options and added variants of `Store` (option ids from `next_option_id`)."""

    def product_options(self, pid) -> list[dict]:
        """The product's options, kept with the product once asked for (seeded ones are
        derived from the variants' labels)."""
        p = self.get_product(pid)
        if p.extra is None:
            p.extra = {}
        if "_options" not in p.extra:
            p.extra["_options"] = copy.deepcopy(option_dicts(p))
        return p.extra["_options"]

    def create_option(self, pid, body) -> dict:
        options = self.product_options(pid)
        if not isinstance(body, dict):
            raise ApiError(422, "The request body must be an option object.")
        errors: dict = {}
        checks.check_text(errors, body, "display_name", maximum=255, required=True, minimum=1)
        checks.check_choice(errors, body, "type", OPTION_TYPES)
        if "type" not in body:
            errors["type"] = "The field 'type' is required."
        values = body.get("option_values")
        if not isinstance(values, list) or not values or not all(
                isinstance(v, dict) and isinstance(v.get("label"), str) and v["label"]
                for v in values):
            errors["option_values"] = "The field 'option_values' needs values with a 'label'."
        if errors:
            raise ApiError(422, "The option is not valid.", errors)
        name = body["display_name"]
        if any(o["display_name"].casefold() == name.casefold() for o in options):
            raise ApiError(409, f"The product already has an option named '{name}'.",
                           {"display_name": "duplicate"})
        self.next_option_id += 1
        option = {"id": self.next_option_id, "product_id": int(pid), "display_name": name,
                  "type": body["type"], "sort_order": len(options), "config": {},
                  "option_values": []}
        for v in values:
            self._add_option_value(option, v)
        options.append(option)
        return option

    def update_option(self, pid, oid, body) -> dict:
        """PUT an option: its display type (and name); the values stay. The spec marks
        product_id, display_name and type required on a PUT."""
        options = self.product_options(pid)
        option = next((o for o in options if str(o["id"]) == str(oid)), None)
        if option is None:
            raise ApiError(404, f"Option {oid} of product {pid} was not found.")
        if not isinstance(body, dict):
            raise ApiError(422, "The request body must be an option object.")
        errors: dict = {}
        checks.check_text(errors, body, "display_name", maximum=255, required=True, minimum=1)
        checks.check_choice(errors, body, "type", OPTION_TYPES)
        for key in ("type", "product_id"):
            if key not in body:
                errors[key] = f"The field '{key}' is required."
        if "product_id" in body and body["product_id"] != int(pid):
            errors["product_id"] = f"The field 'product_id' must be {pid}, the option's product."
        if errors:
            raise ApiError(422, "The option is not valid.", errors)
        name = body["display_name"]
        if any(o is not option and o["display_name"].casefold() == name.casefold()
               for o in options):
            raise ApiError(409, f"The product already has an option named '{name}'.",
                           {"display_name": "duplicate"})
        option.update(display_name=name, type=body["type"])
        if isinstance(body.get("sort_order"), int):
            option["sort_order"] = body["sort_order"]
        self.get_product(pid).modified = now()
        return option

    def _add_option_value(self, option: dict, body: dict) -> dict:
        self.next_option_value_id += 1
        value = {"id": self.next_option_value_id, "label": body["label"],
                 "sort_order": body.get("sort_order", len(option["option_values"])),
                 "value_data": None, "is_default": False}
        option["option_values"].append(value)
        return value

    def create_option_value(self, pid, oid, body) -> dict:
        option = next((o for o in self.product_options(pid) if str(o["id"]) == str(oid)), None)
        if option is None:
            raise ApiError(404, f"Option {oid} of product {pid} was not found.")
        errors: dict = {}
        if not isinstance(body, dict):
            raise ApiError(422, "The request body must be an option value object.")
        checks.check_text(errors, body, "label", maximum=255, required=True, minimum=1)
        if not isinstance(body.get("sort_order"), int):
            errors["sort_order"] = "The field 'sort_order' is required (an integer)."
        if errors:
            raise ApiError(422, "The option value is not valid.",
                           errors)
        if any(v["label"] == body["label"] for v in option["option_values"]):
            raise ApiError(409, f"The option already has the value '{body['label']}'.",
                           {"label": "duplicate"})
        return self._add_option_value(option, body)

    def create_variant(self, pid, body) -> Variant:
        options = self.product_options(pid)
        p = self.get_product(pid)
        if not isinstance(body, dict):
            raise ApiError(422, "The request body must be a variant object.")
        errors: dict = {}
        checks.check_variant(errors, body, create=False)
        checks.check_text(errors, body, "sku", maximum=checks.SKU_MAX, required=True, minimum=1)
        picked = []
        for n, ov in enumerate(body.get("option_values") or []):
            option = next((o for o in options if isinstance(ov, dict)
                           and o["id"] == ov.get("option_id")), None)
            value = next((v for v in (option or {}).get("option_values", [])
                          if v["id"] == ov.get("id")), None)
            if value is None:
                errors[f"option_values.{n}"] = ("The option value does not exist on the "
                                                "product; create it first.")
            else:
                picked.append({"id": value["id"], "label": value["label"],
                               "option_id": option["id"],
                               "option_display_name": option["display_name"]})
        if not picked and "option_values" not in errors:
            errors["option_values"] = "The field 'option_values' is required."
        if errors:
            raise ApiError(422, "The variant is not valid.",
                           errors)
        self._forced_failure([body["sku"]], "create")
        if self._sku_taken(body["sku"]):
            raise ApiError(409, f"The SKU '{body['sku']}' is already in use.", {"sku": "duplicate"})
        combo = sorted(x["id"] for x in picked)
        for v in p.variants:
            have = (v.extra or {}).get("option_values")
            ids = sorted(x["id"] for x in have) if have else (
                [v.option_value_id] if v.label is not None else [])
            if ids == combo:
                raise ApiError(409, "A variant with these option values already exists.",
                               {"option_values": "duplicate"})
        price = body["price"] if body.get("price") is not None else p.price / 100
        v = self._new_variant(p, len(p.variants), {**body, "price": price}, picked[0]["label"],
                              {"price": price, "upc": ""})
        v.extra["option_values"] = picked
        p.modified = v.modified = now()
        self.emit("store/sku/created", {"type": "sku", "id": v.id})
        return v
