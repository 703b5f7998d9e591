"""Forms of the complaint pages; the rules are in complaints.services."""
from django import forms
from django.utils.translation import gettext_lazy as _

from bankpm import uploads

from .choices import MAX_COMPLAINTS_PER_REQUEST, ComplaintCategory, RootCause, Severity

UPLOAD_COLUMNS = ("product", "received_on", "category", "severity", "description", "segment", "channel", "region")


class ClassifyForm(forms.Form):
    """Category and severity: what turning a feedback item into a complaint asks for."""

    category = forms.ChoiceField(label=_("投诉类别"), choices=ComplaintCategory.choices)
    severity = forms.ChoiceField(label=_("严重程度"), choices=Severity.choices)


class RootCauseForm(forms.Form):
    root_cause = forms.ChoiceField(label=_("根本原因"), choices=[("", "—"), *RootCause.choices], required=False)
    root_cause_text = forms.CharField(label=_("根因说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    resolution = forms.CharField(label=_("处理结果"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    requirements = forms.TypedMultipleChoiceField(label=_("关联需求"), coerce=int, required=False,
                                                  widget=forms.SelectMultiple(attrs={"size": 5}))
    risks = forms.TypedMultipleChoiceField(label=_("关联风险"), coerce=int, required=False,
                                           widget=forms.SelectMultiple(attrs={"size": 4}))
    changes = forms.TypedMultipleChoiceField(label=_("关联变更"), coerce=int, required=False,
                                             widget=forms.SelectMultiple(attrs={"size": 3}))

    def __init__(self, *args, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        product = complaint.product
        self.fields["requirements"].choices = [(r.pk, f"#{r.pk} {r.title}") for r in product.requirements.all()]
        self.fields["risks"].choices = [(r.pk, f"#{r.pk} {r}") for r in product.risks.all()]
        self.fields["changes"].choices = [(c.pk, str(c)) for c in product.changes.all()]


class ComplaintUploadForm(forms.Form):
    file = forms.FileField(label=_("数据文件"), help_text=_(
        "CSV 或 XLSX，表头：product, received_on, category, severity, description, segment, channel, region"))

    def clean_file(self):
        try:
            return uploads.read_upload(self.cleaned_data["file"], read_csv=_csv_rows, read_xlsx=_xlsx_rows)
        except uploads.UploadRefused as error:
            raise forms.ValidationError(error.args[0]) from error


def _item(row: dict) -> dict:
    day = row.get("received_on")
    if hasattr(day, "isoformat"):
        row["received_on"] = day.isoformat()[:10]
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items() if v not in (None, "")}


def _header(rows) -> None:
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    if header[:1] and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    if header[:len(UPLOAD_COLUMNS)] != list(UPLOAD_COLUMNS):
        raise uploads.HeaderError(_("表头必须是 %(columns)s") % {"columns": ", ".join(UPLOAD_COLUMNS)})


def _csv_rows(fileobj) -> list[dict]:
    rows = uploads.csv_rows(fileobj, max_rows=MAX_COMPLAINTS_PER_REQUEST)
    _header(rows)
    return [_item(dict(zip(UPLOAD_COLUMNS, row, strict=False))) for row in rows if any(c.strip() for c in row)]


def _xlsx_rows(fileobj) -> list[dict]:
    rows = uploads.xlsx_rows(fileobj, max_rows=MAX_COMPLAINTS_PER_REQUEST)
    _header(rows)
    return [_item(dict(zip(UPLOAD_COLUMNS, row[:len(UPLOAD_COLUMNS)], strict=False)))
            for row in rows if any(c is not None for c in row)]
