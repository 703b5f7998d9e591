from django.conf import settings
from django.db import models
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from bankpm.validators import link_constraint, validate_link

from .kinds import NotificationKind


class Notification(models.Model):
    """An in-app message to one user; it doubles as the e-mail outbox (`emailed_at` is empty until sent)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("接收人")
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True, validators=[validate_link],
                           help_text=_("http、https 地址或本站路径（/ 开头）。"))
    # The message as a catalogue entry (the Chinese source text) and its parameters: each reader sees it in their
    # own language. `title` and `body` keep the sender-language rendering for rows without a code.
    title_code = models.CharField(_("标题消息代码"), max_length=200, blank=True)
    body_code = models.CharField(_("内容消息代码"), max_length=500, blank=True)
    params = models.JSONField(_("消息参数"), default=dict, blank=True)
    send_email = models.BooleanField(_("发送邮件"), default=True)
    # Grouping on the list (notifications.kinds): what it is about, one line per group, and whether it asks to act.
    kind = models.CharField(_("类型"), max_length=20, choices=NotificationKind.choices, default=NotificationKind.OTHER)
    group_key = models.CharField(_("分组"), max_length=64, blank=True)
    action_required = models.BooleanField(_("需要处理"), default=False)
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
            models.Index(fields=["recipient", "group_key"], name="notif_group_idx"),
            models.Index(
                fields=["id"], name="notif_outbox_idx", condition=models.Q(send_email=True, emailed_at__isnull=True)
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def display_title(self) -> str:
        """The title in the active language (the recipient's, when mailed)."""
        return render_message(self.title_code, self.params, fallback=self.title)

    @property
    def display_body(self) -> str:
        return render_message(self.body_code, self.params, fallback=self.body)


def render_message(code: str, params: dict, *, fallback: str) -> str:
    """Translate a message code now and fill in its parameters; localised parameters pick the active language."""
    if not code:
        return fallback
    language = (get_language() or settings.LANGUAGE_CODE)
    values = {name: _pick(value, language) for name, value in (params or {}).items()}
    try:
        return gettext(code) % values
    except (KeyError, TypeError, ValueError):
        return fallback


def _pick(value, language: str):
    if isinstance(value, dict) and LOCALISED in value:
        texts = value[LOCALISED]
        return texts.get(language) or texts.get(language.split("-")[0]) or texts.get(settings.LANGUAGE_CODE) or ""
    return value


LOCALISED = "_localised"
