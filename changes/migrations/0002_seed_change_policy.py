"""The `change` process's approvers as policy data: risk, compliance and finance first; legal too when the change
expands the product (fact "expanded"); senior management last is the seeded any-process phase-2 row."""
from django.db import migrations

# department, phase, fact ("" = always), due working days
CHANGE_POLICY = [
    ("risk", 1, "", 3),
    ("compliance", 1, "", 3),
    ("finance", 1, "", 3),
    ("legal", 1, "expanded", 3),
]


def seed(apps, schema_editor):
    GatePolicy = apps.get_model("lifecycle", "GatePolicy")
    for department, phase, fact, days in CHANGE_POLICY:
        GatePolicy.objects.get_or_create(process="change", department=department, fact=fact, target_stage="",
                                         category="", min_risk_rating="",
                                         defaults={"phase": phase, "due_working_days": days})


def unseed(apps, schema_editor):
    apps.get_model("lifecycle", "GatePolicy").objects.filter(process="change").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("changes", "0001_initial"),
        ("lifecycle", "0004_review_process_subject_snapshot_policy_phases"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
