from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    LDAP = "ldap", _("LDAP / Active Directory")


class SsoAuditAction(models.TextChoices):
    MEMBERSHIP_SYNCED = "directory_membership_synced", _("目录同步角色与部门")
    ACCESS_REVOKED = "directory_access_revoked", _("目录移除，访问已撤销")
    STEP_ESCALATED = "directory_step_escalated", _("目录移除后审批步骤上报高层")
    RULE_CHANGED = "directory_rule_changed", _("修改目录映射规则")
