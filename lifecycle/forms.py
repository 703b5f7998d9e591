"""Page forms; they only shape input, the services decide."""
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .choices import Decision, DeliverableStatus


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("决定"), choices=Decision.choices)
    comment = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # Ticked only when the reviewer chooses to decide for a delegator; otherwise the decision is his own.
    on_behalf_of = forms.ModelChoiceField(label=_("代为审批"), queryset=get_user_model().objects.filter(is_active=True),
                                          required=False)
    # For a process with its own outcomes (the review's outcome_choices); the service checks the code.
    outcome = forms.CharField(label=_("审批结论"), required=False, max_length=32)


class DeliverableForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=DeliverableStatus.choices)
    reason = forms.CharField(label=_("豁免理由"), required=False)
    link = forms.URLField(label=_("链接"), required=False, assume_scheme="https")
    attachment = forms.FileField(label=_("附件"), required=False)


class GateSubmitForm(forms.Form):
    to_stage = forms.CharField(required=False)
    response = forms.CharField(required=False, max_length=4000)
