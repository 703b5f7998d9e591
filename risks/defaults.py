"""Seeded policy data: the default level matrix and the categories each product category must cover."""
from .choices import RiskCategory, default_level

DEFAULT_REQUIREMENTS = [
    ("loan", RiskCategory.CREDIT),
    ("credit_card", RiskCategory.CREDIT),
    ("wealth", RiskCategory.MARKET),
    ("wealth", RiskCategory.LIQUIDITY),
    ("", RiskCategory.OPERATIONAL),
    ("", RiskCategory.COMPLIANCE),
]


def seed_defaults(matrix_model, requirement_model) -> None:
    """Create the missing default rows (idempotent; never overwrites an administrator's edits)."""
    existing = set(matrix_model.objects.values_list("likelihood", "impact"))
    matrix_model.objects.bulk_create(
        matrix_model(likelihood=likelihood, impact=impact, level=default_level(likelihood * impact))
        for likelihood in range(1, 6) for impact in range(1, 6) if (likelihood, impact) not in existing)
    present = set(requirement_model.objects.values_list("product_category", "risk_category"))
    requirement_model.objects.bulk_create(
        requirement_model(product_category=product, risk_category=str(risk))
        for product, risk in DEFAULT_REQUIREMENTS if (product, str(risk)) not in present)
