"""Risk acceptance moves onto the approval engine: its policy row (senior management decides), and an open
acceptance review, opened by the system, for every risk already waiting for senior management."""
from datetime import timedelta

from django.db import migrations
from django.utils import timezone

PROCESS = "risk_acceptance"
SENIOR = "senior_management"
DUE_WORKING_DAYS, ESCALATION_DAYS = 5, 2


def _add_working_days(start, days):
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def forward(apps, schema_editor):
    GatePolicy = apps.get_model("lifecycle", "GatePolicy")
    GateReview = apps.get_model("lifecycle", "GateReview")
    ApprovalStep = apps.get_model("lifecycle", "ApprovalStep")
    Risk = apps.get_model("risks", "Risk")
    ContentType = apps.get_model("contenttypes", "ContentType")

    GatePolicy.objects.get_or_create(process=PROCESS, department=SENIOR, defaults={
        "phase": 1, "due_working_days": DUE_WORKING_DAYS, "escalation_days": ESCALATION_DAYS})
    waiting = Risk.objects.filter(status="pending_acceptance").select_related("product", "owner")
    if not waiting.exists():
        return
    risk_type, _created = ContentType.objects.get_or_create(app_label="risks", model="risk")
    now = timezone.now()
    for risk in waiting:
        key = f"{PROCESS}:{risk.pk}"
        if GateReview.objects.filter(lock_key=key, status="pending").exists():
            continue
        product = risk.product
        review = GateReview.objects.create(
            process=PROCESS, product=product, subject_type=risk_type, subject_id=risk.pk, lock_key=key,
            status="pending", submitted_by=None, submitted_at=now,
            snapshot={"product": {"code": product.code, "name": product.name, "category": product.category,
                                  "stage": product.stage},
                      "risk": {"id": risk.pk, "title": risk.title, "description": risk.description,
                               "category": risk.category, "cause": risk.cause, "method": risk.method,
                               "method_note": risk.method_note, "response": risk.response,
                               "transfer_instrument": risk.transfer_instrument,
                               "inherent": [risk.likelihood, risk.impact, risk.inherent_score, risk.inherent_level],
                               "residual": [risk.residual_likelihood, risk.residual_impact, risk.residual_score,
                                            risk.residual_level],
                               "owner": str(risk.owner), "review_due": risk.review_due.isoformat(),
                               "controls": []}})
        ApprovalStep.objects.create(
            review=review, department=SENIOR, position=1, status="pending", due_working_days=DUE_WORKING_DAYS,
            escalation_days=ESCALATION_DAYS, opened_at=now,
            due_date=_add_working_days(timezone.localdate(now), DUE_WORKING_DAYS))


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("lifecycle", "0012_review_withdrawn"),
        ("risks", "0002_seed_matrix_and_requirements"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
