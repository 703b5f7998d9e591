"""A kept portfolio pack is refused an UPDATE or DELETE by the database too (not only by the model and queryset)."""
from django.db import migrations

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION reports_portfoliopack_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'reports_portfoliopack is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reports_portfoliopack_append_only
    BEFORE UPDATE OR DELETE ON reports_portfoliopack
    FOR EACH ROW EXECUTE FUNCTION reports_portfoliopack_append_only();
"""
REVERSE_SQL = """
DROP TRIGGER IF EXISTS reports_portfoliopack_append_only ON reports_portfoliopack;
DROP FUNCTION IF EXISTS reports_portfoliopack_append_only();
"""


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE_SQL, params=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_portfolio_packs")]
    operations = [migrations.RunPython(add_trigger, drop_trigger)]
