

from django.db import migrations, models


# Existing entries keep their plain SHA-256 hashes (keyed=false; adding the column updates no row, so the append-only
# triggers never fire): they verify as before, and every entry written from now on is keyed. Old checkpoints stay
# unsigned; verification refuses an unkeyed entry or unsigned checkpoint after a keyed or signed one.


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0007_audit_verification_runs'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditcheckpoint',
            name='signature',
            field=models.CharField(blank=True, max_length=64, verbose_name='签名'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='keyed',
            field=models.BooleanField(default=False, verbose_name='密钥签名'),
        ),
    ]
