"""Demo data: checklists for every product, two open gate reviews in reviewers' queues, and a little history.

Idempotent: checklists are only completed where missing, and the reviews are created once (keyed on CC-004).
"""
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from core.hooks import hook_functions
from core.roles import department_members
from products.choices import CLOSED_STAGES, STAGE_ORDER, LifecycleStage
from products.models import Product

from . import services
from .choices import DeliverableStatus, StepStatus
from .defaults import seed_defaults
from .models import ApprovalStep, Deliverable, DeliverableTemplate, GatePolicy, GateReview

APPROVE = "approve"


# Demo seeders of the apps above lifecycle prepare what a gate checks before the walk submits it (e.g. the exit
# plan before operation -> retirement): core.hooks scope "lifecycle.demo", event "before_gate",
# `prepare(*, product, to_stage)`.
DEMO_SCOPE = "lifecycle.demo"


def seed(*, stdout=None):
    seed_defaults(DeliverableTemplate, GatePolicy)
    products = list(Product.objects.select_related("owner").order_by("code"))
    for product in products:
        services.deliverables_ensure(product=product)
    if GateReview.objects.filter(product__code="CC-004").exists():
        return 0
    users = {u.username: u for u in User.objects.filter(username__in=[
        "pm1", "pm2", "risk1", "compliance1", "finance1", "legal1", "tech1", "exec1"])}
    if len(users) < 8:
        return 0
    _walk_to_demo_stages(products)
    by_code = {p.code: p for p in Product.objects.select_related("owner").order_by("code")}
    products = list(by_code.values())
    _tick_some(products)
    _history(by_code, users)
    _open_reviews(by_code, users)
    return 1


def _walk_to_demo_stages(products):
    """Products created in planning pass their gates, one by one, until they reach their demo stage: each gate's
    checklist ticked by the owner, submitted, approved by every department the policy names, phase by phase."""
    from products.demo import demo_stages

    targets = demo_stages()
    for product in products:
        target = targets.get(product.code)
        while target and _behind(product.stage, target):
            to_stage = target if target == LifecycleStage.CANCELLED else services.next_stage(product=product)
            if to_stage != LifecycleStage.CANCELLED:
                _tick(product)
            for prepare in hook_functions(DEMO_SCOPE, "before_gate"):
                prepare(product=product, to_stage=to_stage)
            review = services.gate_review_submit(product=product, user=product.owner, to_stage=to_stage)
            _approve_all(review)
            product.refresh_from_db()


def _behind(stage: str, target: str) -> bool:
    if target == LifecycleStage.CANCELLED:
        return stage not in CLOSED_STAGES
    return stage in STAGE_ORDER and STAGE_ORDER.index(stage) < STAGE_ORDER.index(target)


def _approve_all(review):
    while True:
        steps = list(review.steps.filter(status=StepStatus.PENDING).order_by("id"))
        if not steps:
            return
        for step in steps:
            reviewer = department_members(department=step.department).order_by("username").first()
            services.approval_step_decide(review=review, department=step.department, user=reviewer,
                                          decision=APPROVE, comment="")


def _tick(product, count=None):
    items = Deliverable.objects.filter(product=product, stage=product.stage, status=DeliverableStatus.OPEN)
    for item in list(items.order_by("id"))[:count]:
        services.deliverable_update(user=product.owner, deliverable=item, status=DeliverableStatus.DONE)


def _tick_some(products):
    """Done for some items, open for others; CC-005 stays open for the browser walk-through."""
    for index, product in enumerate(products):
        if product.code not in ("CC-005", "CC-004", "LN-004", "OTH-001", "WM-005"):
            _tick(product, index % 3)
        if index % 4 == 1:  # some owners are late with their checklist
            Deliverable.objects.filter(product=product, status=DeliverableStatus.OPEN).update(
                due_date=timezone.localdate() - timedelta(days=3 + index))


def _decide(review, users, decisions):
    for department, username, decision, comment in decisions:
        services.approval_step_decide(review=review, department=department, user=users[username],
                                      decision=decision, comment=comment)


def _history(by_code, users):
    """OTH-001 passed its planning gate; WM-005's was rejected by risk (it stays in planning)."""
    product = by_code["OTH-001"]
    _tick(product)
    review = services.gate_review_submit(product=product, user=users["pm1"])
    _decide(review, users, [("risk", "risk1", APPROVE, "客户画像清晰"), ("compliance", "compliance1", APPROVE, ""),
                            ("senior_management", "exec1", APPROVE, "同意立项")])
    product = by_code["WM-005"]
    _tick(product)
    review = services.gate_review_submit(product=product, user=users["pm1"])
    _decide(review, users, [("risk", "risk1", "reject", "ESG 底层资产的信用风险评估缺失，请补充后重新提交。")])


def _open_reviews(by_code, users):
    """CC-004 waits for risk, compliance, finance and technology; LN-004 has an overdue finance step."""
    product = by_code["CC-004"]
    _tick(product)
    services.gate_review_submit(product=product, user=users["pm1"])
    product = by_code["LN-004"]
    _tick(product)
    review = services.gate_review_submit(product=product, user=users["pm2"])
    _decide(review, users, [("compliance", "compliance1", APPROVE, "反洗钱与客户身份识别要求已满足"),
                            ("legal", "legal1", APPROVE, "合同文本已审核")])
    # The finance step was opened a week ago and is now past due: the daily task flags it.
    past = timezone.localdate() - timedelta(days=5)
    ApprovalStep.objects.filter(review=review, department="finance", status=StepStatus.PENDING).update(due_date=past)
    services.approval_steps_mark_overdue()
