"""Pages: reviewer queue, manager overview, and the POST endpoints behind the product page panel."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView

from bankpm.documents import download_response
from bankpm.exports import CONTENT_TYPES, export_response
from bankpm.views import CARD_TAG, FilteredListView, card_messages
from core.errors import DOMAIN_ERRORS, DomainConflict, error_messages
from core.models import AuditEntry
from core.pages import flash_error
from core.roles import audit_product_can_read
from products import selectors as product_selectors
from products.models import Product

from . import conditions, delegations, selectors, services, waivers
from .exceptions import GateConflict
from .filtersets import AuditEntryFilterSet
from .forms import DecisionForm, DeliverableForm, GateSubmitForm
from .models import ApprovalStep, Condition, Deliverable
from .templatetags.lifecycle_tags import gate_review_context


class MyReviewsView(LoginRequiredMixin, ListView):
    """Steps waiting for the signed-in reviewer, overdue first."""

    template_name = "lifecycle/my_reviews.html"
    context_object_name = "steps"
    paginate_by = 25

    def get_queryset(self):
        return selectors.steps_waiting_for(user=self.request.user).prefetch_related(
            "review__steps__decided_by", "review__steps__on_behalf_of")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, today = self.request.user, timezone.localdate()
        delegators = {d.delegator_id: d.delegator for d in delegations.delegations_active(delegate=user)}
        from kpis.selectors import key_statuses_by_product

        key_kpis = key_statuses_by_product(product_ids=[step.review.product_id for step in context["steps"]])
        for step in context["steps"]:
            step.earlier = [s for s in step.review.steps.all() if s.decided_at and s.pk != step.pk]
            step.days_left = (step.due_date - today).days if step.due_date else None
            step.key_kpis = key_kpis.get(step.review.product_id, [])
            # An option, never the default: the reviewer decides as himself unless he ticks "for" his delegator.
            makers = {step.review.submitted_by_id, step.review.product.owner_id}
            step.acting_for = next((d for d in delegators.values()
                                    if step.department in d.department_codes and d.pk not in makers), None)
        return {**context, "card_messages": card_messages(self.request)}


class MyProductsView(LoginRequiredMixin, ListView):
    """A product manager's products with open reviews and overdue deliverables."""

    template_name = "lifecycle/my_products.html"
    context_object_name = "products"
    paginate_by = 25

    def get_queryset(self):
        return selectors.products_managed_by(user=self.request.user)


class StepDecideView(LoginRequiredMixin, View):
    """Approve or reject one step; four-eyes and department refusals are 403 (PermissionDenied)."""

    def post(self, request, pk):
        step = get_object_or_404(ApprovalStep.objects.select_related("review__product"), pk=pk)
        form = DecisionForm(request.POST)
        # A refusal is shown on the step's card when the card is in the queue, otherwise above the list.
        listed = selectors.steps_waiting_for(user=request.user).filter(pk=step.pk).exists()
        card = f"{CARD_TAG}{step.pk}" if listed else ""
        if not form.is_valid():
            messages.error(request, _("请选择同意或驳回。"), extra_tags=card)
            return redirect(f"{reverse('lifecycle:my_reviews')}#step-{step.pk}")
        try:
            services.approval_step_decide(review=step.review, department=step.department, user=request.user,
                                          **form.cleaned_data)
        except (ValidationError, GateConflict) as error:
            flash_error(request, error, extra_tags=card)
            return redirect(f"{reverse('lifecycle:my_reviews')}#step-{step.pk}")
        messages.success(request, _("已记录您的审批决定：%(review)s") % {"review": step.review})
        return redirect("lifecycle:my_reviews")


class StepBulkDecideView(LoginRequiredMixin, View):
    """Decide the ticked steps with one comment; each goes through approval_step_decide, refusals land on their card."""

    def post(self, request):
        form = DecisionForm(request.POST)
        ids = [int(v) for v in request.POST.getlist("step") if v.isascii() and v.isdecimal()]
        if not form.is_valid() or not ids:
            messages.error(request, _("请至少选中一项审批，并选择同意或驳回。"))
            return redirect("lifecycle:my_reviews")
        steps = ApprovalStep.objects.select_related("review").filter(pk__in=ids).order_by("id")
        decided, refused = services.approval_steps_decide_bulk(steps=steps, user=request.user,
                                                               decision=form.cleaned_data["decision"],
                                                               comment=form.cleaned_data["comment"])
        if decided:
            messages.success(request, _("已记录 %(n)s 项审批决定。") % {"n": len(decided)})
        # A refusal is shown on its card while the card is still in the queue, otherwise above it, naming the step.
        still_listed = set(selectors.steps_waiting_for(user=request.user).filter(
            pk__in=[s.pk for s, _m in refused]).values_list("pk", flat=True))
        for step, message in refused:
            tag = f"{CARD_TAG}{step.pk}" if step.pk in still_listed else ""
            messages.error(request, f"{step}：{message}", extra_tags=tag)
        return redirect("lifecycle:my_reviews")


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


class ConditionActionView(LoginRequiredMixin, View):
    """POST `action=done` (with the evidence) or `action=waive` (with the reason) for one approval condition."""

    def post(self, request, pk):
        condition = get_object_or_404(Condition.objects.select_related("product"), pk=pk)
        text = request.POST.get("text", "")
        try:
            if request.POST.get("action") == "waive":
                conditions.condition_waive(user=request.user, condition=condition, reason=text)
            else:
                conditions.condition_complete(user=request.user, condition=condition, comment=text)
            messages.success(request, _("审批条件已更新。"))
        except DOMAIN_ERRORS as error:
            flash_error(request, error)
        return redirect(f"{condition.product.get_absolute_url()}#product-conditions")
