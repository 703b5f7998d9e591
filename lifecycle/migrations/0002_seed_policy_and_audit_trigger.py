"""Seed deliverable templates and gate policy; make the audit table append-only in PostgreSQL itself."""
from django.db import migrations

from lifecycle.defaults import seed_defaults


TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION lifecycle_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'lifecycle_auditentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER lifecycle_auditentry_append_only
    BEFORE UPDATE OR DELETE ON lifecycle_auditentry
    FOR EACH ROW EXECUTE FUNCTION lifecycle_auditentry_append_only();
"""
DROP_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS lifecycle_auditentry_append_only ON lifecycle_auditentry;
DROP FUNCTION IF EXISTS lifecycle_auditentry_append_only();
"""


def seed(apps, schema_editor):
    seed_defaults(apps.get_model("lifecycle", "DeliverableTemplate"), apps.get_model("lifecycle", "GatePolicy"))


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0001_initial")]
    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
