"""Pages of the approval engine: the reviewer queue ("My reviews"), decisions, and approval conditions' actions.
They keep their lifecycle URLs and names (lifecycle/urls.py routes them)."""
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from bankpm.views import CARD_TAG, card_messages
from core.errors import DOMAIN_ERRORS
from core.pages import flash_error

from . import conditions, delegations, selectors, services
from .exceptions import GateConflict
from .forms import DecisionForm
from .models import ApprovalStep, Condition


class MyReviewsView(LoginRequiredMixin, ListView):
    """Steps waiting for the signed-in reviewer, overdue first."""

    template_name = "approvals/my_reviews.html"
    context_object_name = "steps"
    paginate_by = 25

    def get_queryset(self):
        return selectors.steps_waiting_for(user=self.request.user).prefetch_related(
            "review__steps__decided_by", "review__steps__on_behalf_of",
            Prefetch("review__makers", queryset=get_user_model().objects.only("pk")))

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
            makers = {step.review.submitted_by_id, step.review.product.owner_id,
                      *(maker.pk for maker in step.review.makers.all())}
            step.acting_for = next((d for d in delegators.values()
                                    if step.department in d.department_codes and d.pk not in makers), None)
        return {**context, "card_messages": card_messages(self.request)}


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
