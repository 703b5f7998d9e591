"""Take over lifecycle's audit table in the migration state only: the rows and the hash chain stay untouched."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [
        ("products", "0002_sales_channels"),
        ("lifecycle", "0002_seed_policy_and_audit_trigger"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("action", models.CharField(db_index=True, max_length=32, verbose_name="操作")),
                        ("object_type", models.CharField(max_length=40, verbose_name="对象类型")),
                        ("object_id", models.CharField(blank=True, max_length=40, verbose_name="对象编号")),
                        ("from_value", models.CharField(blank=True, max_length=200, verbose_name="变更前")),
                        ("to_value", models.CharField(blank=True, max_length=200, verbose_name="变更后")),
                        ("comment", models.TextField(blank=True, verbose_name="说明")),
                        ("created_at", models.DateTimeField(db_index=True, verbose_name="时间")),
                        ("prev_hash", models.CharField(max_length=64, verbose_name="前一条哈希")),
                        ("entry_hash", models.CharField(max_length=64, unique=True, verbose_name="哈希")),
                        ("actor", models.ForeignKey(blank=True, null=True,
                                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                                    to=settings.AUTH_USER_MODEL, verbose_name="操作人")),
                        ("product", models.ForeignKey(blank=True, null=True,
                                                      on_delete=django.db.models.deletion.PROTECT,
                                                      related_name="audit_entries", to="products.product",
                                                      verbose_name="产品")),
                    ],
                    options={"verbose_name": "审计记录", "verbose_name_plural": "审计记录", "ordering": ["-id"],
                             "db_table": "lifecycle_auditentry"},
                ),
            ],
            database_operations=[],
        ),
    ]
