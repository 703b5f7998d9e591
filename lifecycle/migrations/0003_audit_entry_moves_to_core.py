"""The audit chain now belongs to the core app (core.0001 took over the table in the state)."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0002_seed_policy_and_audit_trigger"), ("core", "0001_audit_entry_from_lifecycle")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="AuditEntry")],
                                            database_operations=[]),
    ]
