"""Codes of the risk register: categories, sources, methods, responses, levels, statuses, audit actions, errors."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskCategory(models.TextChoices):
    CREDIT = "credit", _("信用风险")
    MARKET = "market", _("市场风险")
    OPERATIONAL = "operational", _("操作风险")
    LIQUIDITY = "liquidity", _("流动性风险")
    COMPLIANCE = "compliance", _("合规风险")
    REPUTATIONAL = "reputational", _("声誉风险")
    STRATEGIC = "strategic", _("战略风险")
    LEGAL = "legal", _("法律风险")


class RiskSource(models.TextChoices):
    PRODUCT = "product", _("产品自身")
    ENVIRONMENT = "environment", _("外部环境")


class AssessmentMethod(models.TextChoices):
    QUANTITATIVE = "quantitative", _("定量")
    QUALITATIVE = "qualitative", _("定性")


class RiskResponse(models.TextChoices):
    AVOID = "avoid", _("规避")
    MITIGATE = "mitigate", _("缓释")
    TRANSFER = "transfer", _("转移")
    ACCEPT = "accept", _("接受")


# Responses that only work through controls (a limit, a hedge, an insurance policy...).
RESPONSES_NEEDING_CONTROLS = {RiskResponse.MITIGATE, RiskResponse.TRANSFER}


class ControlType(models.TextChoices):
    PREVENTIVE = "preventive", _("预防性")
    DETECTIVE = "detective", _("检测性")
    CORRECTIVE = "corrective", _("纠正性")


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")
    CRITICAL = "critical", _("极高")


# Residual levels beyond the product owner's appetite: keeping them is senior management's decision.
LEVELS_NEEDING_ACCEPTANCE = {RiskLevel.HIGH, RiskLevel.CRITICAL}
LEVEL_ORDER = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRITICAL]


def default_level(score: int) -> str:
    """The default matrix: 1-4 low, 5-9 medium, 10-14 high, 15-25 critical."""
    if score >= 15:
        return RiskLevel.CRITICAL
    if score >= 10:
        return RiskLevel.HIGH
    if score >= 5:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


class RiskStatus(models.TextChoices):
    OPEN = "open", _("管控中")
    PENDING_ACCEPTANCE = "pending_acceptance", _("待高管接受")
    ACCEPTED = "accepted", _("已接受")
    NEEDS_REVIEW = "needs_review", _("待重新评估")
    CLOSED = "closed", _("已关闭")


# The approval engine's process code of risk acceptance (stored on its reviews and policy rows; never rename it).
RISK_ACCEPTANCE = "risk_acceptance"

ACTIVE_STATUSES = [RiskStatus.OPEN, RiskStatus.PENDING_ACCEPTANCE, RiskStatus.ACCEPTED, RiskStatus.NEEDS_REVIEW]
# A risk counts as assessed for the launch gate while its last assessment stands (not flagged for review).
ASSESSED_STATUSES = [RiskStatus.OPEN, RiskStatus.PENDING_ACCEPTANCE, RiskStatus.ACCEPTED]


class AssessmentKind(models.TextChoices):
    INITIAL = "initial", _("初始评估")
    REVIEW = "review", _("重新评估")
    EDIT = "edit", _("修改评分")


class RiskAuditAction(models.TextChoices):
    CREATED = "risk_created", _("登记风险")
    UPDATED = "risk_updated", _("修改风险")
    REVIEWED = "risk_reviewed", _("重新评估风险")
    ACCEPTANCE_REQUESTED = "risk_acceptance_requested", _("剩余风险提交高管接受")
    ACCEPTED = "risk_accepted", _("高管接受剩余风险")
    ACCEPTANCE_REFUSED = "risk_acceptance_refused", _("高管拒绝接受剩余风险")
    NEEDS_REVIEW = "risk_needs_review", _("风险待重新评估")
    CLOSED = "risk_closed", _("关闭风险")
    POLICY_CHANGED = "risk_policy_changed", _("修改风险政策")


class RiskError(models.TextChoices):
    """Machine-readable codes of the register's conflicts (409) and messages of its refusals."""

    NOT_PENDING = "risk_not_pending_acceptance", _("该风险不在待高管接受状态。")
    CLOSED = "risk_closed", _("该风险已关闭，不能再修改。")
    NOT_EDITOR = "not_risk_editor", _("只有产品经理、风险负责人、风险管理部、产品主管或管理员可以维护风险登记。")
    NOT_ACCEPTOR = "not_risk_acceptor", _(
        "只有高级管理层可以接受高或极高的剩余风险，且不能是风险负责人或产品经理本人。")
