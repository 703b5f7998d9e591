"""Demo data: every demo product walked into retirement gets its exit plan before the exit gate (lifecycle's demo
asks `prepare_gate`), a product walked on to retired finishes its migration and aftercare first; CC-006 (the legacy
gold card, in retirement) has its plan half done — customers moving to the platinum card, two of its aftercare tasks
settled. Idempotent: nothing is written twice."""
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from core.hooks import register_hook
from lifecycle.demo import DEMO_SCOPE
from products.models import Product
from requirements.models import Requirement
from requirements.services import requirement_create

from . import services
from .choices import ExitTaskStatus
from .defaults import seed_defaults
from .models import ExitNoticePolicy, ExitPlan, ExitProgress, ExitTaskTemplate

SEGMENTS = [("网点存量客户", 1200), ("手机银行客户", 800), ("休眠卡", 400)]
# days before today, then cumulative (migrated, closed) per segment
PROGRESS = [
    (40, [(150, 20), (200, 10), (0, 60)]),
    (25, [(380, 50), (420, 25), (0, 150)]),
    (10, [(560, 80), (520, 40), (0, 210)]),
]


def prepare_gate(*, product, to_stage) -> None:
    """Before the demo walk submits an exit gate: the plan for operation -> retirement, the finished migration and
    aftercare for retirement -> retired."""
    seed_defaults(ExitTaskTemplate, ExitNoticePolicy)
    if to_stage == "retirement" and not ExitPlan.objects.filter(product=product).exists():
        _write_plan(product)
    elif to_stage == "retired":
        _finish(product)


register_hook(DEMO_SCOPE, "before_gate", prepare_gate)


DEMO_REVIEWERS = ["compliance1", "risk1", "legal1", "finance1", "exec1"]


def _write_plan(product) -> None:
    today = timezone.localdate()
    owner = product.owner
    if product.code == "CC-006":
        successor = Product.objects.filter(code="CC-001").first()
        segments = SEGMENTS
    else:
        successor = (Product.objects.filter(category=product.category, stage__in=["marketing", "operation"])
                     .exclude(pk=product.pk).order_by("code").first())
        segments = [("存量客户", 300)]
    requirement = Requirement.objects.filter(product=product).order_by("id").first() or requirement_create(
        user=owner, data={"product": product, "title": f"{product.name}客户迁移至新产品的诉求",
                          "source": "customer_feedback"})
    services.exit_plan_save(user=owner, product=product, data=services.PlanInput(
        reason=f"{product.name}已被新产品替代，活跃度连续下降，维护成本高于收益。",
        successor=successor.code if successor else None,
        notice_date=today - timedelta(days=50), close_date=today + timedelta(days=20),
        segments=[{"name": name, "customers": n} for name, n in segments],
        evidence={"requirements": [requirement.pk]}))


def _finish(product) -> None:
    """Every customer migrated and every task done, so that the product may retire."""
    plan = ExitPlan.objects.get(product=product)
    today = timezone.localdate().isoformat()
    services.exit_progress_record(user=product.owner, product=product, items=[
        {"segment": s.name, "date": today, "migrated": s.customers, "closed": 0} for s in plan.segments.all()])
    for task in plan.tasks.exclude(status__in=[ExitTaskStatus.DONE, ExitTaskStatus.WAIVED]):
        services.exit_task_update(user=product.owner, task=task, status=ExitTaskStatus.DONE)


def seed(*, stdout=None):
    """CC-006's migration half done: three progress reports and two aftercare tasks settled."""
    seed_defaults(ExitTaskTemplate, ExitNoticePolicy)
    product = Product.objects.filter(code="CC-006", stage="retirement").select_related("owner").first()
    plan = ExitPlan.objects.filter(product=product).first() if product else None
    if plan is None or ExitProgress.objects.filter(segment__plan=plan).exists():
        return 0
    today = timezone.localdate()
    owner = product.owner
    for days, counts in PROGRESS:
        items = [{"segment": name, "date": (today - timedelta(days=days)).isoformat(), "migrated": m, "closed": c}
                 for (name, _n), (m, c) in zip(SEGMENTS, counts, strict=True)]
        services.exit_progress_record(user=owner, product=product, items=items)
    tasks = {t.template.code: t for t in plan.tasks.select_related("template")}
    services.exit_task_update(user=owner, task=tasks["notify_customers"], status=ExitTaskStatus.DONE)
    # A waiver is a reviewer's of the exit process (the manager alone may not skip an aftercare task).
    reviewer = next((u for u in get_user_model().objects.filter(username__in=DEMO_REVIEWERS).order_by("username")
                     if services.exit_reviewer_can_act(user=u, product=product)), None)
    if reviewer is not None:
        services.exit_task_update(user=reviewer, task=tasks["archive_documents"], status=ExitTaskStatus.WAIVED,
                                  reason="资料已随白金卡项目统一归档。")
    return 1
