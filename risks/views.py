"""Register pages: portfolio and per-product registers (one FilterSet with the API), risk form and detail."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView

from bankpm.exports import CONTENT_TYPES, export_response
from bankpm.views import FilteredListView
from core.errors import DOMAIN_ERRORS
from core.pages import ServiceFormView, flash_error
from products.models import Product

from . import selectors, services
from .charts import assessment_trend, heatmap_payload
from .filtersets import RiskFilterSet
from .forms import CloseForm, CommentForm, ControlFormSet, ReviewForm, RiskForm, controls_from
from .models import Risk

EXPORT_HEADERS = [
    gettext_lazy("产品代码"), gettext_lazy("风险名称"), gettext_lazy("风险类别"),
    gettext_lazy("风险来源"), gettext_lazy("评估方法"), gettext_lazy("可能性"),
    gettext_lazy("影响程度"), gettext_lazy("固有风险分值"), gettext_lazy("固有风险等级"),
    gettext_lazy("应对策略"), gettext_lazy("转移工具"), gettext_lazy("控制措施"),
    gettext_lazy("剩余可能性"), gettext_lazy("剩余影响程度"), gettext_lazy("剩余风险分值"),
    gettext_lazy("剩余风险等级"), gettext_lazy("状态"), gettext_lazy("风险负责人"),
    gettext_lazy("下次评估日期"), gettext_lazy("评估逾期"), gettext_lazy("监测指标"),
]


def export_rows(queryset):
    for r in queryset:
        yield (r.product.code, r.title, r.get_category_display(), r.get_source_display(), r.get_method_display(),
               r.likelihood, r.impact, r.inherent_score, r.get_inherent_level_display(), r.get_response_display(),
               r.transfer_instrument, "; ".join(c.description for c in r.controls.all()), r.residual_likelihood,
               r.residual_impact, r.residual_score, r.get_residual_level_display(), r.get_status_display(),
               str(r.owner), r.review_due.isoformat(), _("是") if r.overdue else _("否"),
               r.metric.code if r.metric else "")


class RiskListView(FilteredListView):
    """The portfolio register: heatmaps across all products with the same filters, top residual risks, overdue
    reviews, and the table (CSV/XLSX export of what it shows)."""

    model = Risk
    filterset_class = RiskFilterSet
    template_name = "risks/portfolio.html"
    product = None

    def get_base_queryset(self):
        queryset = selectors.risk_list()
        return queryset.filter(product=self.product) if self.product else queryset

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("export")
        if file_format in CONTENT_TYPES:
            name = f"risks-{self.product.code}" if self.product else "risks"
            return export_response(headers=EXPORT_HEADERS, rows=export_rows(self.get_queryset()), filename=name,
                                   file_format=file_format)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filtered = self.object_list
        context.update(product=self.product, heatmaps=heatmap_payload(queryset=filtered, base_url=self.request.path,
                                                                      query=self.request.GET),
                       top_risks=selectors.top_residual(queryset=filtered),
                       overdue=selectors.overdue_reviews(queryset=filtered),
                       can_add=bool(self.product) and services.risk_can_edit(user=self.request.user,
                                                                             product=self.product))
        return context


class ProductRiskListView(RiskListView):
    """One product's register (the same page, its product fixed)."""

    template_name = "risks/register.html"

    def dispatch(self, request, *args, **kwargs):
        self.product = get_object_or_404(Product, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class RiskFormView(ServiceFormView):
    """Register a risk on a product (no pk) or edit one; controls are rows of a formset."""

    template_name = "risks/risk_form.html"
    form_class = RiskForm
    can_service = services.risk_can_edit
    denied_message = gettext_lazy("您无权维护该产品的风险登记。")
    risk = None
    formset = None

    def load(self, **kwargs):
        if "risk_pk" in kwargs:
            self.risk = get_object_or_404(Risk.objects.select_related("product"), pk=kwargs["risk_pk"])
            self.product = self.risk.product
        else:
            self.product = get_object_or_404(Product, pk=kwargs["pk"])

    def permission_kwargs(self):
        return {"product": self.product, "risk": self.risk}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.risk}

    def get_context_data(self, **kwargs):
        if self.formset is None:
            initial = [{"description": c.description, "type": c.type, "owner": c.owner_id}
                       for c in self.risk.controls.all()] if self.risk else []
            self.formset = ControlFormSet(initial=initial, prefix="controls")
        return {**super().get_context_data(**kwargs), "formset": self.formset, "product": self.product,
                "risk": self.risk}

    def bind_companions(self):
        self.formset = ControlFormSet(self.request.POST, prefix="controls")
        return [self.formset]

    def save(self, form):
        data = {name: form.cleaned_data.get(name) for name in services.EDITABLE_FIELDS}
        for name in ("residual_likelihood", "residual_impact"):
            if data[name] is None:
                data.pop(name) if not self.risk else data.update({name: getattr(self.risk, name)})
        user, controls = self.request.user, controls_from(self.formset)
        if self.risk:
            return services.risk_update(user=user, risk=self.risk, data=data, controls=controls)
        return services.risk_create(user=user, product=self.product, data=data, controls=controls)

    def get_success_message(self, saved, *, created: bool) -> str:
        return _("风险「%(title)s」已保存。") % {"title": saved.title}


class RiskDetailView(LoginRequiredMixin, DetailView):
    template_name = "risks/risk_detail.html"
    context_object_name = "risk"

    def get_queryset(self):
        return selectors.risk_list()

    def get_context_data(self, **kwargs):
        risk, user = self.object, self.request.user
        assessments = list(selectors.risk_assessments(risk=risk))
        return {**super().get_context_data(**kwargs), "assessments": assessments,
                "trend": assessment_trend(assessments=assessments),
                "can_edit": risk.status != "closed" and services.risk_can_edit(user=user, product=risk.product,
                                                                               risk=risk),
                "can_accept": risk.status == "pending_acceptance" and services.risk_can_accept(user=user, risk=risk),
                "acceptance_reviews": list(selectors.acceptance_reviews(risk=risk)[:5]),
                "review_form": kwargs.get("review_form") or ReviewForm(initial={
                    "likelihood": risk.likelihood, "impact": risk.impact,
                    "residual_likelihood": risk.residual_likelihood, "residual_impact": risk.residual_impact}),
                "comment_form": CommentForm(auto_id="accept_%s"), "close_form": CloseForm(auto_id="close_%s")}


class RiskActionView(LoginRequiredMixin, View):
    """POST a re-assessment, an acceptance or a closure; errors come back as messages on the detail page."""

    action = ""

    def post(self, request, pk):
        risk = get_object_or_404(Risk.objects.select_related("product"), pk=pk)
        try:
            self.perform(request, risk)
        except DOMAIN_ERRORS as error:
            flash_error(request, error)
        return redirect(risk)

    def perform(self, request, risk):
        comment = request.POST.get("comment", "")
        if self.action == "accept":
            services.risk_accept(user=request.user, risk=risk, comment=comment)
            messages.success(request, _("已接受该剩余风险。"))
        elif self.action == "close":
            services.risk_close(user=request.user, risk=risk, reason=request.POST.get("reason", ""))
            messages.success(request, _("风险已关闭。"))
        else:
            form = ReviewForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors)
            services.risk_review(user=request.user, risk=risk, **form.cleaned_data)
            messages.success(request, _("重新评估已记录。"))
