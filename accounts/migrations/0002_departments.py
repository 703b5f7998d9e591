from django.db import migrations

DEPARTMENTS = [
    ("risk", "风险管理部", "Risk Management"),
    ("compliance", "合规部", "Compliance"),
    ("finance", "财务部", "Finance"),
    ("legal", "法务部", "Legal"),
    ("technology", "信息科技部", "Technology"),
    ("senior_management", "高级管理层", "Senior Management"),
    ("product", "产品部", "Product"),
]


def create_departments(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    for code, name, name_en in DEPARTMENTS:
        Department.objects.update_or_create(code=code, defaults={"name": name, "name_en": name_en})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(create_departments, migrations.RunPython.noop)]
