"""Demo data: periodic reviews in each state, through the services and the engine.

- DEP-001 decided `keep`, LN-002 decided `remediate` (two actions with owners and due dates), DEP-002 decided
  `change` (a draft terms change linked), PAY-004 decided `exit` (a draft exit plan linked);
- WM-002 (R4) in review (risk and compliance deciding, senior management after them);
- LN-001 preparing again after compliance returned its pack (opened by the head of product on a complaint spike),
  past its due date and escalated;
- PAY-001 preparing, opened by the system on the cadence.

Idempotent: nothing is written once any periodic review exists.
"""
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from approvals import services as engine_services
from products.models import Product

from . import services
from .choices import SOONER_OUTCOMES, ReviewTrigger
from .models import ProductReview

DECIDERS = {"risk": "risk1", "compliance": "compliance1", "senior_management": "exec1"}
PRICE_VALUE = {
    "price_paid": "年化利率/费率与同业持平；无账户管理费，提前支取按活期计息。",
    "value_received": "随存随取、手机银行 7×24 小时办理，资金安全由存款保险保障。",
    "comparison": "与四家同业同类产品比较：收益居中，费用最低，服务渠道覆盖最广。",
    "conclusion": "价格与客户获得的价值相称，未发现对特定客群不合理的收费。",
}


def _users() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=[*DECIDERS.values(), "head1", "pm1", "pm2"])}


def _opened(product: Product, *, days_ago: int, due_in: int, user=None, reason="") -> ProductReview:
    with transaction.atomic():
        locked = Product.objects.select_for_update().select_related("owner").get(pk=product.pk)
        review = services._open(product=locked, trigger=ReviewTrigger.EVENT if user else ReviewTrigger.SCHEDULED,
                                due_date=timezone.localdate() + timedelta(days=due_in), user=user, reason=reason)
    ProductReview.objects.filter(pk=review.pk).update(opened_at=timezone.now() - timedelta(days=days_ago))
    review.refresh_from_db()
    return review


def _submitted(review: ProductReview, **texts) -> ProductReview:
    owner = review.product.owner
    review = services.review_prepare(user=owner, review=review, data={**PRICE_VALUE, **texts})
    return services.review_submit(user=owner, review=review)


def _decide(review: ProductReview, users, outcome: str, *, actions=None, reject: str = "") -> None:
    gate = review.gate_review
    for step in gate.steps.order_by("position", "id"):
        gate.refresh_from_db()
        if gate.status != "pending":
            return
        step.refresh_from_db()
        if step.status != "pending":
            continue
        if reject and step.department == "compliance":
            engine_services.approval_step_decide(review=gate, department=step.department,
                                                 user=users[DECIDERS[step.department]], decision="reject",
                                                 comment=reject)
            return
        conditions = actions if step.department == "risk" else None
        engine_services.approval_step_decide(review=gate, department=step.department,
                                             user=users[DECIDERS[step.department]], decision="approve",
                                             comment="同意", outcome=outcome, conditions=conditions)


def _backdate(review: ProductReview, days: int) -> None:
    """The demo's story: decided `days` ago (the next due date follows from that day)."""
    review.refresh_from_db()
    decided = timezone.now() - timedelta(days=days)
    cadence = services.cadence_for(risk_rating=review.product.risk_rating, category=review.product.category)
    months = cadence.remediate_months if review.outcome in SOONER_OUTCOMES else cadence.months
    ProductReview.objects.filter(pk=review.pk).update(
        decided_at=decided, next_due=services.add_months(timezone.localdate(decided), months))


def seed(*, stdout=None):
    if ProductReview.objects.exists():
        return
    products = {p.code: p for p in Product.objects.filter(stage="operation").select_related("owner")}
    users = _users()
    if not products or len(users) < len(DECIDERS):
        return
    today = timezone.localdate()
    plans = [("DEP-001", "keep", 90, None), ("LN-002", "remediate", 30, [
        {"action": "重新核定薪享贷定价，与同业比较后报风险管理部", "owner": users["pm2"].pk,
         "due": (today + timedelta(days=45)).isoformat()},
        {"action": "对逾期客户开展回访，整改催收话术", "owner": users["pm2"].pk,
         "due": (today + timedelta(days=60)).isoformat()}]),
        ("DEP-002", "change", 20, None), ("PAY-004", "exit", 10, None)]
    for code, outcome, days_ago, actions in plans:
        if code not in products:
            continue
        review = _submitted(_opened(products[code], days_ago=days_ago + 25, due_in=-days_ago + 5))
        _decide(review, users, outcome, actions=actions)
        _backdate(review, days_ago)
    if "WM-002" in products:
        _submitted(_opened(products["WM-002"], days_ago=12, due_in=18))
    if "LN-001" in products:  # opened on an event, returned once, now past its due date (escalated)
        review = _submitted(_opened(products["LN-001"], days_ago=33, due_in=-3, user=users["head1"],
                                    reason="近两个月提前还款费用投诉激增（费用与收费类投诉环比 +60%）。"))
        _decide(review, users, "keep", reject="价格与价值评估未说明提前还款费用的合理性，请补充与同业的比较。")
        services.reviews_escalate_overdue(today=today)
    if "PAY-001" in products:
        _opened(products["PAY-001"], days_ago=10, due_in=20)
    if stdout:
        stdout.write(f"Demo periodic reviews: {ProductReview.objects.count()}.")
