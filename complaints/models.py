"""The complaints register: each complaint with its category, severity, scope, root cause, deadline and links to
the risks, requirements and changes that address it; response deadlines per severity as policy data."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from core.fsm import ConcurrentTransitions

from .choices import MAX_TEXT, ComplaintCategory, ComplaintSource, ComplaintStatus, RootCause, Severity


class ResponsePolicy(models.Model):
    """How many days a complaint of a severity may wait for its answer, and after how many more it escalates."""

    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices, unique=True)
    response_days = models.PositiveSmallIntegerField(_("答复时限（天）"), validators=[MinValueValidator(1)])
    escalate_after_days = models.PositiveSmallIntegerField(
        _("逾期升级（天）"), default=3, help_text=_("逾期超过该天数后升级给产品负责人和合规部。"))

    class Meta:
        ordering = ["response_days"]
        verbose_name = _("投诉答复时限")
        verbose_name_plural = _("投诉答复时限")

    def __str__(self):
        return f"{self.get_severity_display()}: {self.response_days}"


class Complaint(ConcurrentTransitions, models.Model):
    """A customer's complaint about a product: open → investigating → resolved, or rejected with a reason."""

    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="complaints",
                                verbose_name=_("产品"))
    received_on = models.DateField(_("收到日期"))
    due_on = models.DateField(_("答复期限"), help_text=_("收到日期加上该严重程度的答复时限。"))
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    category = models.CharField(_("投诉类别"), max_length=20, choices=ComplaintCategory.choices)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    segment = models.CharField(_("客群"), max_length=32, blank=True)
    channel = models.CharField(_("渠道"), max_length=32, blank=True)
    region = models.CharField(_("地区"), max_length=40, blank=True)
    description = models.TextField(_("投诉内容"), max_length=MAX_TEXT)
    root_cause = models.CharField(_("根本原因"), max_length=20, choices=RootCause.choices, blank=True)
    root_cause_text = models.TextField(_("根因说明"), max_length=MAX_TEXT, blank=True)
    resolution = models.TextField(_("处理结果"), max_length=MAX_TEXT, blank=True)
    rejection_reason = models.TextField(_("不予受理理由"), max_length=MAX_TEXT, blank=True)
    status = FSMField(_("状态"), max_length=15, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN,
                      protected=True, db_index=True)
    source = models.CharField(_("来源"), max_length=10, choices=ComplaintSource.choices,
                              default=ComplaintSource.PAGE)
    feedback = models.OneToOneField("requirements.Feedback", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="complaint", verbose_name=_("来源反馈"))
    risks = models.ManyToManyField("risks.Risk", blank=True, related_name="complaints", verbose_name=_("关联风险"))
    requirements = models.ManyToManyField("requirements.Requirement", blank=True, related_name="complaints",
                                          verbose_name=_("关联需求"))
    changes = models.ManyToManyField("changes.Change", blank=True, related_name="complaints",
                                     verbose_name=_("关联变更"))
    reminded_on = models.DateField(_("最近提醒日"), null=True, blank=True)
    escalated_on = models.DateField(_("升级日"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("投诉")
        verbose_name_plural = _("投诉")
        indexes = [models.Index(fields=["product", "received_on"], name="complaint_product_day_idx"),
                   models.Index(fields=["status", "due_on"], name="complaint_open_due_idx")]

    def __str__(self):
        return f"#{self.pk} {self.description[:30]}"

    def get_absolute_url(self):
        return reverse("complaints:detail", args=[self.pk])

    def clean_fields(self, exclude=None):
        super().clean_fields(exclude={*(exclude or ()), "status"})

    def clean(self):
        if self.resolved_on and self.received_on and self.resolved_on < self.received_on:
            raise ValidationError({"resolved_on": _("解决日期不能早于收到日期。")})

    @transition(field=status, source=ComplaintStatus.OPEN, target=ComplaintStatus.INVESTIGATING)
    def investigate(self):
        """Someone looks into it."""

    @transition(field=status, source=ComplaintStatus.INVESTIGATING, target=ComplaintStatus.RESOLVED,
                conditions=[lambda c: bool(c.root_cause) and bool(c.resolution.strip())])
    def resolve(self):
        """Answered, with its root cause and what was done."""

    @transition(field=status, source=[ComplaintStatus.OPEN, ComplaintStatus.INVESTIGATING],
                target=ComplaintStatus.REJECTED, conditions=[lambda c: bool(c.rejection_reason.strip())])
    def reject(self):
        """Not a complaint the bank accepts, with the reason."""
