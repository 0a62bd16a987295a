"""The option values a variant added to a product already on the store needs.

BigCommerce creates a variant only from option values that exist on the product, so the
product's options are read, the missing option or value created, then the variant posted
with their ids: ``GET .../options``, ``POST .../options`` or ``POST .../options/{id}/values``
when needed, ``POST /v3/catalog/products/{id}/variants``. The display type of a product's
options (BigCommerce gives options made by inline variants its own) is set with
``PUT .../options/{id}``, only for the options whose type differs.
"""

from __future__ import annotations

from typing import Any

from .base import ResourceBase, endpoint_key


class ListingVariantsAPI(ResourceBase):
    def _options_set_type(self, product_id: int, option_type: str) -> int:
        """PUT ``option_type`` on each option of the product that has another; answers how
        many were changed. The spec requires product_id, display_name and type on a PUT."""
        base = f"/v3/catalog/products/{product_id}/options"
        changed = 0
        for option in self._all_v3(base):
            if option.get("type") == option_type:
                continue
            option_id = option.get("id")
            if not isinstance(option_id, int) or isinstance(option_id, bool):
                raise self._malformed(endpoint_key("GET", base), "options with an id", option)
            path = f"{base}/{option_id}"
            body = {
                "product_id": product_id,
                "display_name": option.get("display_name"),
                "type": option_type,
            }
            self._v3_data("PUT", path, self._request("PUT", path, json_body=body))
            changed += 1
        return changed

    def _option_value_ids(
        self, base: str, wanted: list[dict[str, Any]], option_type: str = ""
    ) -> list[dict[str, Any]]:
        """``[{id, option_id, option_display_name, label}]`` for ``[{option_display_name,
        label}]``, creating what is missing on the product (a new option of ``option_type``,
        rectangles when none is given)."""
        options = self._all_v3(f"{base}/options")
        by_name = {str(o.get("display_name", "")).casefold(): o for o in options}
        out = []
        for want in wanted:
            name, label = want.get("option_display_name", ""), want.get("label", "")
            option = by_name.get(str(name).casefold())
            if option is None:
                body = {
                    "display_name": name,
                    "type": option_type or "rectangles",
                    "option_values": [{"label": label, "sort_order": 0}],
                }
                option = self._v3_data(
                    "POST",
                    f"{base}/options",
                    self._request("POST", f"{base}/options", json_body=body),
                )
                by_name[str(name).casefold()] = option
            values = option.get("option_values") or []
            value = next((v for v in values if v.get("label") == label), None)
            if value is None:
                path = f"{base}/options/{option['id']}/values"
                body = {"label": label, "sort_order": len(values)}
                value = self._v3_data("POST", path, self._request("POST", path, json_body=body))
                option.setdefault("option_values", []).append(value)
            # ids and names both: the spec requires the names, the docs say to send the ids
            out.append(
                {
                    "id": value["id"],
                    "option_id": option["id"],
                    "option_display_name": option.get("display_name", name),
                    "label": value.get("label", label),
                }
            )
        return out
