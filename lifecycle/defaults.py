"""Seeded defaults: deliverable templates per stage and the gate policy (used by the data migration and demo)."""
from .choices import STAGE_GATE

TEMPLATES = [
    # stage, title, English title, due in days
    ("planning", "市场调研报告", "Market research report", 30),
    ("planning", "产品策略与目标", "Product strategy and targets", 30),
    ("development", "产品设计方案", "Product design", 45),
    ("development", "风险评估报告", "Risk assessment", 45),
    ("development", "合规审查（反洗钱、客户身份识别、数据保护）", "Compliance review (AML, KYC, data protection)", 45),
    ("development", "系统测试报告", "System test report", 60),
    ("marketing", "营销推广方案", "Marketing plan", 30),
    ("marketing", "渠道铺设方案", "Channel plan", 30),
    ("operation", "经营绩效评估", "Performance review", 90),
    ("retirement", "退出决策报告", "Exit decision", 30),
    ("retirement", "客户迁移方案", "Customer migration plan", 45),
    ("retirement", "善后处理方案", "Aftercare plan", 60),
]
# department, target stage ("" = any), category ("" = any), minimum risk rating ("" = any), due working days
POLICY = [
    ("compliance", "", "", "", 3),
    ("risk", "development", "", "", 3),
    ("risk", "marketing", "", "", 3),
    ("finance", "marketing", "", "", 3),
    ("technology", "marketing", "", "", 5),
    ("risk", "retirement", "", "", 3),
    ("finance", "retirement", "", "", 3),
    ("finance", "retired", "", "", 3),
    ("legal", "", "loan", "", 3),
    ("legal", "", "wealth", "R4", 3),
    ("senior_management", "", "", "", 2),
]


def seed_defaults(template_model, policy_model) -> None:
    """Create the defaults that are missing; rows an admin changed are left alone (idempotent)."""
    for position, (stage, title, title_en, days) in enumerate(TEMPLATES):
        template_model.objects.get_or_create(stage=stage, title=title,
                                             defaults={"title_en": title_en, "due_in_days": days, "position": position})
    # Senior management decides last: the second phase. (The 0002 migration's historical model has no phases.)
    has_phases = any(f.name == "phase" for f in policy_model._meta.get_fields())
    for department, stage, category, risk, days in POLICY:
        defaults, lookup = {"due_working_days": days}, {}
        if has_phases:
            senior = department == "senior_management"
            defaults["phase"] = 2 if senior else 1
            # Other processes' rows (e.g. "change") may name the same department: match this row's process only.
            lookup = {"process": "" if senior else STAGE_GATE, "fact": ""}
        policy_model.objects.get_or_create(department=department, target_stage=stage, category=category,
                                           min_risk_rating=risk, **lookup, defaults=defaults)
