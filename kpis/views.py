"""KPI pages: portfolio dashboard, product KPI page, alerts, scorecards and the upload page."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts.permissions import ProductEditorRequiredMixin
from bankpm.views import FilteredListView, card_messages
from core.pages import upload_row_errors
from products.models import Product

from . import breakdowns, exports, selectors, services
from .charts import product_charts
from .choices import ALERT_COMMENT_MAX_LENGTH, ObservationSource
from .filtersets import AlertFilterSet
from .forms import UPLOAD_TITLES, ObservationUploadForm
from .hooks import dashboard_cards
from .models import Alert
from .periods import parse_period, period_containing


class DashboardView(LoginRequiredMixin, TemplateView):
    """The portfolio at a glance; heads of product and admins can recompute the current month."""

    template_name = "kpis/dashboard.html"

    def get_context_data(self, **kwargs):
        data = selectors.portfolio_dashboard()
        charts = {
            "stages": [{"name": str(stage.label), "value": n} for stage, n in data["stage_counts"] if n],
            "categories": [{"name": str(_label(c)), "value": n} for c, n in data["category_counts"]],
        }
        breakdown = breakdowns.portfolio_breakdown(dimension=self.request.GET.get("dimension"))
        return {**super().get_context_data(**kwargs), **data, "charts": charts, "breakdown": breakdown,
                "product_total": sum(n for _stage, n in data["stage_counts"]),
                "can_compute": services.kpi_can_compute(user=self.request.user),
                "dashboard_cards": dashboard_cards()}

    def post(self, request):
        period = period_containing(timezone.localdate(), "month")
        task_id = services.kpi_compute_request(user=request.user, period=period.label, granularity="month")
        messages.success(request, _("已提交 %(period)s 的指标计算任务（%(task)s）。") % {
            "period": period.label, "task": task_id[:8]})
        return redirect("kpis:dashboard")


def _label(category):
    from products.choices import ProductCategory

    return ProductCategory(category).label if category in ProductCategory.values else category


class ProductKpiView(LoginRequiredMixin, TemplateView):
    """A product's metrics over 24 months: a chart per metric with its target, the table beside, exports."""

    template_name = "kpis/product_kpis.html"

    def get(self, request, *args, **kwargs):
        self.product = get_object_or_404(Product.objects.select_related("owner"), pk=kwargs["pk"])
        self.data = selectors.product_series(product=self.product)
        self.breakdown = breakdowns.product_breakdown(product=self.product, dimension=request.GET.get("dimension"),
                                                      metric_code=request.GET.get("metric"))
        fmt = request.GET.get("export")
        if fmt in ("csv", "xlsx") and request.GET.get("dimension"):
            return exports.breakdown_response(self.breakdown["snapshots"], dimension=self.breakdown["dimension"],
                                              filename=f"kpi-{self.product.code}-{self.breakdown['dimension']}",
                                              fmt=fmt)
        if fmt in ("csv", "xlsx"):
            return exports.snapshots_response(self.data["snapshots"], filename=f"kpi-{self.product.code}", fmt=fmt)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        charts = product_charts(self.data["series"])
        # One block per metric (in its usual order), newest month first within it.
        rows = sorted(self.data["snapshots"], key=lambda s: (s.metric.display_order, s.metric.code,
                                                             -s.period_start.toordinal()))
        # Series names reach the script through json_script, escaped whatever the translation holds.
        labels = {"target": _("目标"), "value": _("实际")}
        return {**super().get_context_data(**kwargs), "product": self.product, **self.data,
                "charts": charts, "chart_labels": labels, "table_rows": rows, "breakdown": self.breakdown}


class AlertListView(FilteredListView):
    model = Alert
    filterset_class = AlertFilterSet
    template_name = "kpis/alert_list.html"

    def get_base_queryset(self):
        return selectors.alert_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        for alert in context["object_list"]:
            alert.can_handle = services.alert_can_handle(user=user, alert=alert)
        return {**context, "comment_max_length": ALERT_COMMENT_MAX_LENGTH, "card_messages": card_messages(self.request)}


class AlertActionView(LoginRequiredMixin, View):
    """POST acknowledge or resolve; the service checks who may and in which state."""

    actions = {"acknowledge": services.alert_acknowledge, "resolve": services.alert_resolve}

    def post(self, request, pk, action):
        service = self.actions.get(action)
        if service is None:
            raise Http404
        alert = get_object_or_404(selectors.alert_list(), pk=pk)
        card = f"card-{alert.pk}"  # refusals are shown on the alert's own row, not as a banner over the list
        try:
            service(user=request.user, alert=alert, comment=request.POST.get("comment", ""))
            messages.success(request, _("预警已更新。"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages), extra_tags=card)
        except services.StateConflict as error:
            messages.warning(request, str(error), extra_tags=card)
        return redirect(_safe_next(request) or "kpis:alert-list")


def _safe_next(request) -> str | None:
    """Only a page of this site: an unchecked `next` would let a crafted form send people elsewhere."""
    target = request.POST.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return None


class ScorecardView(LoginRequiredMixin, TemplateView):
    """Quarterly product manager scorecard, ranked."""

    template_name = "kpis/scorecards.html"

    def get_context_data(self, **kwargs):
        text = self.request.GET.get("quarter")
        try:
            quarter = parse_period(text, "quarter") if text else selectors.default_scorecard_quarter()
        except ValidationError as error:
            quarter = selectors.default_scorecard_quarter()
            messages.error(self.request, " ".join(error.messages))
        cards = selectors.scorecards(user=self.request.user, quarter=quarter)
        recent = [quarter]
        for _step in range(3):
            recent.insert(0, recent[0].previous())
        return {**super().get_context_data(**kwargs), "cards": cards, "quarter": quarter, "quarters": recent,
                "see_all": selectors.scorecard_can_view_all(self.request.user)}


class ObservationUploadView(ProductEditorRequiredMixin, FormView):
    """CSV/XLSX upload with a dry run; errors per row, all-or-nothing."""

    template_name = "kpis/upload.html"
    form_class = ObservationUploadForm
    raise_exception = True

    def form_valid(self, form):
        try:
            result = services.observations_ingest(user=self.request.user, items=form.cleaned_data["file"],
                                                  source=ObservationSource.UPLOAD, dry_run=form.cleaned_data["dry_run"])
        except services.BulkValidationError as error:
            return self.render_to_response(self.get_context_data(form=form, **upload_row_errors(error, UPLOAD_TITLES)))
        except ValidationError as error:
            form.add_error("file", error.messages)
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=form, result=result,
                                                             kept=form.cleaned_data.get("kept")))
