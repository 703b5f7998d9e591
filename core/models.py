"""The append-only audit chain shared by every app (refused at queryset, model and database level)."""
import hashlib
import hmac
import json
from datetime import UTC

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditImmutable(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    """Audit rows are append-only: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise AuditImmutable(_("审计记录只能追加，不能修改。"))

    def delete(self):
        raise AuditImmutable(_("审计记录只能追加，不能删除。"))

    _raw_delete = delete


class AppendOnly(models.Model):
    """A row written once and never changed or deleted, one by one or in bulk (the chain's and the checkpoints'
    tables also refuse it in the database, by trigger)."""

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AuditImmutable(_("审计记录只能追加，不能修改。"))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable(_("审计记录只能追加，不能删除。"))


class AuditEntry(AppendOnly):
    """One append-only history entry; `entry_hash` covers its content and the previous entry's hash (a chain).

    `changes` holds an edit's field-by-field diff: `[{"field", "old", "new"}, ...]`.
    """

    product = models.ForeignKey("products.Product", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="audit_entries", verbose_name=_("产品"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    action = models.CharField(_("操作"), max_length=48, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, db_index=True)
    object_id = models.CharField(_("对象编号"), max_length=40, blank=True)
    from_value = models.CharField(_("变更前"), max_length=200, blank=True)
    to_value = models.CharField(_("变更后"), max_length=200, blank=True)
    changes = models.JSONField(_("字段变更"), default=list, blank=True)
    comment = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), db_index=True)
    prev_hash = models.CharField(_("前一条哈希"), max_length=64)
    entry_hash = models.CharField(_("哈希"), max_length=64, unique=True)
    # Keyed (HMAC with settings.BANKPM_AUDIT_KEY, kept outside the database): whoever can rewrite the table cannot
    # recompute the chain after a rewritten entry. Entries written before the key existed stay plain SHA-256.
    keyed = models.BooleanField(_("密钥签名"), default=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        # The maker set reads a product's shaping actions since its last approved review (lifecycle.engine).
        indexes = [models.Index(fields=["product", "action", "created_at"], name="audit_product_action_time")]

    def __str__(self):
        return f"#{self.pk} {self.get_action_display()}"

    def get_action_display(self):
        from .audit import entry_action_label

        return entry_action_label(self)

    def canonical(self) -> str:
        """The exact content the hash covers (stable across database round-trips)."""
        content = {
            "product": self.product_id, "actor": self.actor_id, "action": self.action,
            "object_type": self.object_type, "object_id": self.object_id, "from": self.from_value,
            "to": self.to_value, "comment": self.comment, "prev": self.prev_hash,
            "at": self.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        }
        if self.changes:  # entries written before field diffs existed hash exactly as they did then
            content["changes"] = self.changes
        return json.dumps(content, sort_keys=True, ensure_ascii=False)

    def compute_hash(self) -> str:
        if self.keyed:
            return audit_mac(self.canonical())
        return hashlib.sha256(self.canonical().encode()).hexdigest()


def audit_mac(message: str) -> str:
    """HMAC-SHA256 of `message` with the audit key (from the environment, never stored in the database)."""
    return hmac.new(settings.BANKPM_AUDIT_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


class AuditVerification(AppendOnly):
    """One run of `verify_audit`: when it ran, how many entries it checked, whether the chain held and where it
    first broke. Append-only like the chain it reports on."""

    ran_at = models.DateTimeField(_("校验时间"), db_index=True)
    entries_checked = models.PositiveIntegerField(_("校验条数"))
    intact = models.BooleanField(_("链完整"))
    first_broken = models.ForeignKey(AuditEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                     verbose_name=_("首个断点"))

    class Meta:
        ordering = ["-ran_at", "-id"]
        verbose_name = _("审计链校验")
        verbose_name_plural = _("审计链校验")

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("发起人"),
                                     help_text=_("为空表示夜间定时校验。"))

    def __str__(self):
        return f"{self.ran_at:%Y-%m-%d %H:%M} {'✓' if self.intact else '✗'}"


class AuditVerificationRun(models.Model):
    """An administrator's request to verify the chain now: its id is the Celery task's (progress is read from the
    result backend while it runs); `verification` is the recorded result once the task has finished."""

    id = models.UUIDField(primary_key=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("发起人"))
    requested_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    verification = models.OneToOneField(AuditVerification, on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="run", verbose_name=_("校验结果"))

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("手动审计链校验")
        verbose_name_plural = _("手动审计链校验")

    def __str__(self):
        return f"{self.requested_at:%Y-%m-%d %H:%M} {self.requested_by}"


class AuditCheckpoint(AppendOnly):
    """An anchor of the audit chain taken periodically: how many entries there were and the head entry's hash.

    Kept in its own append-only table (and sent to the administrators each night), so that whoever could rewrite
    the audit table still cannot hide a removed tail or an emptied table from `verify_audit`."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    entry_count = models.PositiveBigIntegerField(_("记录数"))
    head_id = models.BigIntegerField(_("最后一条记录编号"), null=True, blank=True)
    head_hash = models.CharField(_("最后一条记录哈希"), max_length=64, blank=True)
    # HMAC of count, head and hash with the audit key: a checkpoint inserted by hand does not verify.
    signature = models.CharField(_("签名"), max_length=64, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("审计锚点")
        verbose_name_plural = _("审计锚点")

    def __str__(self):
        return f"#{self.pk} {self.entry_count} @ {self.head_hash[:12]}"

    def signed_content(self) -> str:
        return f"checkpoint|{self.entry_count}|{self.head_id or ''}|{self.head_hash}"


class RowCountDelta(models.Model):
    """Rows added (+n) or removed (−n) by one statement on a counted table, written by PostgreSQL triggers
    (core.counts): the sum over a table is its exact row count, read without scanning it. Insert-only, so writers
    never wait for each other; `core.counts.compact_row_counts` folds a table's deltas into one row."""

    table = models.CharField(max_length=63)
    delta = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["table"], name="core_rowcount_table_idx")]

    def __str__(self):
        return f"{self.table} {self.delta:+d}"


class IdempotencyRecord(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key` (core.idempotency): the same user, key and body
    within 24 hours get it again and nothing is done twice. The unique (user, key) row is claimed in the request's
    own transaction, so a concurrent request with the key waits for it and then replays it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                             verbose_name=_("用户"))
    key = models.CharField(_("幂等键"), max_length=255)
    fingerprint = models.CharField(_("请求指纹"), max_length=64, help_text=_("方法、路径与请求体的 SHA-256。"))
    status_code = models.PositiveSmallIntegerField(_("响应状态"), null=True)
    content_type = models.CharField(_("响应类型"), max_length=100, blank=True)
    body = models.BinaryField(_("响应体"), default=b"")
    created_at = models.DateTimeField(_("创建时间"), db_index=True)

    class Meta:
        verbose_name = _("幂等记录")
        verbose_name_plural = _("幂等记录")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]

    def __str__(self):
        return f"{self.user_id}:{self.key}"
