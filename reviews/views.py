"""Pages: the portfolio of periodic reviews, one review with its pack, and the POST endpoints behind them."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView

from approvals import services as engine_services
from approvals.choices import StepStatus
from approvals.exceptions import GateConflict
from bankpm.views import FilteredListView
from core.errors import DomainConflict, FieldValidationError, error_messages

from . import pack, selectors, services
from .choices import ReviewStatus
from .filtersets import ProductReviewFilterSet
from .forms import OpenReviewForm, PriceValueForm, ReviewDecisionForm
from .models import ProductReview

# How far ahead the portfolio's "due soon" list looks.
DUE_SOON_DAYS = 90
REFUSALS = (ValidationError, PermissionDenied, DomainConflict, GateConflict)


class PortfolioView(FilteredListView):
    """Reviews due, overdue and in progress, outcomes over time, and every review (filtered as in the API)."""

    model = ProductReview
    filterset_class = ProductReviewFilterSet
    template_name = "reviews/portfolio.html"
    context_object_name = "reviews"

    def get_base_queryset(self):
        return selectors.review_list().order_by("-opened_at", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        schedule = selectors.schedule(today=today)
        due_soon = [row for row in schedule if row["days"] <= DUE_SOON_DAYS]
        context.update(
            schedule=schedule, due_soon=due_soon,
            counts={"overdue": sum(row["overdue"] for row in schedule),
                    "due": sum(1 for row in due_soon if row["review"] is None),
                    "preparing": sum(1 for row in schedule if row["review"]
                                     and row["review"].status == ReviewStatus.PREPARING),
                    "in_review": sum(1 for row in schedule if row["review"]
                                     and row["review"].status == ReviewStatus.IN_REVIEW)},
            outcome_chart=selectors.outcomes_by_month(today=today),
            can_open=services.review_can_open(user=self.request.user),
            open_form=OpenReviewForm() if services.review_can_open(user=self.request.user) else None,
        )
        return context


def _own_pending_step(*, review: ProductReview, user):
    """The step of the engine review the user may decide now (his department, four-eyes allowing), or None."""
    if review.gate_review_id is None or review.status != ReviewStatus.IN_REVIEW:
        return None
    steps = review.gate_review.steps.filter(status=StepStatus.PENDING, department__in=list(user.department_codes))
    for step in steps.order_by("position", "id"):
        try:
            engine_services.approval_step_check(user=user, review=review.gate_review, department=step.department)
        except PermissionDenied:
            continue
        return step
    return None


class ReviewDetailView(LoginRequiredMixin, DetailView):
    """One review: its state, the pack (as submitted, or as it stands while being prepared), the manager's
    assessment form, the decision form of the reader's open step, the decisions and what followed."""

    template_name = "reviews/review_detail.html"
    context_object_name = "review"

    def get_queryset(self):
        return selectors.review_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review, user = self.object, self.request.user
        can_prepare = review.status == ReviewStatus.PREPARING and services.review_can_prepare(user=user,
                                                                                                review=review)
        gate = review.gate_review
        live = review.status == ReviewStatus.PREPARING or gate is None
        step = _own_pending_step(review=review, user=user)
        rounds = []
        if review.pk:
            from approvals.models import GateReview

            rounds = list(GateReview.objects.filter(process="periodic_review", subject_id=review.pk)
                          .prefetch_related("steps__decided_by", "conditions__owner").order_by("submitted_at"))
        context.update(
            can_prepare=can_prepare, live_pack=live,
            snapshot=pack.build_pack(review=review) if live else gate.snapshot,
            price_form=PriceValueForm(initial={f: getattr(review, f) for f in services.PRICE_VALUE_FIELDS})
            if can_prepare else None,
            step=step, decision_form=ReviewDecisionForm() if step else None, rounds=rounds,
            next_due=services.next_review_due(product=review.product),
        )
        return context


class ReviewOpenView(LoginRequiredMixin, View):
    """A head of product opens a review now, with its reason."""

    def post(self, request):
        form = OpenReviewForm(request.POST)
        if not form.is_valid():
            for problems in form.errors.values():
                for message in problems:
                    messages.error(request, message)
            return redirect("reviews:portfolio")
        try:
            review = services.review_open(user=request.user, product=form.cleaned_data["product"],
                                          reason=form.cleaned_data["reason"])
        except REFUSALS as error:
            for message in refusal_messages(error):
                messages.error(request, message)
            return redirect("reviews:portfolio")
        messages.success(request, _("定期评审已开启，产品经理已收到通知。"))
        return redirect(review)


class ReviewPrepareView(LoginRequiredMixin, View):
    """Save the price and value assessment; `submit` also sends the pack to the reviewers."""

    def post(self, request, pk):
        review = get_object_or_404(ProductReview, pk=pk)
        form = PriceValueForm(request.POST)
        if not form.is_valid():
            for problems in form.errors.values():
                for message in problems:
                    messages.error(request, message)
            return redirect(review)
        try:
            review = services.review_prepare(user=request.user, review=review, data=form.cleaned_data)
            if "submit" in request.POST:
                review = services.review_submit(user=request.user, review=review)
        except REFUSALS as error:
            for message in refusal_messages(error):
                messages.error(request, message)
            return redirect(review)
        messages.success(request, _("评审材料已提交，审批部门已收到通知。") if "submit" in request.POST
                         else _("价格与价值评估已保存。"))
        return redirect(review)


class ReviewDecideView(LoginRequiredMixin, View):
    """Decide the reader's open step of the review: approve with an outcome (and actions), or reject the pack."""

    def post(self, request, pk):
        review = get_object_or_404(selectors.review_list(), pk=pk)
        step = _own_pending_step(review=review, user=request.user)
        if step is None:
            messages.error(request, _("您在本次评审中没有待审批的步骤。"))
            return redirect(review)
        form = ReviewDecisionForm(request.POST)
        if not form.is_valid():
            for problems in form.errors.values():
                for message in problems:
                    messages.error(request, message)
            return redirect(review)
        data = form.cleaned_data
        extra = {"outcome": data["outcome"]} if data["decision"] == "approve" else {}
        try:
            engine_services.approval_step_decide(
                review=review.gate_review, department=step.department, user=request.user,
                decision=data["decision"], comment=data["comment"], conditions=form.conditions() or None, **extra)
        except REFUSALS as error:
            for message in refusal_messages(error):
                messages.error(request, message)
            return redirect(review)
        messages.success(request, _("已记录您的审批决定。"))
        return redirect(review)


def _flatten(value) -> list[str]:
    if isinstance(value, dict):
        return [m for item in value.values() for m in _flatten(item)]
    if isinstance(value, list | tuple):
        return [m for item in value for m in _flatten(item)]
    return [str(value)]


def refusal_messages(error: Exception) -> list[str]:
    """A refusal's messages for the page, nested field errors (an action row's owner or date) included."""
    if isinstance(error, FieldValidationError):
        return [str(error.message), *_flatten(error.errors)]
    return error_messages(error)
