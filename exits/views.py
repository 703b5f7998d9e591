"""Exit pages: the portfolio of products in exit, the plan form, the progress upload and task actions."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from core.errors import DOMAIN_ERRORS, BulkValidationError, DomainConflict
from core.pages import ServiceFormView, flash_error, upload_row_errors
from products.models import Product

from . import selectors, services
from .forms import UPLOAD_TITLES, ExitPlanForm, ProgressUploadForm


class ExitPortfolioView(LoginRequiredMixin, TemplateView):
    """Products in exit: customers remaining and days to the close date."""

    template_name = "exits/portfolio.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "products": selectors.exit_portfolio()}


class ExitPageView(ServiceFormView):
    """Pages that write a product's exit data: only those who may edit the product (the service re-checks)."""

    can_service = services.exit_plan_can_edit
    denied_message = gettext_lazy("您无权编辑该产品的退出计划。")

    def load(self, **kwargs):
        self.product = get_object_or_404(Product.objects.select_related("owner"), pk=kwargs["pk"])

    def permission_kwargs(self):
        return {"product": self.product}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "product": self.product}


class ExitPlanFormView(ExitPageView):
    form_class = ExitPlanForm
    template_name = "exits/plan_form.html"

    @property
    def success_message(self):
        return _("退出计划已保存。")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "product": self.product}

    def get_initial(self):
        return ExitPlanForm.initial_for(services.exit_plan_of(self.product))

    def save(self, form):
        return services.exit_plan_save(user=self.request.user, product=self.product, data=form.to_plan_input())

    def get_success_url_for(self, saved) -> str:
        return f"{self.product.get_absolute_url()}#exit-runbook"


class ProgressUploadView(ExitPageView):
    """CSV/XLSX upload of migration progress with a dry run; errors per row, all-or-nothing."""

    form_class = ProgressUploadForm
    template_name = "exits/progress_upload.html"

    def form_valid(self, form):
        try:
            result = services.exit_progress_record(user=self.request.user, product=self.product,
                                                   items=form.cleaned_data["file"],
                                                   dry_run=form.cleaned_data["dry_run"])
        except BulkValidationError as error:
            return self.render_to_response(self.get_context_data(form=form, **upload_row_errors(error, UPLOAD_TITLES)))
        except (ValidationError, DomainConflict) as error:
            return self.service_refused(form, error, field="file")  # no rows, a wrong header: the file's error
        return self.render_to_response(self.get_context_data(form=form, result=result,
                                                             kept=form.cleaned_data.get("kept")))


class ExitTaskActionView(LoginRequiredMixin, View):
    """POST done or waived (with a reason) for one aftercare task; the service checks who may and when."""

    def post(self, request, pk):
        task = get_object_or_404(selectors.task_list(), pk=pk)
        try:
            services.exit_task_update(user=request.user, task=task, status=request.POST.get("status", ""),
                                      reason=request.POST.get("reason", ""))
            messages.success(request, _("善后任务已更新。"))
        except DOMAIN_ERRORS as error:
            flash_error(request, error)
        return redirect(f"{task.plan.product.get_absolute_url()}#exit-tasks")


