"""Admin: the level matrix and the launch requirements are editable (audited, through the service); the register
itself is read-only here — risks change through the pages and the API, which apply the rules."""
from django.contrib import admin

from core.admin import AuditedPolicyAdmin, ReadOnlyAdmin, ReadOnlyInline

from . import services
from .models import Risk, RiskAssessment, RiskCategoryRequirement, RiskControl, RiskLevelMatrix


class RiskPolicyAdmin(AuditedPolicyAdmin):
    save_service, delete_service = services.risk_policy_save, services.risk_policy_delete


@admin.register(RiskLevelMatrix)
class RiskLevelMatrixAdmin(RiskPolicyAdmin):
    list_display = ["likelihood", "impact", "level"]
    list_filter = ["level", "likelihood"]


@admin.register(RiskCategoryRequirement)
class RiskCategoryRequirementAdmin(RiskPolicyAdmin):
    list_display = ["product_category", "risk_category", "is_active"]
    list_filter = ["product_category", "risk_category", "is_active"]


class ControlInline(ReadOnlyInline):
    model = RiskControl
    fields = ["description", "type", "owner"]


class AssessmentInline(ReadOnlyInline):
    model = RiskAssessment
    fields = ["kind", "inherent_score", "residual_score", "residual_level", "comment", "assessed_by", "assessed_at"]


@admin.register(Risk)
class RiskAdmin(ReadOnlyAdmin):
    list_display = ["title", "product", "category", "inherent_level", "residual_level", "status", "owner",
                    "review_due"]
    list_filter = ["category", "residual_level", "status"]
    search_fields = ["title", "product__code"]
    inlines = [ControlInline, AssessmentInline]
