"""Setting and clearing a product's target dates (audited). Pages, the API and the admin call these.

Lock order: the product row, then the audit chain's advisory lock (as in lifecycle.services)."""
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from changes.models import TermsVersion
from core.audit import audit_record
from core.roles import product_can_edit
from products.choices import STAGE_ORDER
from products.models import Product

from .choices import PlanKind, RoadmapAuditAction
from .models import RoadmapPlan

EARLIEST = date(2000, 1, 1)
LATEST_YEARS_AHEAD = 10


def roadmap_plan_can_set(*, user, product: Product) -> bool:
    """The product's manager (its owner) and heads of product set its target dates."""
    return product_can_edit(user=user, product=product)


def _check_target(*, product: Product, kind: str, stage: str, version: int | None, target_date: date) -> None:
    latest = date(timezone.localdate().year + LATEST_YEARS_AHEAD, 12, 31)
    if not EARLIEST <= target_date <= latest:
        raise ValidationError({"target_date": _("计划日期须在 %(a)s 至 %(b)s 之间。") % {"a": EARLIEST, "b": latest}})
    if kind == PlanKind.STAGE:
        current = STAGE_ORDER.index(product.stage) if product.stage in STAGE_ORDER else len(STAGE_ORDER)
        if stage not in STAGE_ORDER or STAGE_ORDER.index(stage) <= current:
            raise ValidationError({"stage": _("只能为产品尚未进入的后续阶段设置计划日期。")})
        _check_stage_order(product=product, stage=stage, target_date=target_date)
    else:
        last = TermsVersion.objects.filter(product=product).aggregate(n=Max("version"))["n"] or 0
        if version is None or version <= last:
            raise ValidationError({"version": _("只能为尚未生效的后续条款版本设置计划日期（当前最新为第 %(n)s 版）。")
                                   % {"n": last}})


def _check_stage_order(*, product: Product, stage: str, target_date: date) -> None:
    """Target dates follow the lifecycle: a later stage is not planned before an earlier one."""
    position = STAGE_ORDER.index(stage)
    for other in RoadmapPlan.objects.filter(product=product, kind=PlanKind.STAGE).exclude(stage=stage):
        other_position = STAGE_ORDER.index(other.stage)
        if (other_position < position and other.target_date > target_date) or (
                other_position > position and other.target_date < target_date):
            raise ValidationError({"target_date": _("计划日期须符合阶段顺序：「%(other)s」的计划日期为 %(day)s。")
                                   % {"other": other.get_stage_display(), "day": other.target_date}})


@transaction.atomic
def roadmap_plan_set(*, user, product: Product, kind: str, target_date: date, stage: str = "",
                     version: int | None = None, comment: str = "") -> RoadmapPlan:
    """Set (or move) the target date of a next stage or terms version; the change is audited with its reason."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    if not roadmap_plan_can_set(user=user, product=product):
        raise PermissionDenied(_("只有产品经理本人、产品主管或管理员可以设置计划日期。"))
    if kind not in PlanKind.values:
        raise ValidationError({"kind": _("类型须为阶段或条款版本。")})
    stage, version = (stage, None) if kind == PlanKind.STAGE else ("", version)
    _check_target(product=product, kind=kind, stage=stage, version=version, target_date=target_date)
    plan = RoadmapPlan.objects.filter(product=product, kind=kind, stage=stage, version=version).first()
    before = plan.target_date.isoformat() if plan else ""
    if plan is None:
        plan = RoadmapPlan(product=product, kind=kind, stage=stage, version=version)
    plan.target_date, plan.set_by = target_date, user
    plan.full_clean()
    plan.save()
    audit_record(action=RoadmapAuditAction.PLAN_SET, actor=user, product=product, obj=plan, from_value=before,
                 to_value=target_date.isoformat(), comment=f"{plan.label}: {comment}".strip(": "))
    return plan


@transaction.atomic
def roadmap_plan_clear(*, user, plan: RoadmapPlan, comment: str = "") -> None:
    """Remove a target date (no longer planned); audited."""
    product = Product.objects.select_for_update().get(pk=plan.product_id)
    if not roadmap_plan_can_set(user=user, product=product):
        raise PermissionDenied(_("只有产品经理本人、产品主管或管理员可以设置计划日期。"))
    plan = RoadmapPlan.objects.get(pk=plan.pk)
    audit_record(action=RoadmapAuditAction.PLAN_CLEARED, actor=user, product=product, obj=plan,
                 from_value=plan.target_date.isoformat(), comment=f"{plan.label}: {comment}".strip(": "))
    plan.delete()
