"""Pages: propose a change, the change page, and the POST endpoints behind its buttons (all call the services)."""
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_fsm import can_proceed

from core.errors import DOMAIN_ERRORS, FieldValidationError
from core.pages import ServiceFormView, flash_error
from core.roles import is_senior_management
from products.models import Product

from . import selectors, services
from .choices import ChangeStatus
from .forms import ChangeForm, PilotForm, ReasonForm
from .models import Change


def _field_label(name: str) -> str:
    """The label a person knows a field by ("结束日", not "end"); the code only if nothing names it."""
    if name in PilotForm.base_fields:
        return str(PilotForm.base_fields[name].label)
    try:
        return str(Change._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _flash(request, error) -> None:
    if isinstance(error, FieldValidationError):
        for key, value in error.errors.items():
            items = value.items() if isinstance(value, dict) else [(key, value)]
            for name, problems in items:
                for problem in problems if isinstance(problems, list) else [problems]:
                    messages.error(request, _("%(field)s：%(problem)s") % {"field": _field_label(name),
                                                                          "problem": problem})
        return
    flash_error(request, error)


class ChangeCreateView(ServiceFormView):
    """A form of the current terms; the manager edits what changes and sees the diff before saving the draft."""

    template_name = "changes/change_form.html"
    form_class = ChangeForm
    can_service = services.product_can_edit
    denied_message = gettext_lazy("您无权为该产品提出条款变更。")
    plan_form = None

    @property
    def success_message(self):
        return _("变更草稿已保存，请核对差异后提交审批。")

    def load(self, **kwargs):
        self.product = get_object_or_404(Product, pk=kwargs["pk"])

    def permission_kwargs(self):
        return {"product": self.product}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.pop("initial")  # the product's current terms (the form's own)
        return {**kwargs, "product": self.product, "base_terms": services.change_base_terms(product=self.product)}

    def bind_companions(self):
        self.plan_form = PilotForm(self.request.POST, prefix="plan")
        return [self.plan_form]

    def save(self, form):
        data = form.service_data()
        if data["pilot"]:  # the pilot's scope, window and criteria are approved with the change
            data["pilot_plan"] = self.plan_form.service_data()
        return services.change_create(user=self.request.user, product=self.product, data=data)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "product": self.product,
                "term_fields": [context["form"][n] for n in ChangeForm.TERM_NAMES],
                "plan_form": self.plan_form or PilotForm(prefix="plan")}


class ChangeDetailView(LoginRequiredMixin, View):
    """The diff, review progress, pilot scope and criteria with live actuals, and the allowed buttons."""

    def get(self, request, pk):
        return self.render(request, pk)

    @staticmethod
    def render(request, pk, pilot_form=None, status=200):
        """The page; after a refused pilot plan, with that plan's form and its errors on the fields."""
        change = get_object_or_404(selectors.change_list().select_related("review"), pk=pk)
        user = request.user
        can_edit = services.change_can_edit(user=user, change=change)
        piloting = change.status == ChangeStatus.PILOTING
        criteria = selectors.criteria_with_actuals(change=change) if change.pilot_start else []
        review = change.review
        context = {
            "change": change, "product": change.product, "criteria": criteria,
            "steps": list(review.steps.order_by("position", "id")) if review else [],
            "can_submit": change.status == ChangeStatus.DRAFT and services.change_can_submit(user=user, change=change),
            "can_pilot": can_edit and change.status == ChangeStatus.APPROVED and change.pilot,
            "can_rollout": can_edit and piloting,
            "can_override": piloting and is_senior_management(user),
            "can_withdraw": can_edit and can_proceed(change.withdraw),
            "criteria_met": bool(criteria) and all(c["met"] is True for c in criteria),
            "unmet": [c for c in criteria if c["met"] is not True],
            "pilot_form": pilot_form or PilotForm(initial=PilotForm.initial_from(change.pilot_plan)), "chart": [
                {"metric": c["metric_name"], "op": c["op"], "value": c["value"], "actual": c["actual"],
                 "met": c["met"], "unit": c["unit"]} for c in criteria],
        }
        context["has_actions"] = any(context[k] for k in ("can_submit", "can_pilot", "can_rollout", "can_override",
                                                          "can_withdraw"))
        return render(request, "changes/change_detail.html", context, status=status)


class ChangeActionView(LoginRequiredMixin, View):
    """POST behind a button of the change page: the service decides; errors come back as messages."""

    action = ""

    def post(self, request, pk):
        change = get_object_or_404(Change, pk=pk)
        if self.action == "pilot":
            return self.pilot(request, change)
        try:
            self.run(request, change)
        except DOMAIN_ERRORS as error:
            if isinstance(error, PermissionDenied):
                raise
            _flash(request, error)
        return redirect("changes:detail", pk=pk)

    def pilot(self, request, change):
        """A refused plan comes back on the page with what was typed and each error on its field."""
        form = PilotForm(request.POST)
        if form.is_valid():
            try:
                services.change_pilot_start(user=request.user, change=change, data=form.service_data())
            except FieldValidationError as error:
                form.add_service_errors(error.errors)
            except DOMAIN_ERRORS as error:
                if isinstance(error, PermissionDenied):
                    raise
                _flash(request, error)
                return redirect("changes:detail", pk=change.pk)
            else:
                messages.success(request, _("试点已开始。"))
                return redirect("changes:detail", pk=change.pk)
        return ChangeDetailView.render(request, change.pk, pilot_form=form, status=400)

    def run(self, request, change):
        user = request.user
        if self.action == "submit":
            services.change_submit(user=user, change=change)
            messages.success(request, _("已提交审批。"))
        elif self.action in ("rollout", "override"):
            reason = ReasonForm(request.POST)
            reason.is_valid()
            override = reason.cleaned_data.get("reason", "") if self.action == "override" else None
            services.change_rollout(user=user, change=change, override_reason=override)
            messages.success(request, _("已全面推广，新条款版本生效。"))
        elif self.action == "withdraw":
            reason = ReasonForm(request.POST)
            reason.is_valid()
            services.change_withdraw(user=user, change=change, reason=reason.cleaned_data.get("reason", ""))
            messages.success(request, _("变更已撤回。"))
