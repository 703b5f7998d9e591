"""Forms of the exit pages; the rules themselves are in exits.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bankpm import uploads
from core.widgets import IsoDateInput
from kpis.models import Alert, Snapshot
from requirements.models import Requirement

from .choices import EVIDENCE_KINDS, MAX_CUSTOMERS, MAX_PROGRESS_ITEMS
from .services import PlanInput

UPLOAD_COLUMNS = ("segment", "date", "migrated", "closed")


class ExitPlanForm(forms.Form):
    reason = forms.CharField(label=_("退出原因"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             max_length=5000)
    successor = forms.CharField(label=_("承接产品代码"), required=False, max_length=32,
                                help_text=_("推广或运营阶段的同类产品；类别不同时须写明原因。"))
    notice_date = forms.DateField(label=_("客户通知日"), required=False, widget=IsoDateInput())
    close_date = forms.DateField(label=_("产品关闭日"), required=False, widget=IsoDateInput())
    segments = forms.CharField(label=_("迁移客群"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text=_("每行一个客群：名称, 客户数"))
    snapshots = forms.ModelMultipleChoiceField(label=_("依据：指标快照"), queryset=Snapshot.objects.none(),
                                               required=False)
    alerts = forms.ModelMultipleChoiceField(label=_("依据：预警"), queryset=Alert.objects.none(), required=False)
    requirements = forms.ModelMultipleChoiceField(label=_("依据：需求"), queryset=Requirement.objects.none(),
                                                  required=False)

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        # Red and amber snapshots are what an exit decision cites; all of them would be hundreds of rows.
        self.fields["snapshots"].queryset = Snapshot.objects.filter(
            product=product, status__in=["red", "amber"]).select_related("metric").order_by("-period_start", "id")
        self.fields["snapshots"].label_from_instance = lambda s: (
            f"{s.metric.display_name} {s.period}: {s.value:g}" if s.value is not None else str(s))
        self.fields["alerts"].queryset = Alert.objects.filter(product=product).select_related("metric")
        self.fields["alerts"].label_from_instance = lambda a: f"{a.metric.display_name} {a.period}"
        self.fields["requirements"].queryset = Requirement.objects.filter(product=product).order_by("-id")
        self.fields["requirements"].label_from_instance = lambda r: f"#{r.pk} {r.title}"

    def clean_segments(self):
        rows = []
        for number, line in enumerate(self.cleaned_data["segments"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, count = line.replace("，", ",").rpartition(",")
            count = count.strip()
            if not name.strip() or not (count.isascii() and count.isdigit()) or int(count) > MAX_CUSTOMERS:
                raise forms.ValidationError(_("第 %(n)d 行应为「名称, 客户数」，客户数为非负整数。") % {"n": number})
            rows.append({"name": name.strip(), "customers": int(count)})
        return rows

    def to_plan_input(self) -> PlanInput:
        data = self.cleaned_data
        return PlanInput(reason=data["reason"], successor=data["successor"].strip() or None,
                         notice_date=data["notice_date"], close_date=data["close_date"], segments=data["segments"],
                         evidence={kind: [x.pk for x in data[kind]] for kind in EVIDENCE_KINDS})

    @staticmethod
    def initial_for(plan) -> dict:
        if plan is None:
            return {}
        return {"reason": plan.reason, "successor": plan.successor.code if plan.successor_id else "",
                "notice_date": plan.notice_date, "close_date": plan.close_date,
                "segments": "\n".join(f"{s.name}, {s.customers}" for s in plan.segments.order_by("position", "id")),
                "snapshots": list(plan.snapshots.all()), "alerts": list(plan.alerts.all()),
                "requirements": list(plan.requirements.all())}


HeaderError = uploads.HeaderError


# Column titles a file may use instead of the codes (in either language).
UPLOAD_TITLES = {"segment": _("客群"), "date": _("日期"), "migrated": _("已迁移"), "closed": _("已销户")}


class ProgressUploadForm(uploads.KeptUploadForm):
    file = forms.FileField(label=_("进度文件"), required=False,
                           help_text=_("CSV 或 XLSX，表头见下方的文件格式（中文或英文列名均可）。"))
    dry_run = forms.BooleanField(label=_("仅校验（试运行，不写入）"), required=False, initial=True)

    def read_rows(self, upload) -> list:
        rows = uploads.read_upload(upload, read_csv=_csv_rows, read_xlsx=_xlsx_rows)
        if not rows:
            raise uploads.UploadRefused(_("文件中没有数据行。"))
        return rows


def _item(values) -> dict:
    """Cells arrive as text or numbers: counts that look like integers become integers, the rest is left for the
    service to refuse with a message per row."""
    item = dict(zip(UPLOAD_COLUMNS, values, strict=False))
    for name in ("migrated", "closed"):
        value = item.get(name)
        if isinstance(value, float) and value.is_integer():
            item[name] = int(value)
        elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            item[name] = int(value.strip())
    day = item.get("date")
    if hasattr(day, "isoformat"):
        item["date"] = day.isoformat()[:10]
    elif isinstance(day, str):
        item["date"] = day.strip()
    if isinstance(item.get("segment"), str):
        item["segment"] = item["segment"].strip()
    return item


# Both readers stream and count every row, blank ones included, and stop at the first past the limit
# (bankpm.uploads), so a file of millions of empty rows is refused without being read.
def _csv_rows(fileobj) -> list[dict]:
    rows = uploads.csv_rows(fileobj, max_rows=MAX_PROGRESS_ITEMS)
    header = [c.strip().lstrip("\ufeff") for c in next(rows, [])]
    if uploads.normalise_header(header, UPLOAD_COLUMNS, UPLOAD_TITLES) != list(UPLOAD_COLUMNS):
        raise HeaderError(_("表头必须是 segment, date, migrated, closed"))
    return [_item(row) for row in rows if any(c.strip() for c in row)]


def _xlsx_rows(fileobj) -> list[dict]:
    rows = uploads.xlsx_rows(fileobj, max_rows=MAX_PROGRESS_ITEMS)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    if uploads.normalise_header(header[:4], UPLOAD_COLUMNS, UPLOAD_TITLES) != list(UPLOAD_COLUMNS):
        raise HeaderError(_("表头必须是 segment, date, migrated, closed"))
    return [_item(row[:4]) for row in rows if any(c is not None for c in row)]
