"""Changed Stock Update (hub -> BC): only items whose available stock differs from what was
last pushed."""

from dataflows.models import Kind

from . import register
from ._catalog_common import push_stock


@register(Kind.CHANGED_STOCK_UPDATE)
def run(ctx) -> None:
    push_stock(ctx, changed=True)
