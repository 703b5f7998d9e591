from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PRODUCT_MANAGER = "product_manager", _("产品经理")
    REVIEWER = "reviewer", _("部门审批人")
    HEAD_OF_PRODUCT = "head_of_product", _("产品负责人")
    SENIOR_MANAGEMENT = "senior_management", _("高级管理层")
    ADMINISTRATOR = "administrator", _("系统管理员")


class DepartmentCode(models.TextChoices):
    RISK = "risk", _("风险管理部")
    COMPLIANCE = "compliance", _("合规部")
    FINANCE = "finance", _("财务部")
    LEGAL = "legal", _("法务部")
    TECHNOLOGY = "technology", _("信息科技部")
    SENIOR_MANAGEMENT = "senior_management", _("高级管理层")
    PRODUCT = "product", _("产品部")


# Departments whose members review stage gates (product itself submits, it does not review).
REVIEWING_DEPARTMENTS = [code for code in DepartmentCode.values if code != DepartmentCode.PRODUCT]


class AccountAuditAction(models.TextChoices):
    """Audit-trail action codes of user administration."""

    USER_CREATED = "user_created", _("新增用户")
    USER_UPDATED = "user_updated", _("修改用户角色或部门")
    PASSWORD_CHANGED = "password_changed", _("修改用户密码")
    TOKEN_ISSUED = "token_issued", _("签发 API 令牌")
    TOKEN_REVOKED = "token_revoked", _("吊销 API 令牌")
    SECURITY_POLICY_UPDATED = "security_policy_updated", _("修改安全策略")
