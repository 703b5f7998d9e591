"""The roadmap's window (from, to, zoom, grouping) for the page, the API and the export; the target-date form."""
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.widgets import IsoDateInput
from products.choices import STAGE_ORDER

from .choices import GroupBy, PlanKind, Zoom
from .selectors import Window

MAX_DAYS = 5 * 366  # bounded work: at most five years in one request
FIRST_YEAR, LAST_YEAR = 1900, 2999


def period_start(day: date, zoom: str) -> date:
    if zoom == Zoom.MONTH:
        return day.replace(day=1)
    if zoom == Zoom.QUARTER:
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def shift(day: date, zoom: str, periods: int) -> date:
    """`day` moved by whole months, quarters or years (day of month kept within the target month)."""
    months = {Zoom.MONTH: 1, Zoom.QUARTER: 3}.get(zoom, 12) * periods
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return day.replace(year=year, month=month + 1, day=min(day.day, (following - timedelta(days=1)).day))


class RoadmapWindowForm(forms.Form):
    """`from`/`to` (ISO dates, inclusive) or, without them, the month, quarter or year around today."""

    start = forms.DateField(label=_("开始日期"), required=False, widget=IsoDateInput())
    end = forms.DateField(label=_("结束日期"), required=False, widget=IsoDateInput())
    zoom = forms.ChoiceField(label=_("时间粒度"), choices=Zoom.choices, required=False)
    group = forms.ChoiceField(label=_("分组"), choices=GroupBy.choices, required=False)

    def __init__(self, data=None, **kwargs):
        # The query string says from/to (the API contract); `from` is a Python keyword, hence the renaming.
        if data is not None:
            data = {"start": data.get("from", ""), "end": data.get("to", ""), "zoom": data.get("zoom", ""),
                    "group": data.get("group", "")}
        super().__init__(data, **kwargs)

    def clean_start(self):
        return self._in_calendar(self.cleaned_data["start"])

    def clean_end(self):
        return self._in_calendar(self.cleaned_data["end"])

    @staticmethod
    def _in_calendar(day: date | None) -> date | None:
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise forms.ValidationError(_("日期须在 %(a)s 年至 %(b)s 年之间。") % {"a": FIRST_YEAR, "b": LAST_YEAR})
        return day

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        zoom = cleaned.get("zoom") or Zoom.QUARTER
        start, end = cleaned.get("start"), cleaned.get("end")
        if end is None:  # the whole month, quarter or year containing `from` (or today)
            start = period_start(start or timezone.localdate(), zoom)
            end = shift(start, zoom, 1) - timedelta(days=1)
        elif start is None:
            start = period_start(end, zoom)
        if end < start:
            self.add_error("end", _("结束日期不能早于开始日期。"))
        elif (end - start).days >= MAX_DAYS:
            self.add_error("end", _("时间范围不能超过 5 年。"))
        cleaned.update(zoom=zoom, group=cleaned.get("group") or GroupBy.CATEGORY, start=start, end=end)
        return cleaned

    @property
    def window(self) -> Window:
        return Window(self.cleaned_data["start"], self.cleaned_data["end"])

    def errors_by_param(self) -> dict:
        names = {"start": "from", "end": "to"}
        return {names.get(field, field): [str(m) for m in messages] for field, messages in self.errors.items()}


class RoadmapPlanForm(forms.Form):
    """A target date for one of the product's next stages ("stage:<code>") or terms versions ("version:<n>")."""

    target = forms.CharField(label=_("计划事项"), max_length=40)
    target_date = forms.DateField(label=_("计划日期"), widget=IsoDateInput())
    comment = forms.CharField(label=_("说明"), required=False, max_length=500)

    def clean_target(self):
        kind, _sep, value = self.cleaned_data["target"].partition(":")
        if kind == PlanKind.STAGE and value in STAGE_ORDER:
            return {"kind": kind, "stage": value, "version": None}
        if kind == PlanKind.VERSION and value.isascii() and value.isdecimal() and 0 < int(value) <= 10_000:
            return {"kind": kind, "stage": "", "version": int(value)}
        raise forms.ValidationError(_("请选择后续阶段或条款版本。"))
