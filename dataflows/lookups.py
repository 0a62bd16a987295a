"""`field__any_of=values`: membership in a list of values as one array parameter.

On PostgreSQL `field = ANY(%s::type[])`: Django's `__in` prepares, quotes and joins each of
the values into the SQL text in Python (a page of 250 orders' look-ups by id, e-mail and SKU
spends ~2 ms a query there); one array is one parameter. Elsewhere (SQLite) it is `__in`."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import Field
from django.db.models.lookups import In

from .bulk import pg_base_type


@Field.register_lookup
class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if self.rhs_is_direct_value():
            field = self.lhs.output_field
            values = list(dict.fromkeys(field.get_prep_value(v) for v in self.rhs if v is not None))
            if not values:
                raise EmptyResultSet
            lhs, params = self.process_lhs(compiler, connection)
            return f"{lhs} = ANY(%s::{pg_base_type(field, connection)}[])", (*params, values)
        return super().as_sql(compiler, connection)
