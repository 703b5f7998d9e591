"""Derived metrics carry their formula as data: profit and margin get theirs; an admin can add more."""
from django.db import migrations, models

FORMULAS = {"profit": "revenue - cost", "margin": "(revenue - cost) * 100 / revenue"}


def fill_formulas(apps, schema_editor):
    Metric = apps.get_model("kpis", "Metric")
    for code, formula in FORMULAS.items():
        Metric.objects.filter(code=code, aggregation="derived", formula="").update(formula=formula)


class Migration(migrations.Migration):
    dependencies = [("kpis", "0004_observation_composite_key_partitioned")]

    operations = [
        migrations.AddField(
            model_name="metric", name="formula",
            field=models.CharField(
                blank=True, max_length=200, verbose_name="计算公式",
                help_text="派生指标的公式：其他指标代码、数字、+ − × ÷ 和括号，如 (revenue - cost) * 100 / revenue。"
                          "除数为 0 时结果为空。"),
        ),
        migrations.RunPython(fill_formulas, migrations.RunPython.noop),
    ]
