"""Target dates a manager sets for a product's next stages and terms versions; the roadmap compares them with what
happened (slippage)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from products.choices import LifecycleStage

from .choices import PlanKind


class RoadmapPlan(models.Model):
    """One target date: the day a product should enter `stage`, or the day its terms `version` should take effect.

    Set and cleared only through `roadmap.services` (audited). A plan stays after its date is reached: the roadmap
    shows it next to the actual date."""

    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="roadmap_plans",
                                verbose_name=_("产品"))
    kind = models.CharField(_("类型"), max_length=10, choices=PlanKind.choices)
    stage = models.CharField(_("目标阶段"), max_length=20, choices=LifecycleStage.choices, blank=True)
    version = models.PositiveIntegerField(_("条款版本"), null=True, blank=True)
    target_date = models.DateField(_("计划日期"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("设置人"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["product", "target_date", "id"]
        verbose_name = _("计划日期")
        verbose_name_plural = _("计划日期")
        constraints = [
            models.UniqueConstraint(fields=["product", "stage"], condition=Q(kind=PlanKind.STAGE),
                                    name="roadmap_plan_once_per_stage"),
            models.UniqueConstraint(fields=["product", "version"], condition=Q(kind=PlanKind.VERSION),
                                    name="roadmap_plan_once_per_version"),
            models.CheckConstraint(
                condition=(Q(kind=PlanKind.STAGE) & ~Q(stage="") & Q(version__isnull=True))
                | (Q(kind=PlanKind.VERSION) & Q(stage="") & Q(version__isnull=False)),
                name="roadmap_plan_stage_or_version"),
        ]

    def __str__(self):
        return f"{self.product_id} {self.stage or f'v{self.version}'} @ {self.target_date}"

    @property
    def label(self) -> str:
        if self.kind == PlanKind.STAGE:
            return str(self.get_stage_display())
        return _("第 %(n)s 版条款") % {"n": self.version}
