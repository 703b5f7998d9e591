from django.db import migrations

CHANNELS = ["branch", "online_banking", "mobile_banking", "partner"]


def create_channels(apps, schema_editor):
    SalesChannel = apps.get_model("products", "SalesChannel")
    for code in CHANNELS:
        SalesChannel.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("products", "0001_initial")]
    operations = [migrations.RunPython(create_channels, migrations.RunPython.noop)]
