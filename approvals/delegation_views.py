"""The delegation page ("acting for"): a reviewer names a substitute for a date range, or ends one; both through
approvals.delegations, the same service as the API."""
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.choices import REVIEWING_DEPARTMENTS
from core.widgets import IsoDateInput

from . import delegations
from .models import Delegation


class DelegationForm(forms.Form):
    delegate = forms.ModelChoiceField(label=gettext_lazy("代理人"), queryset=get_user_model().objects.none(),
                                      empty_label=gettext_lazy("请选择同部门的审批人"))
    starts_on = forms.DateField(label=gettext_lazy("开始日期"), widget=IsoDateInput())
    ends_on = forms.DateField(label=gettext_lazy("结束日期"), widget=IsoDateInput())

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("starts_on", timezone.localdate().isoformat())
        super().__init__(*args, **kwargs)
        self.fields["delegate"].queryset = delegations.delegate_candidates(user=user)
        self.fields["delegate"].label_from_instance = lambda u: f"{u} ({u.username})"


class DelegationPageView(LoginRequiredMixin, View):
    """Delegations the user gave and received (today's marked as running), and the form to name a substitute."""

    template_name = "approvals/delegations.html"

    def render_page(self, request, form=None, status=200):
        user, today = request.user, timezone.localdate()
        rows = list(delegations.delegation_list(user=user).order_by("-starts_on", "-id"))
        for row in rows:
            row.running = row.starts_on <= today <= row.ends_on
            row.ended = row.ends_on < today
        context = {"given": [r for r in rows if r.delegator_id == user.pk],
                   "received": [r for r in rows if r.delegate_id == user.pk],
                   "others": [r for r in rows if user.pk not in (r.delegator_id, r.delegate_id)],
                   "form": form or DelegationForm(user=user),
                   "may_delegate": bool(set(user.department_codes) & set(REVIEWING_DEPARTMENTS))}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(request)

    def post(self, request):
        form = DelegationForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                delegations.delegation_create(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(request, _("委托已设置。"))
                return redirect("lifecycle:delegations")
        return self.render_page(request, form=form, status=400)


class DelegationEndView(LoginRequiredMixin, View):
    """POST: the delegator (or an admin) ends a delegation."""

    def post(self, request, pk):
        delegation = get_object_or_404(Delegation, pk=pk)
        delegations.delegation_delete(user=request.user, delegation=delegation)
        messages.success(request, _("委托已取消。"))
        return redirect("lifecycle:delegations")
