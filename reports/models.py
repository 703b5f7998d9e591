"""Portfolio packs (records: built once per period and language, never changed) and who receives them."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnly

from .choices import PackKind


class PortfolioPack(AppendOnly):
    """The monthly or quarterly portfolio pack of one period in one language: the figures as built, and the PDF
    and XLSX made from them. Append-only: a pack is a record, never rebuilt differently for the same period."""

    kind = models.CharField(_("类型"), max_length=10, choices=PackKind.choices)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    language = models.CharField(_("语言"), max_length=10, choices=settings.LANGUAGES)
    figures = models.JSONField(_("数据"), default=dict)
    pdf = models.BinaryField(_("PDF"))
    xlsx = models.BinaryField(_("XLSX"))
    sha256 = models.CharField(_("PDF 哈希"), max_length=64)
    built_at = models.DateTimeField(_("生成时间"))

    class Meta:
        ordering = ["-period_start", "kind", "language"]
        verbose_name = _("组合报告")
        verbose_name_plural = _("组合报告")
        constraints = [models.UniqueConstraint(fields=["kind", "period_start", "language"],
                                               name="portfolio_pack_once_per_period")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start:%Y-%m} {self.language}"


class PackSubscription(models.Model):
    """A user who receives one kind of pack in one language (edited in the admin)."""

    kind = models.CharField(_("类型"), max_length=10, choices=PackKind.choices)
    language = models.CharField(_("语言"), max_length=10, choices=settings.LANGUAGES)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pack_subscriptions",
                             verbose_name=_("订阅人"))

    class Meta:
        ordering = ["kind", "language", "user"]
        verbose_name = _("报告订阅")
        verbose_name_plural = _("报告订阅")
        constraints = [models.UniqueConstraint(fields=["kind", "language", "user"], name="pack_subscription_once")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.language} · {self.user}"
