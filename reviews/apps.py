from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("定期评审")

    def ready(self):
        from approvals.engine import register_hook
        from approvals.snapshot_sections import register_section_template
        from core.audit import register_actions, register_value_labels
        from core.labels import register_field_labels
        from lifecycle.choices import STAGE_GATE
        from products.sections import register_product_section

        from . import processes, services
        from .choices import ReviewAuditAction, ReviewOutcome, ReviewStatus, ReviewTrigger

        register_actions(ReviewAuditAction)
        register_value_labels(ReviewOutcome, ReviewStatus, ReviewTrigger)
        processes.register()
        register_hook(STAGE_GATE, "approved", services.review_cancel_on_stage_move)
        # The pack's sections, each shown by its own template (the review pages, "My reviews" and the PDF).
        for key, template in (("periodic_review", "header"), ("price_value", "price_value"),
                              ("kpi_trend", "kpi_trend"), ("complaints_summary", "complaints"),
                              ("market_fit", "market_fit"), ("open_risks", "risks"), ("open_alerts", "alerts"),
                              ("since_last_review", "since_last")):
            register_section_template(key, f"reviews/snapshot/{template}.html")
        register_field_labels({
            "periodic_review": _("定期评审"), "price_value": _("价格与价值评估"),
            "kpi_trend": _("指标与目标（评估期）"),
            "complaints_summary": _("投诉：类别与根本原因"), "market_fit": _("目标市场匹配"),
            "open_risks": _("未关闭的风险与逾期复核"), "open_alerts": _("未处理的预警"),
            "since_last_review": _("上次评审以来的变更、试点与条件"),
        })
        register_product_section(key="periodic_review", template="reviews/_product_section.html", order=35)
