"""Checklists were created when a product page was first read; now they are created with the product, on each
stage change and when a template is saved. Products that were never read get their current stage's items here."""
import datetime

from django.db import migrations


def create_missing_checklists(apps, schema_editor):
    Product = apps.get_model("products", "Product")
    Deliverable = apps.get_model("lifecycle", "Deliverable")
    DeliverableTemplate = apps.get_model("lifecycle", "DeliverableTemplate")
    today = datetime.date.today()
    templates = list(DeliverableTemplate.objects.filter(is_active=True))
    have = set(Deliverable.objects.exclude(template=None).values_list("product_id", "template_id"))
    rows = [
        Deliverable(product_id=pk, stage=stage, template_id=t.pk, title=t.title, title_en=t.title_en,
                    required=t.required, owner_id=owner, due_date=today + datetime.timedelta(days=t.due_in_days))
        for pk, stage, owner in Product.objects.values_list("pk", "stage", "owner_id")
        for t in templates if t.stage == stage and (pk, t.pk) not in have
    ]
    Deliverable.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("lifecycle", "0004_review_process_subject_snapshot_policy_phases")]

    operations = [migrations.RunPython(create_missing_checklists, migrations.RunPython.noop)]
