"""The cadence as policy data (R1-R2 every 24 months, R3 every 12, R4-R5 every 6; after `remediate` or `exit`
sooner) and the `periodic_review` process's approvers as policy rows: risk and compliance in phase 1; senior
management too from R4 (phase 2). Administrators edit both later in the admin (audited)."""
from django.db import migrations

# risk rating, months, months after remediate / exit, days before due the review opens
CADENCE = [("R1", 24, 12, 30), ("R2", 24, 12, 30), ("R3", 12, 6, 30), ("R4", 6, 3, 30), ("R5", 6, 3, 30)]
# department, phase, minimum risk rating ("" = any), due working days, escalation days
POLICY = [
    ("risk", 1, "", 10, 3),
    ("compliance", 1, "", 10, 3),
    ("senior_management", 2, "R4", 5, 2),
]


def seed(apps, schema_editor):
    CadencePolicy = apps.get_model("reviews", "CadencePolicy")
    GatePolicy = apps.get_model("approvals", "GatePolicy")
    for rating, months, sooner, lead in CADENCE:
        CadencePolicy.objects.get_or_create(risk_rating=rating, category="",
                                            defaults={"months": months, "remediate_months": sooner,
                                                      "lead_days": lead})
    for department, phase, rating, days, escalation in POLICY:
        GatePolicy.objects.get_or_create(process="periodic_review", department=department, fact="", target_stage="",
                                         category="", min_risk_rating=rating,
                                         defaults={"phase": phase, "due_working_days": days,
                                                   "escalation_days": escalation})


def unseed(apps, schema_editor):
    apps.get_model("approvals", "GatePolicy").objects.filter(process="periodic_review").delete()
    apps.get_model("reviews", "CadencePolicy").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("reviews", "0001_periodic_reviews"),
        ("approvals", "0002_review_withdrawn"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
