"""The backlog: requirements graded by RICE, product versions they are scheduled into, and customer feedback."""
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from core.fsm import ConcurrentTransitions
from products.choices import CustomerSegment

from .choices import (
    IMPACT_CHOICES,
    UNSCHEDULED_STATUSES,
    FeedbackChannel,
    Priority,
    RequirementSource,
    RequirementStatus,
    RequirementType,
    Sentiment,
    VersionStatus,
)

S = RequirementStatus


class Tag(models.Model):
    """A free label on requirements (e.g. 手机银行, 反洗钱); created on first use."""

    name = models.CharField(_("标签"), max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("标签")
        verbose_name_plural = _("标签")

    def __str__(self):
        return self.name


class ProductVersion(FSMModelMixin, models.Model):
    """A release of a product that requirements are scheduled into; pilot and rollout states come later."""

    product = models.ForeignKey(
        "products.Product", on_delete=models.PROTECT, related_name="versions", verbose_name=_("产品")
    )
    name = models.CharField(_("版本号"), max_length=40)
    planned_date = models.DateField(_("计划发布日期"))
    released_on = models.DateField(_("实际发布日期"), null=True, blank=True)
    status = FSMField(
        _("版本状态"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.PLANNED, protected=True
    )
    description = models.TextField(_("版本说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["product_id", "planned_date", "name"]
        verbose_name = _("产品版本")
        verbose_name_plural = _("产品版本")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "name"], name="requirements_version_unique_name",
                violation_error_message=_("该产品已有同名版本。"),
            )
        ]

    def __str__(self):
        return f"{self.product.code} {self.name}" if self.product_id else self.name

    def get_absolute_url(self):
        return reverse("requirements:version-detail", args=[self.pk])

    def clean_fields(self, exclude=None):
        # The status belongs to the state machine (protected FSM field).
        super().clean_fields(exclude={*(exclude or ()), "status"})

    @transition(field=status, source=VersionStatus.PLANNED, target=VersionStatus.RELEASED)
    def release(self):
        """The version is live; the service sets the release date."""


class Requirement(ConcurrentTransitions, models.Model):
    """A backlog item of a product: graded by priority and RICE, moved to delivery by its state machine."""

    product = models.ForeignKey(
        "products.Product", on_delete=models.PROTECT, related_name="requirements", verbose_name=_("产品")
    )
    title = models.CharField(_("标题"), max_length=200)
    description = models.TextField(_("描述"), blank=True)
    source = models.CharField(_("来源"), max_length=32, choices=RequirementSource.choices)
    type = models.CharField(_("类型"), max_length=20, choices=RequirementType.choices, default=RequirementType.FEATURE)
    requester = models.CharField(_("提出人"), max_length=100, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_requirements", verbose_name=_("负责人"),
    )
    priority = models.CharField(_("优先级"), max_length=2, choices=Priority.choices, default=Priority.P2)
    tags = models.ManyToManyField(Tag, blank=True, related_name="requirements", verbose_name=_("标签"))
    due_date = models.DateField(_("期望完成日期"), null=True, blank=True)
    target_version = models.ForeignKey(
        ProductVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="requirements",
        verbose_name=_("目标版本"),
    )
    # RICE inputs: reach (customers per quarter), impact (0.25–3), confidence (%), effort (person-months).
    reach = models.PositiveIntegerField(
        _("覆盖客户数"), default=0, validators=[MaxValueValidator(100_000_000)]
    )
    impact = models.DecimalField(_("影响度"), max_digits=3, decimal_places=2, choices=IMPACT_CHOICES,
                                 default=Decimal("1.00"))
    confidence = models.PositiveSmallIntegerField(
        _("信心度（%）"), default=80,
        validators=[MinValueValidator(0), MaxValueValidator(100, message=_("信心度不能超过 100%%。"))],
    )
    effort = models.DecimalField(
        _("工作量（人月）"), max_digits=6, decimal_places=1, default=Decimal("1.0"),
        validators=[MinValueValidator(Decimal("0.1"), message=_("工作量至少为 0.1 人月。"))],
    )
    # Computed by PostgreSQL on every write, never typed in; indexed so that sorting 100k rows is fast.
    rice_score = models.GeneratedField(
        expression=F("reach") * F("impact") * F("confidence") / (F("effort") * 100),
        output_field=models.DecimalField(_("RICE 得分"), max_digits=16, decimal_places=2),
        db_persist=True,
        verbose_name=_("RICE 得分"),
    )
    status = FSMField(_("状态"), max_length=20, choices=S.choices, default=S.NEW, protected=True)
    status_reason = models.CharField(_("状态原因"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("交付时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="created_requirements",
        verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["rice_score", "updated_at"])

    class Meta:
        ordering = ["-rice_score", "-id"]
        verbose_name = _("需求")
        verbose_name_plural = _("需求")
        indexes = [
            models.Index(F("rice_score").desc(), F("id").desc(), name="req_rice_idx"),
            models.Index("product", F("rice_score").desc(), F("id").desc(), name="req_product_rice_idx"),
            models.Index(fields=["product", "status"], name="req_product_status_idx"),
            models.Index(fields=["status", "delivered_at"], name="req_status_delivered_idx"),
            models.Index(fields=["priority", "id"], name="req_priority_idx"),
            models.Index(fields=["due_date", "id"], name="req_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(effort__gt=0), name="requirements_effort_positive"),
            models.CheckConstraint(condition=Q(confidence__lte=100), name="requirements_confidence_max_100"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self):
        return reverse("requirements:detail", args=[self.pk])

    @property
    def tag_name_list(self) -> list[str]:
        """Tag names by name: the backlog selector's `tag_names` column when the row has it, else the relation."""
        names = self.__dict__.get("tag_names")
        return list(names) if names is not None else [tag.name for tag in self.tags.all()]

    def clean_fields(self, exclude=None):
        # The status is guarded by the state machine and cannot be re-assigned (protected FSM field).
        super().clean_fields(exclude={*(exclude or ()), "status", "rice_score"})

    def clean(self):
        errors = {}
        version = self.target_version if self.target_version_id else None
        if version is not None and self.product_id and version.product_id != self.product_id:
            errors["target_version"] = _("目标版本必须属于同一产品。")
        if version is None and self.status in (S.SCHEDULED, S.IN_DEVELOPMENT):
            errors["target_version"] = _("已排期或开发中的需求必须有目标版本。")
        if errors:
            raise ValidationError(errors)

    def has_target_version(self):
        return self.target_version_id is not None

    # --- State machine; only requirements.services.requirement_transition calls these. ---

    @transition(field=status, source=[S.NEW, S.DEFERRED], target=S.ANALYSING)
    def analyse(self):
        """Start (or resume, after deferral) the analysis."""

    @transition(field=status, source=S.ANALYSING, target=S.CONFIRMED)
    def confirm(self):
        """Confirmed with the requester; scope agreed."""

    @transition(field=status, source=S.CONFIRMED, target=S.SCHEDULED, conditions=[has_target_version])
    def schedule(self):
        """Planned into its target version."""

    @transition(field=status, source=S.SCHEDULED, target=S.IN_DEVELOPMENT, conditions=[has_target_version])
    def start_development(self):
        """Development started."""

    @transition(field=status, source=S.IN_DEVELOPMENT, target=S.DELIVERED)
    def deliver(self):
        """Delivered; the service stamps delivered_at."""

    @transition(field=status, source=[S.SCHEDULED, S.IN_DEVELOPMENT], target=S.CONFIRMED)
    def unschedule(self):
        """Back to the backlog when its version is released without it (only version_release calls this)."""

    @transition(field=status, source=UNSCHEDULED_STATUSES, target=S.REJECTED)
    def reject(self):
        """Will not be done (the reason is kept)."""

    @transition(field=status, source=UNSCHEDULED_STATUSES, target=S.DEFERRED)
    def defer(self):
        """Parked for later (the reason is kept); can return to analysis."""


class Comment(models.Model):
    """A discussion entry on a requirement; @username mentions notify the people named."""

    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="comments", verbose_name=_("需求")
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("作者"))
    body = models.TextField(_("内容"), max_length=5000)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("评论")
        verbose_name_plural = _("评论")

    def __str__(self):
        return f"{self.author}: {self.body[:30]}"


class Feedback(models.Model):
    """A customer's voice from a channel; one or several items are turned into a requirement."""

    product = models.ForeignKey(
        "products.Product", on_delete=models.PROTECT, related_name="feedback_items", verbose_name=_("产品")
    )
    channel = models.CharField(_("渠道"), max_length=20, choices=FeedbackChannel.choices)
    customer_segment = models.CharField(
        _("客户群体"), max_length=32, choices=CustomerSegment.choices, default=CustomerSegment.MASS_MARKET
    )
    text = models.TextField(_("反馈内容"), max_length=5000)
    sentiment = models.CharField(_("情感倾向"), max_length=10, choices=Sentiment.choices, default=Sentiment.NEUTRAL)
    received_on = models.DateField(_("收到日期"))
    requirement = models.ForeignKey(
        Requirement, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback_items",
        verbose_name=_("转化需求"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("客户反馈")
        verbose_name_plural = _("客户反馈")
        indexes = [models.Index(fields=["product", "-received_on"], name="feedback_product_received_idx")]

    def __str__(self):
        return self.text[:40]

    def clean(self):
        if self.requirement_id and self.product_id and self.requirement.product_id != self.product_id:
            raise ValidationError({"requirement": _("关联需求必须属于同一产品。")})
