"""The option values a variant added to a product already on the store needs.

BigCommerce creates a variant only from option values that exist on the product, so the
product's options are read, the missing option or value created, then the variant posted
with their ids: ``GET .../options``, ``POST .../options`` or ``POST .../options/{id}/values``
when needed, ``POST /v3/catalog/products/{id}/variants``.
"""

from __future__ import annotations

from typing import Any

from .base import ResourceBase


class ListingVariantsAPI(ResourceBase):
    def _option_value_ids(self, base: str, wanted: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``[{id, option_id, option_display_name, label}]`` for ``[{option_display_name,
        label}]``, creating what is missing on the product."""
        options = self._all_v3(f"{base}/options")
        by_name = {str(o.get("display_name", "")).casefold(): o for o in options}
        out = []
        for want in wanted:
            name, label = want.get("option_display_name", ""), want.get("label", "")
            option = by_name.get(str(name).casefold())
            if option is None:
                body = {
                    "display_name": name,
                    "type": "rectangles",
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
