"""Seeded defaults: the aftercare task templates and a notice period per product category."""

# code, title, English title, anchor, days after the anchor
TASK_TEMPLATES = [
    ("notify_customers", "通知客户（通知日前完成）", "Notify customers by the notice date",
     "notice_date", 0),
    ("migrate_holders", "将持有客户迁移至承接产品", "Migrate holders to the successor", "close_date", 0),
    ("settle_balances", "结清余额与利息", "Settle balances and interest", "close_date", 7),
    ("close_accounts", "关闭账户", "Close accounts", "close_date", 14),
    ("archive_documents", "归档产品资料", "Archive documents", "close_date", 30),
    ("monitor_complaints", "关闭后 3 个月内监测投诉", "Monitor complaints for 3 months after closing",
     "close_date", 90),
]
NOTICE_DAYS = {"deposit": 30, "loan": 30, "credit_card": 45, "wealth": 30, "payment": 30, "other": 30}


def seed_defaults(template_model, policy_model) -> None:
    """Create the defaults that are missing; rows an admin changed are left alone (idempotent)."""
    for position, (code, title, title_en, anchor, days) in enumerate(TASK_TEMPLATES):
        template_model.objects.get_or_create(code=code, defaults={
            "title": title, "title_en": title_en, "anchor": anchor, "offset_days": days, "position": position})
    for category, days in NOTICE_DAYS.items():
        policy_model.objects.get_or_create(category=category, defaults={"notice_days": days})
