"""Demo data: version 1 of every launched product's terms, and one approved change in pilot (CC-001: new
cashback categories and a lower annual fee, piloted in two cities for young customers on mobile banking).

Idempotent: versions are only created where missing, and the change is created once (keyed on CC-001).
"""
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from approvals import services as approval_services
from products.models import Product

from . import services
from .models import Change

DEMO_PRODUCT = "CC-001"
DEPARTMENT_USERS = {"risk": "risk1", "compliance": "compliance1", "finance": "finance1", "legal": "legal1",
                    "senior_management": "exec1"}


def seed(*, stdout=None):
    for product in Product.objects.filter(stage__in=services.FROZEN_STAGES).order_by("code"):
        services.terms_version_initial_ensure(product=product)
    product = Product.objects.filter(code=DEMO_PRODUCT).select_related("owner").first()
    if product is None or Change.objects.filter(product=product).exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=[*DEPARTMENT_USERS.values()])}
    start = (timezone.localdate().replace(day=1) - timedelta(days=40)).replace(day=1)
    plan = {"regions": ["上海", "深圳"], "segments": ["youth"], "channels": ["mobile_banking"], "start": start,
            "end": timezone.localdate() + timedelta(days=30),
            "criteria": [{"metric": "csat", "op": ">=", "value": 85}, {"metric": "complaints", "op": "<=", "value": 60}]}
    change = services.change_create(user=product.owner, product=product, data={
        "summary": "新增境外消费与外卖返现类别，年费下调至 1800 元", "reason": "competitor",
        "terms": {"fee": "1800", "features": [*product.features, "境外消费 2% 返现", "外卖平台 5% 返现"]},
        "requirements": [], "pilot": True, "effective_from": None, "pilot_plan": plan})
    change = services.change_submit(user=product.owner, change=change)
    for step in change.review.steps.order_by("position", "id"):
        approval_services.approval_step_decide(review=change.review, department=step.department,
                                                user=users[DEPARTMENT_USERS[step.department]], decision="approve",
                                                comment="同意试点")
    # The demo's story: the change was approved before the pilot's first month, so its figures already exist.
    Change.objects.filter(pk=change.pk).update(decided_at=timezone.now() - timedelta(days=(
        timezone.localdate() - start).days + 1))
    change.refresh_from_db()
    services.change_pilot_start(user=product.owner, change=change, data={})
    if stdout:
        stdout.write(f"Demo change #{change.pk} of {DEMO_PRODUCT} is piloting.")
