"""A product's terms: what is sold (pricing, yield range, risk rating, segment, channels), as reviewers see them.

Features are free-text items (cashback categories, a credit-limit cap); the target and excluded markets say
who the product is and is not for (EBA product-governance guidelines), the excluded segments in codes that the
target-market monitoring checks sales against (kpis.target_market): frozen after launch and changed through a
change's terms version like every other term.
Names, descriptions and the owner are not terms. Reviews snapshot these values at submission.
"""
from core.audit import audit_value

TERM_FIELDS = ("interest_rate", "fee", "fee_terms", "expected_yield_min", "expected_yield_max", "risk_rating",
               "customer_segment", "sales_channels", "features", "target_market", "excluded_market",
               "excluded_segments")
# Terms held as JSON lists of texts (sales channels are a relation, handled apart).
LIST_TERMS = ("features", "excluded_segments")


def product_terms(*, product) -> dict:
    """The product's current terms as JSON-safe values (channels as sorted codes)."""
    terms = {name: audit_value(getattr(product, name)) for name in TERM_FIELDS if name != "sales_channels"}
    terms["sales_channels"] = sorted(product.sales_channels.values_list("code", flat=True))
    return terms
