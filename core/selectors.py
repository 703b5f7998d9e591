"""Reads of the audit trail: what a user may see, and its export rows in words and local time."""
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit import object_type_label
from .labels import describe_changes
from .models import AuditEntry
from .roles import audit_visible_filter

EXPORT_HEADERS = [gettext_lazy("编号"), gettext_lazy("时间"), gettext_lazy("产品"), gettext_lazy("操作人"),
                  gettext_lazy("操作"), gettext_lazy("对象类型"), gettext_lazy("对象编号"), gettext_lazy("变更前"),
                  gettext_lazy("变更后"), gettext_lazy("字段变更"), gettext_lazy("说明"), gettext_lazy("哈希")]


def audit_entries(*, user) -> QuerySet[AuditEntry]:
    """The entries `user` may read, newest first, with what a list shows already joined."""
    return (AuditEntry.objects.select_related("actor", "product").filter(audit_visible_filter(user=user))
            .order_by("-id"))


def _changes_text(entry) -> str:
    return "; ".join(f"{c['field']}: {c['old']} → {c['new']}" for c in entry.described)


def audit_export_rows(entries: QuerySet[AuditEntry]):
    """One tuple per entry in the order of EXPORT_HEADERS: local time, names and labels instead of raw codes."""
    system = _("系统")
    for chunk in _chunks(entries.iterator(chunk_size=1000), 1000):
        describe_changes(chunk)
        for e in chunk:
            yield (e.pk, timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                   e.product.code if e.product else "", str(e.actor) if e.actor else system, e.get_action_display(),
                   object_type_label(e.object_type), e.object_id, e.from_text, e.to_text, _changes_text(e),
                   e.comment, e.entry_hash)


def _chunks(iterable, size: int):
    chunk = []
    for item in iterable:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
