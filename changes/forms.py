"""Page forms of changes: the proposal (current terms, edited where they change) and the pilot plan.

Forms only shape input; every rule is in changes.services, whose errors are put back on these fields.
"""
from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import IsoDateInput
from kpis.models import Metric
from products.choices import CustomerSegment, RiskRating, SalesChannelCode
from products.models import Product

from .choices import ChangeReason, CriterionOp

PILOT_CRITERIA_ROWS = 3


def _label(name):
    return Product._meta.get_field(name).verbose_name


def _flat(problems) -> list[str]:
    """Messages of a (possibly per-index) error value, as text."""
    if isinstance(problems, dict):
        return [f"{key}: {text}" for key, value in problems.items() for text in _flat(value)]
    return [str(p) for p in problems] if isinstance(problems, list) else [str(problems)]


class ChangeForm(forms.Form):
    summary = forms.CharField(label=_("变更概述"), max_length=200)
    reason = forms.ChoiceField(label=_("变更原因"), choices=ChangeReason.choices)
    interest_rate = forms.CharField(label=_label("interest_rate"), required=False)
    fee = forms.CharField(label=_label("fee"), required=False)
    fee_terms = forms.CharField(label=_label("fee_terms"), required=False, max_length=200)
    expected_yield_min = forms.CharField(label=_label("expected_yield_min"), required=False)
    expected_yield_max = forms.CharField(label=_label("expected_yield_max"), required=False)
    risk_rating = forms.ChoiceField(label=_label("risk_rating"), choices=RiskRating.choices)
    customer_segment = forms.ChoiceField(label=_label("customer_segment"), choices=CustomerSegment.choices)
    sales_channels = forms.MultipleChoiceField(label=_label("sales_channels"), choices=SalesChannelCode.choices,
                                               required=False, widget=forms.CheckboxSelectMultiple)
    features = forms.CharField(label=_label("features"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("每行一条。"))
    target_market = forms.CharField(label=_label("target_market"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    excluded_market = forms.CharField(label=_label("excluded_market"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    excluded_segments = forms.MultipleChoiceField(label=_label("excluded_segments"), choices=CustomerSegment.choices,
                                                  required=False, widget=forms.CheckboxSelectMultiple)
    requirements = forms.MultipleChoiceField(label=_("关联需求"), required=False)
    pilot = forms.BooleanField(label=_("先试点再全面推广"), required=False)
    effective_from = forms.DateField(label=_("生效日"), required=False, help_text=_("留空表示批准当日生效。"),
                                     widget=IsoDateInput())

    TERM_NAMES = ("interest_rate", "fee", "fee_terms", "expected_yield_min", "expected_yield_max", "risk_rating",
                  "customer_segment", "sales_channels", "features", "target_market", "excluded_market",
                  "excluded_segments")

    def __init__(self, *args, product, base_terms: dict, **kwargs):
        initial = {name: ("\n".join(value) if name == "features" else ("" if value is None else value))
                   for name, value in base_terms.items() if name in self.TERM_NAMES}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["requirements"].choices = [(r.pk, f"#{r.pk} {r.title}") for r in
                                               product.requirements.order_by("-id")[:200]]
        for name in self.TERM_NAMES:
            value = base_terms.get(name)
            base = "\n".join(value) if isinstance(value, list) else ("" if value is None else str(value))
            self.fields[name].widget.attrs.update({"data-term": name, "data-base": base})

    def service_data(self) -> dict:
        """The body the service takes: every term as JSON (the service keeps those that changed)."""
        data = self.cleaned_data
        terms = {name: (data[name].strip() or None) if name in ("interest_rate", "fee", "expected_yield_min",
                                                                "expected_yield_max") else data[name]
                 for name in self.TERM_NAMES}
        terms["features"] = [line.strip() for line in data["features"].splitlines() if line.strip()]
        return {"summary": data["summary"], "reason": data["reason"], "terms": terms,
                "requirements": [int(pk) for pk in data["requirements"]], "pilot": data["pilot"],
                "effective_from": data["effective_from"]}

    def add_service_errors(self, errors: dict) -> None:
        for key, messages in errors.items():
            if key == "pilot_plan" and isinstance(messages, dict):  # the plan's own fields: named in the message
                self.add_error("pilot", [f"{name}: {' '.join(_flat(problems))}" for name, problems in messages.items()])
            elif key == "terms" and isinstance(messages, dict):
                for name, term_messages in messages.items():
                    self.add_error(name if name in self.fields else None, term_messages)
            else:
                self.add_error(key if key in self.fields else None, messages)


class PilotForm(forms.Form):
    regions = forms.CharField(label=_("试点地区"), required=False, help_text=_("以逗号分隔，如：上海, 深圳"))
    segments = forms.MultipleChoiceField(label=_("试点客群"), choices=CustomerSegment.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    channels = forms.MultipleChoiceField(label=_("试点渠道"), choices=SalesChannelCode.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    # Optional here: the service names a missing date (a plan needs both; a pilot takes the plan's).
    start = forms.DateField(label=_("开始日"), required=False, widget=IsoDateInput())
    end = forms.DateField(label=_("结束日"), required=False, widget=IsoDateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each metric with its unit and how the pilot's actual is formed from its observations.
        all_metrics = list(Metric.objects.order_by("display_order", "code"))
        self.metric_info = {m.code: {"unit": m.display_unit, "aggregation": m.get_aggregation_display()}
                            for m in all_metrics}
        metrics = [("", _("（不设）"))] + [(m.code, m.display_name) for m in all_metrics]
        for i in range(PILOT_CRITERIA_ROWS):
            self.fields[f"metric_{i}"] = forms.ChoiceField(label=_("指标"), choices=metrics, required=False)
            self.fields[f"op_{i}"] = forms.ChoiceField(label=_("比较"), choices=CriterionOp.choices, required=False)
            self.fields[f"value_{i}"] = forms.FloatField(label=_("阈值"), required=False)

    @classmethod
    def initial_from(cls, plan: dict | None) -> dict:
        """Initial values showing a stored plan (the approved pilot the manager may narrow)."""
        if not plan:
            return {}
        initial = {"regions": ", ".join(plan["regions"]), "segments": plan["segments"], "channels": plan["channels"],
                   "start": plan["start"], "end": plan["end"]}
        for i, criterion in enumerate(plan["criteria"][:PILOT_CRITERIA_ROWS]):
            initial |= {f"metric_{i}": criterion["metric"], f"op_{i}": criterion["op"],
                        f"value_{i}": criterion["value"]}
        return initial

    def criteria_rows(self):
        """Per row: the metric, comparison and threshold fields, and the chosen metric's unit and aggregation."""
        rows = []
        for i in range(PILOT_CRITERIA_ROWS):
            metric = self[f"metric_{i}"]
            rows.append({"index": i, "metric": metric, "op": self[f"op_{i}"], "value": self[f"value_{i}"],
                         "info": self.metric_info.get(str(metric.value() or ""))})
        return rows

    def add_service_errors(self, errors: dict) -> None:
        """The service's errors on the fields that caused them: a criterion's by its row, the rest by name."""
        for key, problems in errors.items():
            if key == "criteria" and isinstance(problems, dict):
                for index, row in problems.items():
                    for name, row_problems in row.items():
                        self.add_error(f"{name}_{index}" if f"{name}_{index}" in self.fields else None, row_problems)
            else:
                self.add_error(key if key in self.fields else None, problems)

    def service_data(self) -> dict:
        data = self.cleaned_data
        criteria = [{"metric": data[f"metric_{i}"], "op": data[f"op_{i}"], "value": data[f"value_{i}"]}
                    for i in range(PILOT_CRITERIA_ROWS) if data.get(f"metric_{i}")]
        return {"regions": [r.strip() for r in data["regions"].replace("，", ",").split(",") if r.strip()],
                "segments": data["segments"], "channels": data["channels"], "start": data["start"],
                "end": data["end"], "criteria": criteria}


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), required=False, max_length=4000)
