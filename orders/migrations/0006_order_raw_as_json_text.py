from django.db import migrations

import orders.fields


def raw_compressed_with_lz4(apps, schema_editor):
    """lz4 compresses a payload several times faster than PostgreSQL's default (pglz), where
    the server has it (PostgreSQL 14+ built with lz4); orders stored before stay readable."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
            "AND 'lz4' = ANY(enumvals)"
        )
        if cursor.fetchone():
            cursor.execute("ALTER TABLE orders_order ALTER COLUMN raw SET COMPRESSION lz4")


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_customer_tenant_index_in_unique"),
    ]

    operations = [
        migrations.AlterField(
            model_name="order",
            name="raw",
            field=orders.fields.PayloadJSONField(blank=True, default=dict),
        ),
        migrations.RunPython(raw_compressed_with_lz4, migrations.RunPython.noop),
    ]
