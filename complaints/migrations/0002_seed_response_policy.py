from django.db import migrations

# Response deadlines per severity (days) and the further days before escalation: policy data, editable in the admin.
POLICY = [("critical", 1, 1), ("high", 5, 2), ("medium", 10, 3), ("low", 15, 5)]


def seed(apps, schema_editor):
    ResponsePolicy = apps.get_model("complaints", "ResponsePolicy")
    for severity, days, escalate in POLICY:
        ResponsePolicy.objects.get_or_create(severity=severity, defaults={"response_days": days,
                                                                          "escalate_after_days": escalate})


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_complaints_register")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
