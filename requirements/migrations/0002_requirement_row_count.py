from django.db import migrations

from core.counts import install_sql, uninstall_sql

TABLE = "requirements_requirement"


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(install_sql(TABLE))


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(uninstall_sql(TABLE))


class Migration(migrations.Migration):
    """The backlog's row count, kept by triggers (core.counts): the unfiltered backlog list does not count 100,000
    rows on every page."""

    dependencies = [("requirements", "0001_initial"), ("core", "0005_row_count_deltas")]

    operations = [migrations.RunPython(install, uninstall)]
