from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bankpm.validators import link_constraint, validate_link


class Notification(models.Model):
    """An in-app message to one user; it doubles as the e-mail outbox (`emailed_at` is empty until sent)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True, validators=[validate_link],
                           help_text=_("http、https 地址或本站路径（/ 开头）。"))
    send_email = models.BooleanField(_("发送邮件"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    # Outbox retry state: a refused address is retried with backoff, its last error kept, never the sent rows.
    email_attempts = models.PositiveSmallIntegerField(_("邮件尝试次数"), default=0)
    email_error = models.TextField(_("邮件错误"), blank=True)
    email_next_attempt_at = models.DateTimeField(_("下次重试时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [link_constraint("url", name="notification_url_safe")]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_unread_idx"),
            models.Index(
                fields=["id"], name="notif_outbox_idx", condition=models.Q(send_email=True, emailed_at__isnull=True)
            ),
        ]

    def __str__(self):
        return self.title
