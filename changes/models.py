"""Product terms under change control: frozen, numbered versions of a product's terms and the changes that make
new ones (approval through the engine's `change` process, an optional pilot, then rollout)."""
from django.conf import settings
from django.db import models
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from approvals.models import ProtectedFSMFieldsMixin
from core.fsm import ConcurrentTransitions

from .choices import ChangeReason, ChangeStatus, CriterionOp, TermsVersionStatus

# A change still running: it blocks another change of the same product (backs the row lock in the services).
OPEN_CHANGE = Q(status__in=[ChangeStatus.DRAFT, ChangeStatus.SUBMITTED, ChangeStatus.PILOTING]) | Q(
    status=ChangeStatus.APPROVED, pilot=True)


class TermsVersionQuerySet(models.QuerySet):
    def with_status(self, *, today):
        """Annotate `status` from the dates: scheduled before `effective_from`, superseded after `effective_to`."""
        return self.annotate(status=Case(
            When(effective_from__gt=today, then=Value(TermsVersionStatus.SCHEDULED.value)),
            When(effective_to__lt=today, then=Value(TermsVersionStatus.SUPERSEDED.value)),
            default=Value(TermsVersionStatus.ACTIVE.value), output_field=models.CharField()))

    def in_force_on(self, day):
        """The version in force on `day` (both ends inclusive)."""
        return self.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day), effective_from__lte=day)


class TermsVersion(models.Model):
    """One approved, frozen version of a product's terms, in force from `effective_from` to `effective_to`
    (inclusive; open-ended for the latest). Version 1 comes from the launch gate; later ones from changes."""

    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="terms_versions",
                                verbose_name=_("产品"))
    version = models.PositiveIntegerField(_("版本"))
    effective_from = models.DateField(_("生效日"))
    effective_to = models.DateField(_("失效日"), null=True, blank=True, help_text=_("最后一个生效日（含）。"))
    terms = models.JSONField(_("条款"), default=dict)
    review = models.ForeignKey("approvals.GateReview", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("批准评审"))
    applied_at = models.DateTimeField(_("写入产品时间"), null=True, blank=True,
                                      help_text=_("条款写入产品资料的时间；待生效版本为空。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = TermsVersionQuerySet.as_manager()

    class Meta:
        ordering = ["product", "-version"]
        verbose_name = _("条款版本")
        verbose_name_plural = _("条款版本")
        constraints = [
            models.UniqueConstraint(fields=["product", "version"], name="terms_version_unique_number"),
        ]

    def __str__(self):
        return f"{self.product_id} v{self.version}"


class Change(ProtectedFSMFieldsMixin, ConcurrentTransitions, models.Model):
    """A proposed change of a launched product's terms: only the changed fields, with the diff against the terms
    in force when proposed; approved through the `change` process, optionally piloted, then rolled out."""

    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="changes",
                                verbose_name=_("产品"))
    summary = models.CharField(_("变更概述"), max_length=200)
    reason = models.CharField(_("变更原因"), max_length=20, choices=ChangeReason.choices)
    terms = models.JSONField(_("拟变更条款"), default=dict, help_text=_("仅包含有变化的条款字段。"))
    base_terms = models.JSONField(_("变更前条款"), default=dict)
    diff = models.JSONField(_("差异"), default=list)
    requirements = models.ManyToManyField("requirements.Requirement", blank=True, related_name="changes",
                                          verbose_name=_("关联需求"))
    pilot = models.BooleanField(_("需要试点"), default=False)
    effective_from = models.DateField(_("生效日"), null=True, blank=True, help_text=_("留空表示批准当日生效。"))
    status = FSMField(_("状态"), max_length=12, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT,
                      protected=True, db_index=True)
    review = models.ForeignKey("approvals.GateReview", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("评审"))
    version = models.OneToOneField(TermsVersion, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="change", verbose_name=_("产生的条款版本"))
    # The pilot as approved: scope, window and criteria stated in the draft, frozen by the review (snapshot).
    pilot_plan = models.JSONField(_("试点计划"), null=True, blank=True,
                                  help_text=_("试点地区、客群、渠道、期间和标准；随变更一并审批。"))
    regions = models.JSONField(_("试点地区"), default=list, blank=True)
    segments = models.JSONField(_("试点客群"), default=list, blank=True)
    channels = models.JSONField(_("试点渠道"), default=list, blank=True)
    pilot_start = models.DateField(_("试点开始日"), null=True, blank=True)
    pilot_end = models.DateField(_("试点结束日"), null=True, blank=True)
    override_reason = models.TextField(_("越过试点标准的理由"), blank=True)
    withdraw_reason = models.TextField(_("撤回理由"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("提出人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    decided_at = models.DateTimeField(_("审批结束时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("条款变更")
        verbose_name_plural = _("条款变更")
        constraints = [
            models.UniqueConstraint(fields=["product"], condition=OPEN_CHANGE, name="one_open_change_per_product"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.summary}"

    def get_absolute_url(self):
        return reverse("changes:detail", args=[self.pk])

    @transition(field=status, source=ChangeStatus.DRAFT, target=ChangeStatus.SUBMITTED)
    def submit(self):
        """A review of the `change` process is open."""

    @transition(field=status, source=ChangeStatus.SUBMITTED, target=ChangeStatus.APPROVED)
    def approve(self):
        """Every department approved."""

    @transition(field=status, source=ChangeStatus.SUBMITTED, target=ChangeStatus.REJECTED)
    def reject(self):
        """A department rejected."""

    @transition(field=status, source=ChangeStatus.APPROVED, target=ChangeStatus.PILOTING,
                conditions=[lambda change: change.pilot])
    def start_pilot(self):
        """Sold on the new terms in some regions, segments or channels only."""

    @transition(field=status, source=ChangeStatus.PILOTING, target=ChangeStatus.ROLLED_OUT)
    def roll_out(self):
        """The pilot went well (or senior management overrode it): the terms become the next version."""

    @transition(field=status, source=[ChangeStatus.DRAFT, ChangeStatus.APPROVED, ChangeStatus.PILOTING],
                target=ChangeStatus.WITHDRAWN, conditions=[lambda change: change.status != ChangeStatus.APPROVED
                                                           or change.pilot])
    def withdraw(self):
        """Abandoned; the terms stay as they are."""


class PilotCriterion(models.Model):
    """A threshold a pilot must reach before rollout, on one KPI metric (its own aggregation over the pilot)."""

    change = models.ForeignKey(Change, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("变更"))
    metric = models.ForeignKey("kpis.Metric", on_delete=models.PROTECT, related_name="+", verbose_name=_("指标"))
    op = models.CharField(_("比较"), max_length=2, choices=CriterionOp.choices)
    value = models.FloatField(_("阈值"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["change", "position", "id"]
        verbose_name = _("试点标准")
        verbose_name_plural = _("试点标准")

    def __str__(self):
        return f"{self.metric_id} {self.op} {self.value}"
