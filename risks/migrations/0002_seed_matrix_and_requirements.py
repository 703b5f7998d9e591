from django.db import migrations


def seed(apps, schema_editor):
    from risks.defaults import seed_defaults

    seed_defaults(apps.get_model("risks", "RiskLevelMatrix"), apps.get_model("risks", "RiskCategoryRequirement"))


class Migration(migrations.Migration):
    dependencies = [("risks", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
