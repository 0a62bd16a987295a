"""Categories and brands of a sandbox store: listed (filters name, id:in, parent_id) and
created (unique names, as BigCommerce: per parent for categories)."""

from __future__ import annotations

from . import listings_checks as checks
from .errors import ApiError
from .params import opt, parse_id_list, parse_int
from .seed import BRANDS

CATEGORY_NAMES = ("Apparel", "Accessories", "Bags", "Books", "Garden", "Home", "Kitchen",
                  "Lighting", "Office", "Outdoor", "Sports", "Toys", "Travel")


def seed_categories() -> dict[int, dict]:
    return {18 + n: {"id": 18 + n, "parent_id": 0, "name": name}
            for n, name in enumerate(CATEGORY_NAMES)}


def seed_brands() -> dict[int, dict]:
    return {bid: {"id": bid, "name": name} for bid, name in BRANDS if bid}


class TaxonomyMixin:
    """The categories and brands of `Store` (`categories`, `brands`: id -> record)."""


    def _list_named(self, records: dict, params: dict) -> list[dict]:
        out = list(records.values())
        if params.get("name"):
            out = [r for r in out if r["name"] == params["name"]]
        ids = opt(params, "id:in", parse_id_list)
        if ids is not None:
            out = [r for r in out if r["id"] in ids]
        if params.get("parent_id"):
            parent = parse_int(params["parent_id"], "parent_id", 0)
            out = [r for r in out if r.get("parent_id") == parent]
        return out

    def list_categories(self, params: dict) -> list[dict]:
        return self._list_named(self.categories, params)

    def list_brands(self, params: dict) -> list[dict]:
        return self._list_named(self.brands, params)

    def _named_body(self, body, maximum: int, extra=()) -> dict:
        if not isinstance(body, dict):
            raise ApiError(422, "The request body must be an object.")
        errors: dict = {}
        checks.check_text(errors, body, "name", maximum=maximum, required=True, minimum=1)
        for key in extra:
            if not isinstance(body.get(key), int) or isinstance(body.get(key), bool):
                errors[key] = f"The field '{key}' is required (an id, 0 for the top level)."
        if errors:
            raise ApiError(422, next(iter(errors.values())), errors)
        return body

    def create_category(self, body) -> dict:
        body = self._named_body(body, checks.CATEGORY_NAME_MAX, ("parent_id",))
        parent = body["parent_id"]
        if parent and parent not in self.categories:
            raise ApiError(422, f"The parent category {parent} does not exist.",
                           {"parent_id": "not found"})
        name = body["name"].strip()
        if any(c["name"].casefold() == name.casefold() and c["parent_id"] == parent
               for c in self.categories.values()):
            raise ApiError(409, f"A category named '{name}' already exists there.",
                           {"name": "duplicate"})
        cid = max(self.categories, default=17) + 1
        self.categories[cid] = {"id": cid, "parent_id": parent, "name": name}
        return self.categories[cid]

    def create_brand(self, body) -> dict:
        name = self._named_body(body, checks.BRAND_NAME_MAX)["name"].strip()
        if any(b["name"].casefold() == name.casefold() for b in self.brands.values()):
            raise ApiError(409, f"A brand named '{name}' already exists.", {"name": "duplicate"})
        bid = max(self.brands, default=0) + 1
        self.brands[bid] = {"id": bid, "name": name}
        return self.brands[bid]
