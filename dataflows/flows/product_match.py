"""Product Match (BC -> hub): every BigCommerce product and variant matched to a hub product by
the connection's master SKU field, product info imported, bad data reported."""

from dataflows.models import Kind

from . import register
from ._catalog_common import match_products


@register(Kind.PRODUCT_MATCH)
def run(ctx) -> None:
    match_products(ctx, changed=False)
