from django.db import migrations


def seed(apps, schema_editor):
    from exits.defaults import seed_defaults

    seed_defaults(apps.get_model("exits", "ExitTaskTemplate"), apps.get_model("exits", "ExitNoticePolicy"))


class Migration(migrations.Migration):
    dependencies = [("exits", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
