"""Rename the audit table to the core app's, add field diffs, and move the append-only trigger with it."""
from django.db import migrations, models

TRIGGER_SQL = """
DROP TRIGGER IF EXISTS lifecycle_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS lifecycle_auditentry_append_only();
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_auditentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""
REVERSE_SQL = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
CREATE OR REPLACE FUNCTION lifecycle_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'lifecycle_auditentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER lifecycle_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION lifecycle_auditentry_append_only();
"""


def move_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL, params=None)


def move_trigger_back(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_audit_entry_from_lifecycle"), ("lifecycle", "0003_audit_entry_moves_to_core")]

    operations = [
        # The trigger refuses UPDATE, so it is moved before the table is widened (ALTER is not an UPDATE).
        migrations.AlterModelTable(name="auditentry", table=None),
        migrations.RunPython(move_trigger, move_trigger_back),
        migrations.AlterField(model_name="auditentry", name="action",
                              field=models.CharField(db_index=True, max_length=48, verbose_name="操作")),
        migrations.AlterField(model_name="auditentry", name="object_type",
                              field=models.CharField(db_index=True, max_length=60, verbose_name="对象类型")),
        migrations.AddField(model_name="auditentry", name="changes",
                            field=models.JSONField(blank=True, default=list, verbose_name="字段变更")),
    ]
