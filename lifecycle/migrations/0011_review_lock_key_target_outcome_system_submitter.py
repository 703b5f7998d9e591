"""The engine's lock scopes, targets, outcomes and system submitter.

One open review per *lock key* (a process's lock scope and its product or subject) replaces one open review per
product: existing reviews are all stage gates or terms changes, which share the "product_terms" scope, so each gets
"product_terms:<product id>" and keeps blocking the other exactly as before. `target` is filled from `to_stage`
(empty for changes, as their target was); `submitted_by` becomes optional (the system opens a review).
"""
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Cast, Concat

PRODUCT_TERMS = "product_terms"


def backfill(apps, schema_editor):
    GateReview = apps.get_model("lifecycle", "GateReview")
    GateReview.objects.update(lock_key=Concat(Value(f"{PRODUCT_TERMS}:"), Cast(F("product_id"), models.TextField())),
                              target=F("to_stage"))


class Migration(migrations.Migration):

    dependencies = [
        ("lifecycle", "0010_approval_conditions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="gatereview", name="one_open_gate_review_per_product"),
        migrations.AddField(
            model_name="gatereview", name="lock_key",
            field=models.CharField(default="", max_length=100, verbose_name="锁定范围"), preserve_default=False),
        migrations.AddField(
            model_name="gatereview", name="target",
            field=models.CharField(blank=True, max_length=64, verbose_name="评审目标")),
        migrations.AddField(
            model_name="gatereview", name="outcome",
            field=models.CharField(blank=True, max_length=32, verbose_name="评审结论")),
        migrations.AddField(
            model_name="approvalstep", name="outcome",
            field=models.CharField(blank=True, max_length=32, verbose_name="审批结论")),
        migrations.AlterField(
            model_name="gatereview", name="submitted_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=models.deletion.PROTECT,
                                    related_name="submitted_gate_reviews", to=settings.AUTH_USER_MODEL,
                                    verbose_name="提交人")),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="gatereview",
            constraint=models.UniqueConstraint(condition=models.Q(status="pending"), fields=("lock_key",),
                                               name="one_open_review_per_lock_key")),
    ]
