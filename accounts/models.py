from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import TokenProxy

from .choices import DepartmentCode, Role


class Department(models.Model):
    """A bank department; reviewers belong to one or more and decide gate steps for them."""

    code = models.CharField(_("代码"), max_length=32, unique=True, choices=DepartmentCode.choices)
    name = models.CharField(_("名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=100)

    class Meta:
        ordering = ["id"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self):
        return self.localized_name

    @property
    def localized_name(self):
        return self.name_en if (get_language() or "").startswith("en") else self.name


class User(AbstractUser):
    """A BankPM user: one role decides what they may do; departments decide which gate steps they review."""

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.PRODUCT_MANAGER)
    departments = models.ManyToManyField(Department, blank=True, related_name="members", verbose_name=_("部门"))
    # The language notifications are rendered in when mailed; the switcher keeps it in step with the pages.
    language = models.CharField(_("语言"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE)

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        # Chinese names are written family name first, without a space.
        if any("\u4e00" <= ch <= "\u9fff" for ch in self.first_name + self.last_name):
            return f"{self.last_name}{self.first_name}".strip()
        return super().get_full_name()

    @property
    def is_admin(self):
        return self.is_superuser or self.role == Role.ADMINISTRATOR

    @property
    def is_product_manager(self):
        return self.role == Role.PRODUCT_MANAGER

    @property
    def is_head_of_product(self):
        return self.role == Role.HEAD_OF_PRODUCT

    @property
    def is_senior_management(self):
        return self.role == Role.SENIOR_MANAGEMENT

    @property
    def is_reviewer(self):
        return self.role in (Role.REVIEWER, Role.SENIOR_MANAGEMENT)

    @property
    def can_own_products(self):
        return self.is_active and (self.is_product_manager or self.is_head_of_product or self.is_admin)

    @property
    def department_codes(self):
        """Codes of the user's departments, loaded once per request-bound instance."""
        if not hasattr(self, "_department_codes"):
            self._department_codes = frozenset(self.departments.values_list("code", flat=True))
        return self._department_codes


class SecurityPolicy(models.Model):
    """The administrators' security settings, one row: how long an idle session lasts and an API token lives.
    Until an administrator saves it, the defaults apply (reading it never writes)."""

    CACHE_KEY = "accounts:security-policy"

    session_idle_minutes = models.PositiveIntegerField(
        _("会话空闲超时（分钟）"), default=30, validators=[MinValueValidator(1), MaxValueValidator(24 * 60)])
    token_lifetime_days = models.PositiveIntegerField(
        _("API 令牌有效期（天）"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)])

    class Meta:
        verbose_name = _("安全策略")
        verbose_name_plural = _("安全策略")

    def __str__(self):
        return str(_("安全策略"))

    @classmethod
    def current(cls) -> "SecurityPolicy":
        """The saved row or the defaults; cached for a minute (every request reads it)."""
        policy = cache.get(cls.CACHE_KEY)
        if policy is None:
            policy = cls.objects.order_by("pk").first() or cls()
            cache.set(cls.CACHE_KEY, policy, 60)
        return policy


class ApiToken(TokenProxy):
    """An API token as the admin shows it: by its owner and prefix, never the whole key."""

    class Meta:
        proxy = True
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self):
        return f"{self.user} · {self.key[:4]}…"
