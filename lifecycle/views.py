"""Pages: the manager overview, the product history, and the POST endpoints behind the product page's stage-gate
panel (the reviewer queue and decisions are approvals.views)."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from approvals.exceptions import GateConflict
from bankpm.documents import download_response
from bankpm.exports import CONTENT_TYPES, export_response
from bankpm.views import FilteredListView
from core.errors import DomainConflict, error_messages
from core.models import AuditEntry
from core.pages import flash_error
from core.roles import audit_product_can_read
from products import selectors as product_selectors
from products.models import Product

from . import selectors, services, waivers
from .filtersets import AuditEntryFilterSet
from .forms import DeliverableForm, GateSubmitForm
from .models import Deliverable
from .templatetags.lifecycle_tags import gate_review_context


class MyProductsView(LoginRequiredMixin, ListView):
    """A product manager's products with open reviews and overdue deliverables."""

    template_name = "lifecycle/my_products.html"
    context_object_name = "products"
    paginate_by = 25

    def get_queryset(self):
        return selectors.products_managed_by(user=self.request.user)


class GateSubmitView(LoginRequiredMixin, View):
    """Submit the product's gate review (next stage, or a target such as cancellation)."""

    def post(self, request, pk):
        product = get_object_or_404(Product, pk=pk)
        form = GateSubmitForm(request.POST)
        form.is_valid()
        try:
            services.gate_review_submit(product=product, user=request.user,
                                        to_stage=form.cleaned_data.get("to_stage") or None,
                                        response=form.cleaned_data.get("response") or "")
        except (ValidationError, GateConflict) as error:
            flash_error(request, error)
        else:
            messages.success(request, _("阶段评审已提交，审批部门已收到通知。"))
        return redirect(product)


class DeliverableUpdateView(LoginRequiredMixin, View):
    """Tick, waive or reopen a deliverable; htmx gets the updated row back, others a redirect."""

    def post(self, request, pk):
        deliverable = get_object_or_404(Deliverable.objects.select_related("product"), pk=pk)
        form = DeliverableForm(request.POST, request.FILES)
        error = None
        if form.is_valid():
            data = form.cleaned_data
            try:
                deliverable = services.deliverable_update(
                    user=request.user, deliverable=deliverable, status=data["status"], reason=data["reason"],
                    # The attach form posts `link` (empty clears it); the status buttons do not send it.
                    link=data["link"] if "link" in request.POST else None, attachment=data["attachment"])
            except (ValidationError, DomainConflict) as exc:
                error = " ".join(error_messages(exc))
        else:
            error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return _deliverable_answer(request, deliverable, error)


class DeliverableWaiverDecideView(LoginRequiredMixin, View):
    """Approve or refuse a required item's waiver; htmx gets the updated row back, others a redirect."""

    def post(self, request, pk):
        deliverable = get_object_or_404(Deliverable.objects.select_related("product"), pk=pk)
        error = None
        try:
            deliverable = waivers.deliverable_waiver_decide(
                user=request.user, deliverable=deliverable, decision=request.POST.get("decision", ""),
                comment=request.POST.get("comment", ""))
        except (ValidationError, DomainConflict, PermissionDenied) as exc:
            error = " ".join(error_messages(exc)) if not isinstance(exc, PermissionDenied) else str(exc)
        return _deliverable_answer(request, deliverable, error)


def _deliverable_answer(request, deliverable, error):
    """htmx gets the item's row again (with the error, if any); a plain post goes back to the product page."""
    if request.htmx:
        item = selectors.deliverable_list().get(pk=deliverable.pk)
        response = render(request, "lifecycle/_deliverable_row.html", {
            "item": item, "row_error": error,
            "can_edit": services.deliverable_can_edit(user=request.user, deliverable=item),
            "can_reopen": services.deliverable_can_reopen(product=item.product)})
        # The gate review card listens for this and reloads (its warning and submit button follow the list).
        response["HX-Trigger"] = "deliverables-changed"
        return response
    if error:
        messages.error(request, error)
    return redirect(deliverable.product)


class DeliverableAttachmentView(LoginRequiredMixin, View):
    """A deliverable's attachment, to whoever may read its product, always as a download."""

    raise_exception = True

    def get(self, request, pk):
        deliverable = get_object_or_404(Deliverable.objects.select_related("product"), pk=pk)
        readable = product_selectors.product_readable(user=request.user, product=deliverable.product)
        if not deliverable.attachment or not readable:
            raise Http404
        return download_response(deliverable.attachment)


class GateReviewCardView(LoginRequiredMixin, View):
    """The product page's gate review card alone, reloaded by htmx after the checklist changes."""

    def get(self, request, pk):
        product = get_object_or_404(Product, pk=pk)
        if not product_selectors.product_readable(user=request.user, product=product):
            raise Http404
        deliverables = list(selectors.product_deliverables(product=product))
        return render(request, "lifecycle/_gate_review.html",
                      gate_review_context(user=request.user, product=product, deliverables=deliverables))


HISTORY_EXPORT_HEADERS = [gettext_lazy("编号"), gettext_lazy("时间"), gettext_lazy("操作人"), gettext_lazy("操作"),
                          gettext_lazy("变更前"), gettext_lazy("变更后"), gettext_lazy("说明"), gettext_lazy("哈希")]


class ProductHistoryView(FilteredListView):
    """The product's audit timeline, filterable; `?export=csv` (or xlsx) downloads the filtered entries."""

    model = AuditEntry
    filterset_class = AuditEntryFilterSet
    template_name = "lifecycle/product_history.html"
    paginate_by = 50

    def dispatch(self, request, *args, **kwargs):
        self.product = get_object_or_404(Product, pk=kwargs["pk"])
        if request.user.is_authenticated and not audit_product_can_read(user=request.user, product=self.product):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return selectors.product_history(product=self.product, user=self.request.user).order_by("-id")

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("export")
        if file_format in CONTENT_TYPES:
            rows = selectors.history_export_rows(self.get_queryset())
            return export_response(headers=HISTORY_EXPORT_HEADERS, rows=rows, filename=f"{self.product.code}-history",
                                   file_format=file_format)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "product": self.product}
