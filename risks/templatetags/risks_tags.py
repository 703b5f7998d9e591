from django import template

from .. import selectors, services
from ..charts import heatmap_payload

register = template.Library()


@register.inclusion_tag("risks/_product_summary.html", takes_context=True)
def risk_product_summary(context, product):
    """The product page's register section: both heatmaps, the top residual risks, what the launch gate lacks."""
    from django.http import QueryDict
    from django.urls import reverse

    from ..gate import launch_problems

    request, user = context["request"], context["user"]
    queryset = selectors.risk_base().filter(product=product)
    register_url = reverse("risks:product", args=[product.pk])
    return {
        "product": product, "request": request, "user": user,
        "heatmaps": heatmap_payload(queryset=queryset, base_url=register_url, query=QueryDict()),
        "top_risks": list(selectors.risk_list().filter(product=product, status__in=["open", "pending_acceptance",
                                                                                 "accepted", "needs_review"])[:5]),
        "counts": queryset.count(),
        "launch_problems": launch_problems(product=product) if product.stage == "development" else [],
        "can_add": services.risk_can_edit(user=user, product=product),
    }


@register.inclusion_tag("risks/_dashboard_summary.html")
def risk_dashboard_card():
    """Counts for the dashboard card, in one aggregate query."""
    return {"counts": selectors.portfolio_counts()}
