"""Webhook subscriptions, the events they receive (an outbox written in the event's transaction), deliveries and
their attempts (the delivery log), and the administrators' allow-list of private networks."""
import ipaddress
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import DeliveryStatus, EventType


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Subscription(models.Model):
    """Where to push which events. `secret` signs the bodies; after a rotation `previous_secret` signs them too
    until `previous_secret_expires_at` (the overlap in which receivers switch). `failing_since`: the first failure
    of an unbroken run of failures; a run longer than a day pauses the subscription (`active` off, `paused_at`)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("负责人"))
    name = models.CharField(_("名称"), max_length=100)
    target_url = models.URLField(_("目标地址"), max_length=500, help_text=_("http(s)；不跟随重定向，10 秒超时。"))
    events = models.JSONField(_("事件"), default=list, help_text=_("订阅的事件类型列表。"))
    secret = models.CharField(_("签名密钥"), max_length=100, default=new_secret)
    previous_secret = models.CharField(_("旧签名密钥"), max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(_("旧密钥失效时间"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    failing_since = models.DateTimeField(_("连续失败起始"), null=True, blank=True)
    paused_at = models.DateTimeField(_("暂停时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Webhook 订阅")
        verbose_name_plural = _("Webhook 订阅")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        valid = set(EventType.values)
        if not isinstance(self.events, list) or not self.events or not all(e in valid for e in self.events):
            raise ValidationError({"events": _("请选择至少一个有效的事件类型。")})
        if len(set(self.events)) != len(self.events):
            raise ValidationError({"events": _("事件类型不能重复。")})


class Event(models.Model):
    """One domain event, written in the transaction that made it happen; `data` is the object it is about."""

    id = models.UUIDField(primary_key=True)
    type = models.CharField(_("事件类型"), max_length=40, choices=EventType.choices, db_index=True)
    occurred_at = models.DateTimeField(_("发生时间"))
    data = models.JSONField(_("对象"))

    class Meta:
        verbose_name = _("Webhook 事件")
        verbose_name_plural = _("Webhook 事件")
        ordering = ["-occurred_at"]

    def __str__(self):
        return f"{self.type} {self.id}"


class Delivery(models.Model):
    """One event for one subscription: the outbox row a worker sends, retried with exponential backoff for a day
    (`next_attempt_at`), then `failed`. Resending from the log makes it pending again."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("事件"))
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries",
                                     verbose_name=_("订阅"))
    status = models.CharField(_("状态"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    first_attempt_at = models.DateTimeField(_("首次尝试"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("最近尝试"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("Webhook 投递")
        verbose_name_plural = _("Webhook 投递")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["event", "subscription"], name="webhook_delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self):
        return f"{self.event.type} → {self.subscription}"


class DeliveryAttempt(models.Model):
    """One HTTP attempt of a delivery: the delivery log (time, response code or error, duration)."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log", verbose_name=_("投递"))
    at = models.DateTimeField(_("时间"))
    status_code = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    class Meta:
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"


def validate_network(value: str) -> None:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError as error:
        raise ValidationError(_("请输入 IP 地址或网段，如 10.20.0.0/16。")) from error


class AllowedNetwork(models.Model):
    """A private, loopback or link-local network that webhook targets may nevertheless be in (an administrator's
    decision, e.g. the bank's integration bus)."""

    network = models.CharField(_("网段"), max_length=50, unique=True, validators=[validate_network])
    reason = models.CharField(_("理由"), max_length=200)

    class Meta:
        verbose_name = _("Webhook 允许的内网网段")
        verbose_name_plural = _("Webhook 允许的内网网段")

    def __str__(self):
        return self.network
