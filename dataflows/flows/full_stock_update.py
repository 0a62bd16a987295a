"""Full Stock Update (hub -> BC): the available stock of every linked item, 2000 items a
request."""

from dataflows.models import Kind

from . import register
from ._catalog_common import push_stock


@register(Kind.FULL_STOCK_UPDATE)
def run(ctx) -> None:
    push_stock(ctx, changed=False)
