"""Demo data: CC-006 (the legacy gold card, already in retirement) has an exit plan half done — customers moving to
the platinum card, two of its aftercare tasks settled. Idempotent: nothing is written once the plan exists."""
from datetime import timedelta

from django.utils import timezone

from products.models import Product
from requirements.models import Requirement
from requirements.services import requirement_create

from . import services
from .choices import ExitTaskStatus
from .defaults import seed_defaults
from .models import ExitNoticePolicy, ExitPlan, ExitTaskTemplate

SEGMENTS = [("网点存量客户", 1200), ("手机银行客户", 800), ("休眠卡", 400)]
# days before today, then cumulative (migrated, closed) per segment
PROGRESS = [
    (40, [(150, 20), (200, 10), (0, 60)]),
    (25, [(380, 50), (420, 25), (0, 150)]),
    (10, [(560, 80), (520, 40), (0, 210)]),
]


def seed(*, stdout=None):
    seed_defaults(ExitTaskTemplate, ExitNoticePolicy)
    product = Product.objects.filter(code="CC-006", stage="retirement").select_related("owner").first()
    successor = Product.objects.filter(code="CC-001").first()
    if product is None or successor is None or ExitPlan.objects.filter(product=product).exists():
        return 0
    today = timezone.localdate()
    owner = product.owner
    requirement = Requirement.objects.filter(product=product).order_by("id").first() or requirement_create(
        user=owner, data={"product": product, "title": "金卡权益与白金卡重叠，客户要求升级为白金卡",
                          "source": "customer_feedback"})
    services.exit_plan_save(user=owner, product=product, data=services.PlanInput(
        reason="金卡（旧版）权益已被白金卡覆盖，活跃度连续下降，维护成本高于收益。", successor=successor.code,
        notice_date=today - timedelta(days=50), close_date=today + timedelta(days=20),
        segments=[{"name": name, "customers": n} for name, n in SEGMENTS],
        evidence={"requirements": [requirement.pk]}))
    for days, counts in PROGRESS:
        items = [{"segment": name, "date": (today - timedelta(days=days)).isoformat(), "migrated": m, "closed": c}
                 for (name, _n), (m, c) in zip(SEGMENTS, counts, strict=True)]
        services.exit_progress_record(user=owner, product=product, items=items)
    plan = ExitPlan.objects.get(product=product)
    tasks = {t.template.code: t for t in plan.tasks.select_related("template")}
    services.exit_task_update(user=owner, task=tasks["notify_customers"], status=ExitTaskStatus.DONE)
    services.exit_task_update(user=owner, task=tasks["archive_documents"], status=ExitTaskStatus.WAIVED,
                              reason="资料已随白金卡项目统一归档。")
    return 1
