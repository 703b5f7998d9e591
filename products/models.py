from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import ProtectedError
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from core.fsm import ConcurrentTransitions
from core.retention import KeptRecord

from .choices import (
    CATEGORIES_WITH_YIELD,
    CustomerSegment,
    LifecycleStage,
    ProductCategory,
    RiskRating,
    SalesChannelCode,
)

NON_NEGATIVE = MinValueValidator(Decimal("0"), message=_("不能为负数。"))
S = LifecycleStage
MAX_FEATURES = 30
MAX_FEATURE_LENGTH = 200


class SalesChannel(models.Model):
    """A channel through which a product is sold (branch, online banking, mobile banking, partner)."""

    code = models.CharField(_("代码"), max_length=32, unique=True, choices=SalesChannelCode.choices)
    # Products' frozen terms point here: a channel the bank stops using is deactivated, never deleted.
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("销售渠道")
        verbose_name_plural = _("销售渠道")

    def __str__(self):
        return str(self.get_code_display())

    def delete(self, *args, **kwargs):
        raise ProtectedError(str(_("销售渠道不能删除，请停用。")), {self})


class Product(ConcurrentTransitions, KeptRecord):
    """A bank product in the catalogue; its lifecycle stage changes only through stage-gate transitions."""

    code = models.CharField(
        _("产品代码"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9_-]{1,31}$", _("只能使用大写字母、数字、- 和 _，2–32 位。"))],
        error_messages={"unique": _("该产品代码已存在。")},
    )
    name = models.CharField(_("产品名称"), max_length=120)
    name_en = models.CharField(_("英文名称"), max_length=120, blank=True)
    category = models.CharField(_("产品类别"), max_length=20, choices=ProductCategory.choices, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_products",
        verbose_name=_("产品经理"),
    )
    customer_segment = models.CharField(
        _("目标客群"), max_length=32, choices=CustomerSegment.choices, default=CustomerSegment.MASS_MARKET
    )
    risk_rating = models.CharField(_("风险等级"), max_length=2, choices=RiskRating.choices, db_index=True)
    sales_channels = models.ManyToManyField(SalesChannel, related_name="products", verbose_name=_("销售渠道"))
    description = models.TextField(_("产品描述"), blank=True)
    interest_rate = models.DecimalField(
        _("利率（年化 %）"), max_digits=7, decimal_places=4, null=True, blank=True, validators=[NON_NEGATIVE]
    )
    fee = models.DecimalField(
        _("费用（元）"), max_digits=14, decimal_places=2, null=True, blank=True, validators=[NON_NEGATIVE]
    )
    fee_terms = models.CharField(_("费用说明"), max_length=200, blank=True)
    expected_yield_min = models.DecimalField(
        _("预期收益率下限（%）"), max_digits=7, decimal_places=4, null=True, blank=True, validators=[NON_NEGATIVE]
    )
    expected_yield_max = models.DecimalField(
        _("预期收益率上限（%）"), max_digits=7, decimal_places=4, null=True, blank=True, validators=[NON_NEGATIVE]
    )
    features = models.JSONField(
        _("产品特色"), default=list, blank=True, help_text=_("逐条列出，例如返现类别、信用额度上限。")
    )
    target_market = models.TextField(_("目标市场"), blank=True, help_text=_("产品适合的客户（EBA 产品治理指引）。"))
    excluded_market = models.TextField(_("排除市场"), blank=True, help_text=_("产品不适合的客户。"))
    excluded_segments = models.JSONField(
        _("排除客群"), default=list, blank=True,
        help_text=_("不得向其销售的客群代码；销售数据落入这些客群时触发目标市场预警。"))
    stage = FSMField(
        _("生命周期阶段"), max_length=20, choices=LifecycleStage.choices, default=S.PLANNING, protected=True,
        db_index=True,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("产品")
        verbose_name_plural = _("产品")

    def __str__(self):
        return f"{self.code} {self.display_name}"

    @property
    def display_name(self):
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    def get_absolute_url(self):
        return reverse("products:detail", args=[self.pk])

    def clean_fields(self, exclude=None):
        # The stage is guarded by the state machine and cannot be re-assigned (protected FSM field).
        super().clean_fields(exclude={*(exclude or ()), "stage"})

    def clean(self):
        errors = {}
        low, high = self.expected_yield_min, self.expected_yield_max
        if (low is not None or high is not None) and self.category not in CATEGORIES_WITH_YIELD:
            message = _("只有存款和理财产品可设置预期收益率区间。")
            errors.update({f: message for f, v in (("expected_yield_min", low), ("expected_yield_max", high)) if v})
        elif low is not None and high is not None and low > high:
            errors["expected_yield_max"] = _("预期收益率上限不能低于下限。")
        errors.update(self._features_errors())
        if self.excluded_segments is None:  # an admin form left empty
            self.excluded_segments = []
        excluded = self.excluded_segments
        if not isinstance(excluded, list) or not set(excluded) <= set(CustomerSegment.values):
            errors["excluded_segments"] = _("排除客群必须是已知客群代码的列表。")
        elif self.customer_segment in excluded:
            errors["excluded_segments"] = _("目标客群不能同时是排除客群。")
        if self.owner_id and not getattr(self.owner, "can_own_products", True):
            errors["owner"] = _("产品负责人必须是产品经理。")
        if errors:
            raise ValidationError(errors)

    def _features_errors(self) -> dict:
        features = self.features
        if not isinstance(features, list) or not all(isinstance(item, str) for item in features):
            return {"features": _("产品特色必须是文字条目的列表。")}
        if len(features) > MAX_FEATURES:
            return {"features": _("产品特色最多 %(n)s 条。") % {"n": MAX_FEATURES}}
        if any(not item.strip() or len(item) > MAX_FEATURE_LENGTH or "\x00" in item for item in features):
            return {"features": _("每条产品特色须为 1–%(n)s 个字符。") % {"n": MAX_FEATURE_LENGTH}}
        return {}

    # --- Lifecycle state machine; only lifecycle services call these, after the gate is approved. ---

    @transition(field=stage, source=S.PLANNING, target=S.DEVELOPMENT)
    def start_development(self):
        """Planning gate approved: research and targets are accepted."""

    @transition(field=stage, source=S.DEVELOPMENT, target=S.MARKETING)
    def launch(self):
        """Development gate approved: design, risk and compliance reviews and tests are done."""

    @transition(field=stage, source=S.MARKETING, target=S.OPERATION)
    def begin_operation(self):
        """Marketing gate approved: channels are rolled out."""

    @transition(field=stage, source=S.OPERATION, target=S.RETIREMENT)
    def begin_retirement(self):
        """Exit decided: customers are migrated and aftercare begins."""

    @transition(field=stage, source=S.RETIREMENT, target=S.RETIRED)
    def retire(self):
        """Aftercare complete: the product is closed."""

    @transition(field=stage, source=[S.PLANNING, S.DEVELOPMENT], target=S.CANCELLED)
    def cancel(self):
        """Abandoned before launch."""
