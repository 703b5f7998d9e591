"""The roadmap page, its XLSX export and the target-date actions (all through the selector and the services)."""
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.errors import DOMAIN_ERRORS
from core.pages import flash_error
from products import selectors as product_selectors
from products.choices import LifecycleStage
from products.filtersets import ProductFilterSet
from products.models import Product

from . import services
from .choices import GroupBy, Zoom
from .exports import roadmap_xlsx_response
from .forms import RoadmapPlanForm, RoadmapWindowForm, period_start, shift
from .models import RoadmapPlan
from .presenters import chart_payload, grouped, json_for_script
from .selectors import roadmap


def roadmap_request(request):
    """(window form, filterset, items or None): one reading of the query string for the page, API and export."""
    form = RoadmapWindowForm(request.GET)
    filterset = ProductFilterSet(request.GET or None, queryset=product_selectors.product_list(), request=request)
    if not form.is_valid() or (filterset.is_bound and not filterset.is_valid()):
        return form, filterset, None
    products = filterset.qs if filterset.is_bound else filterset.queryset
    return form, filterset, roadmap(products=products, window=form.window, today=timezone.localdate())


class RoadmapView(LoginRequiredMixin, View):
    """The portfolio timeline: one row per product, grouped, zoomed to a month, quarter or year."""

    def get(self, request):
        form, filterset, items = roadmap_request(request)
        if items is not None and request.GET.get("export") == "xlsx":
            return roadmap_xlsx_response(items=items, window=form.window, group=form.cleaned_data["group"])
        context = {"form": form, "filterset": filterset, "items": items, "group_choices": GroupBy.choices,
                   "stage_choices": LifecycleStage.choices}
        if items is not None:
            data = form.cleaned_data
            rows = grouped(items, data["group"])
            context.update(
                window=form.window, zoom=data["zoom"], group=data["group"], rows=rows,
                chart=json_for_script(chart_payload(rows=rows, window=form.window, zoom=data["zoom"],
                                                 today=timezone.localdate())),
                previous=_shifted(request, form, -1), following=_shifted(request, form, 1),
                zoom_links=_zoom_links(request, form),
                plans=[(item, plan) for item in items for plan in item["plans"]])
        return render(request, "roadmap/roadmap.html", context)


def _shifted(request, form, periods: int) -> str:
    query = request.GET.copy()
    zoom = form.cleaned_data["zoom"]
    start = shift(form.window.start, zoom, periods)
    query["from"], query["to"] = start.isoformat(), (shift(start, zoom, 1) - timedelta(days=1)).isoformat()
    return query.urlencode()


def _zoom_links(request, form) -> list[tuple[str, str, str]]:
    """(zoom, label, query) for each zoom: the period holding today when today is shown, else the window's start."""
    today, window = timezone.localdate(), form.window
    anchor = today if window.start <= today <= window.end else window.start
    links = []
    for value, label in Zoom.choices:
        query = request.GET.copy()
        query.pop("to", None), query.pop("export", None)
        query["zoom"], query["from"] = value, period_start(anchor, value).isoformat()
        links.append((value, label, query.urlencode()))
    return links


class RoadmapPlanSetView(LoginRequiredMixin, View):
    """POST: set a target date of the product's next stage or version (the service checks and audits)."""

    def post(self, request, pk):
        product = get_object_or_404(Product, pk=pk)
        form = RoadmapPlanForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
            return redirect(product.get_absolute_url() + "#roadmap-plans")
        data = form.cleaned_data
        try:
            services.roadmap_plan_set(user=request.user, product=product, target_date=data["target_date"],
                                      comment=data["comment"], **data["target"])
        except DOMAIN_ERRORS as error:
            if isinstance(error, PermissionDenied):
                raise
            flash_error(request, error)
        else:
            messages.success(request, _("计划日期已保存。"))
        return redirect(product.get_absolute_url() + "#roadmap-plans")


class RoadmapPlanClearView(LoginRequiredMixin, View):
    """POST: remove a target date."""

    def post(self, request, pk):
        plan = get_object_or_404(RoadmapPlan, pk=pk)
        services.roadmap_plan_clear(user=request.user, plan=plan, comment=request.POST.get("comment", "")[:500])
        messages.success(request, _("计划日期已取消。"))
        return redirect(plan.product.get_absolute_url() + "#roadmap-plans")
