"""The embedded default `make run` serves (SQLite, eager Celery), run for real in a subprocess: migrate, seed the
demo (with its history), walk one gate with the audit chain verified, ingest figures and compute snapshots."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r'''
from core.audit import audit_verify
from core.models import AuditEntry
from kpis import services as kpis
from kpis.models import Snapshot
from lifecycle import services as lifecycle
from lifecycle.models import Deliverable
from accounts.models import User
from products.models import Product
from core.roles import department_members
from approvals import services as approval_services

history = set(AuditEntry.objects.filter(product__code="DEP-001").values_list("action", flat=True))
assert {"product_created", "review_submitted", "review_approved", "stage_changed"} <= history, history
product = Product.objects.get(code="DEP-005")
owner = product.owner
for item in Deliverable.objects.filter(product=product, stage=product.stage, status="open"):
    lifecycle.deliverable_update(user=owner, deliverable=item, status="done")
review = lifecycle.gate_review_submit(product=product, user=owner)
while review.steps.filter(status="pending").exists():
    for step in review.steps.filter(status="pending"):
        reviewer = department_members(department=step.department).order_by("username").first()
        approval_services.approval_step_decide(review=review, department=step.department, user=reviewer,
                                       decision="approve", comment="smoke")
product.refresh_from_db()
assert product.stage == "development", product.stage
assert audit_verify() is None
result = kpis.observations_ingest(user=owner, items=[
    {"product": "DEP-005", "metric": "revenue", "date": "2026-10-05", "value": 120.0},
    {"product": "DEP-005", "metric": "cost", "date": "2026-10-05", "value": 80.0}])
assert result.received == 2, result
computed = kpis.kpi_snapshots_compute(period="2026-10", granularity="month")
assert computed.snapshots > 0, computed
profit = Snapshot.objects.get(product=product, metric__code="profit", granularity="month", period="2026-10")
assert profit.value == 40.0, profit.value
print("SMOKE OK", AuditEntry.objects.count())
'''


def run(args, env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)


def test_the_embedded_sqlite_default_migrates_seeds_walks_a_gate_and_computes(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DATABASE_URL", "DJANGO_"))}
    env.update(DJANGO_SETTINGS_MODULE="bankpm.settings.local", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    for args in (["migrate", "-v0"], ["seed_demo"], ["verify_audit"], ["shell", "-c", SCRIPT]):
        done = run(args, env)
        assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    assert "SMOKE OK" in done.stdout
