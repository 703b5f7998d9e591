from django.db import models
from django.utils.translation import gettext_lazy as _


class ProductCategory(models.TextChoices):
    DEPOSIT = "deposit", _("存款")
    LOAN = "loan", _("贷款")
    CREDIT_CARD = "credit_card", _("信用卡")
    WEALTH = "wealth", _("理财")
    PAYMENT = "payment", _("支付结算")
    OTHER = "other", _("其他")


# Categories whose products promise an expected yield range (wealth products; structured deposits).
CATEGORIES_WITH_YIELD = {ProductCategory.WEALTH, ProductCategory.DEPOSIT}


class RiskRating(models.TextChoices):
    R1 = "R1", _("R1 低风险")
    R2 = "R2", _("R2 中低风险")
    R3 = "R3", _("R3 中风险")
    R4 = "R4", _("R4 中高风险")
    R5 = "R5", _("R5 高风险")


class SalesChannelCode(models.TextChoices):
    BRANCH = "branch", _("网点柜台")
    ONLINE_BANKING = "online_banking", _("网上银行")
    MOBILE_BANKING = "mobile_banking", _("手机银行")
    PARTNER = "partner", _("合作机构")


class CustomerSegment(models.TextChoices):
    MASS_MARKET = "mass_market", _("大众客户")
    AFFLUENT = "affluent", _("财富客户")
    PRIVATE_BANKING = "private_banking", _("私人银行客户")
    YOUTH = "youth", _("年轻客群")
    SENIOR = "senior", _("老年客群")
    SMALL_BUSINESS = "small_business", _("小微企业")
    CORPORATE = "corporate", _("公司客户")


class LifecycleStage(models.TextChoices):
    PLANNING = "planning", _("规划")
    DEVELOPMENT = "development", _("开发")
    MARKETING = "marketing", _("推广")
    OPERATION = "operation", _("运营")
    RETIREMENT = "retirement", _("退出")
    RETIRED = "retired", _("已退出")
    CANCELLED = "cancelled", _("已取消")


# The main line of the lifecycle; each stage's gate leads to the next one.
STAGE_ORDER = [
    LifecycleStage.PLANNING,
    LifecycleStage.DEVELOPMENT,
    LifecycleStage.MARKETING,
    LifecycleStage.OPERATION,
    LifecycleStage.RETIREMENT,
    LifecycleStage.RETIRED,
]
CLOSED_STAGES = {LifecycleStage.RETIRED, LifecycleStage.CANCELLED}


class ProductAuditAction(models.TextChoices):
    CREATED = "product_created", _("创建产品")
    UPDATED = "product_updated", _("修改产品")
    OWNER_CHANGED = "product_owner_changed", _("变更产品负责人")
    CHANNEL_DEACTIVATED = "sales_channel_deactivated", _("停用销售渠道")
    CHANNEL_ACTIVATED = "sales_channel_activated", _("启用销售渠道")


class ProductError(models.TextChoices):
    """Conflicts with the catalogue's current state (409 `code` in the API)."""

    DUPLICATE_CODE = "duplicate_code", _("该产品代码已存在。")
    CODE_FIXED = "code_fixed", _("产品代码创建后不可修改。")
