"""Directory rules (admin-editable data): which directory groups give which role and departments; and the link of
a BankPM user to their directory identity."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role

from .choices import Provider


class DirectoryRule(models.Model):
    """A user in `group` (an OIDC `groups` claim value, or an LDAP group DN) gets `departments`, and `role` unless
    a rule of higher `priority` gives another. A directory user matching no active rule has no access."""

    provider = models.CharField(_("目录"), max_length=10, choices=Provider.choices)
    group = models.CharField(_("目录组"), max_length=300, help_text=_("OIDC groups 声明中的值，或 LDAP 组的 DN。"))
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, blank=True)
    departments = models.ManyToManyField("accounts.Department", blank=True, related_name="+",
                                         verbose_name=_("部门"))
    priority = models.PositiveSmallIntegerField(_("优先级"), default=100, help_text=_("数字越大越优先决定角色。"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("目录映射规则")
        verbose_name_plural = _("目录映射规则")
        ordering = ["provider", "-priority", "group"]
        constraints = [models.UniqueConstraint(fields=["provider", "group"], name="directory_rule_unique_group")]

    def __str__(self):
        return f"{self.get_provider_display()}: {self.group}"


class DirectoryIdentity(models.Model):
    """A user whose role and departments follow a directory: re-read at every login and re-checked on requests."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_identity",
                                verbose_name=_("用户"))
    provider = models.CharField(_("目录"), max_length=10, choices=Provider.choices)
    subject = models.CharField(_("目录标识"), max_length=300)
    groups = models.JSONField(_("目录组"), default=list)
    checked_at = models.DateTimeField(_("最近核对"), null=True, blank=True)

    class Meta:
        verbose_name = _("目录身份")
        verbose_name_plural = _("目录身份")
        constraints = [models.UniqueConstraint(fields=["provider", "subject"], name="directory_identity_unique")]

    def __str__(self):
        return f"{self.provider}:{self.subject}"
