"""Seed the bank's KPI definitions (editable afterwards by admins; existing rows are left alone)."""
from django.db import migrations

# code, name, English name, unit, direction, family, aggregation, key KPI, scorecard weight
METRICS = [
    ("active_customers", "活跃客户数", "Active customers", "户", "higher", "growth", "last", True, 2),
    ("new_customers", "新增客户数", "New customers", "户", "higher", "growth", "sum", False, 0),
    ("balance", "业务余额", "Balance", "万元", "higher", "growth", "last", False, 0),
    ("sales_volume", "销售量", "Sales volume", "笔", "higher", "growth", "sum", False, 0),
    ("revenue", "营业收入", "Revenue", "万元", "higher", "profitability", "sum", True, 3),
    ("cost", "成本", "Cost", "万元", "lower", "profitability", "sum", False, 0),
    ("profit", "利润", "Profit", "万元", "higher", "profitability", "derived", False, 0),
    ("margin", "利润率", "Margin", "%", "higher", "profitability", "derived", True, 2),
    ("csat", "客户满意度", "Customer satisfaction", "分", "higher", "satisfaction", "avg", True, 2),
    ("nps", "净推荐值", "Net promoter score", "分", "higher", "satisfaction", "avg", False, 0),
    ("complaints", "客户投诉数", "Complaints", "件", "lower", "risk", "sum", True, 1),
    ("default_rate", "不良率", "Default rate", "%", "lower", "risk", "avg", True, 2),
    ("market_share", "市场份额", "Market share", "%", "higher", "market_share", "last", True, 1),
    ("retention_rate", "客户留存率", "Retention rate", "%", "higher", "loyalty", "last", False, 1),
    ("requirements_delivered", "需求交付数", "Requirements delivered", "项", "higher", "innovation", "sum", False, 0),
]


def seed(apps, schema_editor):
    Metric = apps.get_model("kpis", "Metric")
    for order, (code, name, name_en, unit, direction, family, aggregation, key, weight) in enumerate(METRICS):
        Metric.objects.get_or_create(code=code, defaults={
            "name": name, "name_en": name_en, "unit": unit, "direction": direction, "family": family,
            "aggregation": aggregation, "is_key": key, "scorecard_weight": weight, "display_order": order * 10,
        })


class Migration(migrations.Migration):
    dependencies = [("kpis", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
