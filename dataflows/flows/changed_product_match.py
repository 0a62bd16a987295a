"""Changed Product Match (BC -> hub): Product Match for the products modified since the last
run (date_modified cursor with an overlap window). Not enabled by default."""

from dataflows.models import Kind

from . import register
from ._catalog_common import match_products


@register(Kind.CHANGED_PRODUCT_MATCH)
def run(ctx) -> None:
    match_products(ctx, changed=True)
