"""Records the bank must keep: products, deliverables, reviews and their steps are never hard-deleted.

A product is cancelled or retired through its lifecycle, a review is rejected or approved; deleting the row would
take its history (KPI observations, snapshots, decisions) with it behind the audit trail's back. Refused for a
row (`obj.delete()`) and for a queryset (`.delete()`, which the admin's bulk action uses); the admins also hide
the delete buttons.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _


class HardDeleteRefused(Exception):
    """Raised on any attempt to delete a kept record."""


def _refused(model) -> HardDeleteRefused:
    return HardDeleteRefused(_("%(model)s不能删除：请通过生命周期取消、退出或驳回。") % {
        "model": model._meta.verbose_name})


class KeptQuerySet(models.QuerySet):
    def delete(self):
        raise _refused(self.model)

    _raw_delete = delete


class KeptRecord(models.Model):
    """Abstract base of kept records: a manager and a row delete that refuse."""

    objects = KeptQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise _refused(type(self))
