"""The risk register: each product's risks with their controls and assessment history, and the policy data
(the 5 x 5 level matrix, the categories each product category must cover before launch)."""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from products.choices import ProductCategory

from .choices import (
    ACTIVE_STATUSES,
    AssessmentKind,
    AssessmentMethod,
    ControlType,
    RiskCategory,
    RiskLevel,
    RiskResponse,
    RiskSource,
    RiskStatus,
)

SCALE = [MinValueValidator(1, message=_("必须是 1 到 5 的整数。")),
         MaxValueValidator(5, message=_("必须是 1 到 5 的整数。"))]
ST = RiskStatus
NOT_CLOSED = list(ACTIVE_STATUSES)


def scale_field(label):
    return models.PositiveSmallIntegerField(label, validators=SCALE)


class Risk(models.Model):
    """One identified risk of a product: its inherent and residual assessment, response, controls and owner.

    Scores and levels are computed by the services from the level matrix; the status changes only through the
    transitions below (a protected state machine), called by risks.services."""

    product = models.ForeignKey("products.Product", on_delete=models.CASCADE, related_name="risks",
                                verbose_name=_("产品"))
    title = models.CharField(_("风险名称"), max_length=200)
    description = models.TextField(_("风险描述"), blank=True)
    category = models.CharField(_("风险类别"), max_length=20, choices=RiskCategory.choices, db_index=True)
    source = models.CharField(_("风险来源"), max_length=20, choices=RiskSource.choices, default=RiskSource.PRODUCT)
    cause = models.TextField(_("风险成因"), blank=True)
    method = models.CharField(_("评估方法"), max_length=20, choices=AssessmentMethod.choices,
                              default=AssessmentMethod.QUALITATIVE)
    method_note = models.CharField(_("评估模型与数值"), max_length=300, blank=True,
                                   help_text=_("定量评估须说明模型与数值，例如违约概率 PD = 2.1%。"))
    likelihood = scale_field(_("可能性"))
    impact = scale_field(_("影响程度"))
    inherent_score = models.PositiveSmallIntegerField(_("固有风险分值"), editable=False)
    inherent_level = models.CharField(_("固有风险等级"), max_length=10, choices=RiskLevel.choices, editable=False)
    response = models.CharField(_("应对策略"), max_length=20, choices=RiskResponse.choices)
    transfer_instrument = models.CharField(_("转移工具"), max_length=200, blank=True,
                                           help_text=_("例如信用保险、担保、再保险。"))
    residual_likelihood = scale_field(_("剩余可能性"))
    residual_impact = scale_field(_("剩余影响程度"))
    residual_score = models.PositiveSmallIntegerField(_("剩余风险分值"), editable=False)
    residual_level = models.CharField(_("剩余风险等级"), max_length=10, choices=RiskLevel.choices, editable=False,
                                      db_index=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_risks",
                              verbose_name=_("风险负责人"))
    review_due = models.DateField(_("下次评估日期"))
    metric = models.ForeignKey("kpis.Metric", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="risks", verbose_name=_("监测指标"))
    status = FSMField(_("状态"), max_length=20, choices=RiskStatus.choices, default=ST.OPEN, protected=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("接受人"))
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    acceptance_comment = models.TextField(_("接受意见"), blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("关闭人"))
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    closure_reason = models.TextField(_("关闭理由"), blank=True)
    reminded_for = models.DateField(_("已提醒的评估日期"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("登记人"), editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-residual_score", "-inherent_score", "id"]
        verbose_name = _("风险")
        verbose_name_plural = _("风险登记")
        indexes = [models.Index(fields=["product", "status"], name="risk_product_status"),
                   models.Index(fields=["status", "review_due"], name="risk_status_review_due")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("risks:detail", args=[self.pk])

    def clean_fields(self, exclude=None):
        # The status is guarded by the state machine (protected field); scores are computed.
        super().clean_fields(exclude={*(exclude or ()), "status"})

    def clean(self):
        errors = {}
        pairs = (("residual_likelihood", self.residual_likelihood, self.likelihood),
                 ("residual_impact", self.residual_impact, self.impact))
        for name, residual, inherent in pairs:
            if isinstance(residual, int) and isinstance(inherent, int) and residual > inherent:
                errors[name] = _("剩余风险评分不能高于固有风险评分（%(value)d）。") % {"value": inherent}
        if self.response == RiskResponse.TRANSFER and not (self.transfer_instrument or "").strip():
            errors["transfer_instrument"] = _("转移策略须写明转移工具（如信用保险、担保、再保险）。")
        if self.method == AssessmentMethod.QUANTITATIVE and not (self.method_note or "").strip():
            errors["method_note"] = _("定量评估须说明所用模型与数值（如违约概率）。")
        if self.owner_id and not self.owner.is_active:
            errors["owner"] = _("风险负责人必须是在职用户。")
        if errors:
            raise ValidationError(errors)

    # --- State machine; only risks.services calls these. ---

    @transition(field=status, source=[ST.OPEN, ST.PENDING_ACCEPTANCE, ST.ACCEPTED, ST.NEEDS_REVIEW], target=ST.OPEN)
    def settle(self):
        """Assessed with a residual level within the owner's appetite (low or medium): managed and monitored."""

    @transition(field=status, source=[ST.OPEN, ST.PENDING_ACCEPTANCE, ST.ACCEPTED, ST.NEEDS_REVIEW],
                target=ST.PENDING_ACCEPTANCE)
    def request_acceptance(self):
        """Assessed with a high or critical residual level: only senior management may accept keeping it."""

    @transition(field=status, source=ST.PENDING_ACCEPTANCE, target=ST.ACCEPTED)
    def accept(self):
        """Senior management accepted the residual risk of the current assessment."""

    @transition(field=status, source=[ST.OPEN, ST.PENDING_ACCEPTANCE, ST.ACCEPTED], target=ST.NEEDS_REVIEW)
    def flag_for_review(self):
        """An early warning on its metric: the last assessment no longer stands until it is re-assessed."""

    @transition(field=status, source=NOT_CLOSED, target=ST.CLOSED)
    def close(self):
        """The risk no longer applies (with a reason); it stays in the register for audit."""


class RiskControl(models.Model):
    """A control that reduces a risk (a limit, a check, a hedge, an insurance policy) and who runs it."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="controls", verbose_name=_("风险"))
    description = models.CharField(_("控制措施"), max_length=300)
    type = models.CharField(_("控制类型"), max_length=20, choices=ControlType.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="risk_controls",
                              verbose_name=_("执行人"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("控制措施")
        verbose_name_plural = _("控制措施")

    def __str__(self):
        return self.description


class RiskAssessment(models.Model):
    """One assessment of a risk (initial, re-assessment or score edit), kept as its history."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("风险"))
    kind = models.CharField(_("类型"), max_length=10, choices=AssessmentKind.choices)
    likelihood = scale_field(_("可能性"))
    impact = scale_field(_("影响程度"))
    inherent_score = models.PositiveSmallIntegerField(_("固有风险分值"))
    inherent_level = models.CharField(_("固有风险等级"), max_length=10, choices=RiskLevel.choices)
    residual_likelihood = scale_field(_("剩余可能性"))
    residual_impact = scale_field(_("剩余影响程度"))
    residual_score = models.PositiveSmallIntegerField(_("剩余风险分值"))
    residual_level = models.CharField(_("剩余风险等级"), max_length=10, choices=RiskLevel.choices)
    comment = models.TextField(_("评估意见"), blank=True)
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("评估人"))
    assessed_at = models.DateTimeField(_("评估时间"))

    class Meta:
        ordering = ["assessed_at", "id"]
        verbose_name = _("风险评估记录")
        verbose_name_plural = _("风险评估记录")

    def __str__(self):
        return f"{self.risk_id} {self.assessed_at:%Y-%m-%d}"


class RiskLevelMatrix(models.Model):
    """One cell of the 5 x 5 matrix that gives a likelihood and impact its level (admin-editable, seeded)."""

    likelihood = scale_field(_("可能性"))
    impact = scale_field(_("影响程度"))
    level = models.CharField(_("风险等级"), max_length=10, choices=RiskLevel.choices)

    class Meta:
        ordering = ["-likelihood", "impact"]
        verbose_name = _("风险等级矩阵")
        verbose_name_plural = _("风险等级矩阵")
        constraints = [models.UniqueConstraint(fields=["likelihood", "impact"], name="risk_matrix_one_cell")]

    def __str__(self):
        return f"{self.likelihood} × {self.impact} → {self.get_level_display()}"


class RiskCategoryRequirement(models.Model):
    """Policy: a product of this category needs an assessed risk of this risk category before launch
    (blank product category: every product)."""

    product_category = models.CharField(_("产品类别"), max_length=20, choices=ProductCategory.choices, blank=True,
                                        help_text=_("留空表示所有产品。"))
    risk_category = models.CharField(_("必须评估的风险类别"), max_length=20, choices=RiskCategory.choices)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["product_category", "risk_category"]
        verbose_name = _("上线前必评风险类别")
        verbose_name_plural = _("上线前必评风险类别")
        constraints = [models.UniqueConstraint(fields=["product_category", "risk_category"],
                                               name="risk_requirement_unique")]

    def __str__(self):
        who = self.get_product_category_display() if self.product_category else _("所有产品")
        return f"{who} → {self.get_risk_category_display()}"
