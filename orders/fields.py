"""Model fields of the orders app."""

from django.db import models


class PayloadJSONField(models.JSONField):
    """A JSON document kept as the text it came as: PostgreSQL's `json`, not `jsonb`. Nothing
    queries inside it (it is read whole, for support), and turning 250 orders' payloads
    (1.6 MB a page) into `jsonb`'s binary form costs PostgreSQL about 35 ms a page of an
    Order Import. Elsewhere (SQLite) a JSON field as usual."""

    def db_type(self, connection):
        if connection.vendor == "postgresql":
            return "json"
        return super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        # psycopg decodes `json` itself (Django has it hand over `jsonb` as text).
        if value is not None and not isinstance(value, (str, bytes, bytearray)):
            return value
        return super().from_db_value(value, expression, connection)
