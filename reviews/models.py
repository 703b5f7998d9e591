"""Periodic product reviews: the cadence policy (by risk rating, with category overrides) and the review record
(opened by the system or a head of product, prepared by the manager, decided through the approval engine)."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from approvals.models import ProtectedFSMFieldsMixin
from core.fsm import ConcurrentTransitions
from products.choices import ProductCategory, RiskRating

from .choices import OPEN_STATUSES, ReviewOutcome, ReviewStatus, ReviewTrigger

MONTHS = [MinValueValidator(1), MaxValueValidator(60)]


class CadencePolicy(models.Model):
    """How often products of a risk rating are reviewed (admin-editable data, audited); a row naming a category
    overrides the rating's general row for products of that category."""

    risk_rating = models.CharField(_("风险等级"), max_length=2, choices=RiskRating.choices)
    category = models.CharField(_("产品类别"), max_length=20, choices=ProductCategory.choices, blank=True,
                                help_text=_("留空表示所有类别；填写则覆盖该风险等级的一般规则。"))
    months = models.PositiveSmallIntegerField(_("评审周期（月）"), validators=MONTHS)
    remediate_months = models.PositiveSmallIntegerField(
        _("整改后复评周期（月）"), validators=MONTHS,
        help_text=_("结论为“整改”或“退出”时，下次评审提前到决定后这么多个月。"))
    lead_days = models.PositiveSmallIntegerField(_("提前开启（天）"), default=30, validators=[MaxValueValidator(180)],
                                                 help_text=_("到期前多少天自动开启评审。"))

    class Meta:
        ordering = ["risk_rating", "category"]
        verbose_name = _("定期评审周期")
        verbose_name_plural = _("定期评审周期")
        constraints = [
            models.UniqueConstraint(fields=["risk_rating", "category"], name="review_cadence_unique"),
            models.CheckConstraint(condition=models.Q(remediate_months__lte=models.F("months")),
                                   name="review_cadence_remediate_sooner"),
        ]

    def __str__(self):
        category = self.get_category_display() or _("所有类别")
        return f"{self.risk_rating} · {category} · {self.months}"

    def clean(self):
        if self.months and self.remediate_months and self.remediate_months > self.months:
            raise ValidationError({"remediate_months": _("整改后复评周期不能长于评审周期。")})


class ProductReview(ProtectedFSMFieldsMixin, ConcurrentTransitions, models.Model):
    """One periodic review of a product in operation: why and when it was opened, the period it covers, the
    manager's price and value assessment, the engine review that decides it, its outcome and what followed."""

    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, related_name="periodic_reviews",
                                verbose_name=_("产品"))
    trigger = models.CharField(_("触发方式"), max_length=10, choices=ReviewTrigger.choices)
    reason = models.TextField(_("开启理由"), blank=True, max_length=2000)
    status = FSMField(_("状态"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PREPARING,
                      protected=True, db_index=True)
    due_date = models.DateField(_("到期日"), db_index=True)
    period_start = models.DateField(_("评估期开始"))
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("开启人"), help_text=_("空表示系统按周期开启。"))
    opened_at = models.DateTimeField(_("开启时间"))
    # The price and value assessment the manager writes before the pack goes to the reviewers.
    price_paid = models.TextField(_("客户支付"), blank=True, max_length=4000,
                                  help_text=_("客户为产品支付的全部价格：利率、费用、佣金及其他成本。"))
    value_received = models.TextField(_("客户获得"), blank=True, max_length=4000,
                                      help_text=_("客户得到的收益、功能和服务。"))
    comparison = models.TextField(_("比较"), blank=True, max_length=4000,
                                  help_text=_("与同类产品、市场价格和本行其他产品的比较。"))
    conclusion = models.TextField(_("结论"), blank=True, max_length=4000,
                                  help_text=_("价格与客户获得的价值是否合理。"))
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("评估人"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    gate_review = models.ForeignKey("approvals.GateReview", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("审批评审"))
    outcome = models.CharField(_("评审结论"), max_length=10, choices=ReviewOutcome.choices, blank=True,
                               db_index=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    next_due = models.DateField(_("下次评审到期日"), null=True, blank=True,
                                help_text=_("决定时按评审周期和结论计算。"))
    change = models.ForeignKey("changes.Change", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("条款变更"))
    exit_plan = models.ForeignKey("exits.ExitPlan", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("退出计划"))
    escalated_at = models.DateTimeField(_("逾期上报时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("定期评审")
        verbose_name_plural = _("定期评审")
        constraints = [
            # One running review per product, even if a writer (a second beat) bypasses the row lock.
            models.UniqueConstraint(fields=["product"], condition=models.Q(status__in=OPEN_STATUSES),
                                    name="one_open_periodic_review_per_product"),
            models.CheckConstraint(condition=models.Q(status=ReviewStatus.DECIDED) | models.Q(outcome=""),
                                   name="periodic_review_outcome_when_decided"),
        ]
        indexes = [models.Index(fields=["product", "status"], name="periodic_review_product_status")]

    def __str__(self):
        return f"{self.product.code} #{self.pk}"

    def get_absolute_url(self):
        return reverse("reviews:detail", args=[self.pk])

    @property
    def price_value_complete(self) -> bool:
        return all((text or "").strip() for text in (self.price_paid, self.value_received, self.comparison,
                                                     self.conclusion))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @transition(field=status, source=ReviewStatus.PREPARING, target=ReviewStatus.IN_REVIEW)
    def submit(self):
        """The prepared pack goes to the reviewers (an engine review opens)."""

    @transition(field=status, source=ReviewStatus.IN_REVIEW, target=ReviewStatus.PREPARING)
    def return_to_manager(self):
        """A department rejected the pack: the manager revises it and submits again."""

    @transition(field=status, source=ReviewStatus.IN_REVIEW, target=ReviewStatus.DECIDED)
    def decide(self):
        """Every department approved with an outcome."""

    @transition(field=status, source=[ReviewStatus.PREPARING, ReviewStatus.IN_REVIEW], target=ReviewStatus.CANCELLED)
    def cancel(self):
        """The product left operation (retirement, cancellation): its periodic review no longer applies."""
