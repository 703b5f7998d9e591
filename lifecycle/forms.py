"""Page forms; they only shape input, the services decide."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import DeliverableStatus


class DeliverableForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), choices=DeliverableStatus.choices)
    reason = forms.CharField(label=_("豁免理由"), required=False)
    link = forms.URLField(label=_("链接"), required=False, assume_scheme="https")
    attachment = forms.FileField(label=_("附件"), required=False)


class GateSubmitForm(forms.Form):
    to_stage = forms.CharField(required=False)
    response = forms.CharField(required=False, max_length=4000)
