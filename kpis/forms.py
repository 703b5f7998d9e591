"""Forms of the KPI pages; the rules themselves are in kpis.services."""
import math

from django import forms
from django.utils.translation import gettext_lazy as _

from bankpm import uploads

from .choices import MAX_OBSERVATIONS_PER_REQUEST

UPLOAD_COLUMNS = ("product", "metric", "date", "value")


class ObservationUploadForm(forms.Form):
    file = forms.FileField(label=_("数据文件"), help_text=_("CSV 或 XLSX，表头见下方的文件格式。"))
    dry_run = forms.BooleanField(label=_("仅校验（试运行，不写入）"), required=False, initial=True)

    def clean_file(self):
        try:
            rows = uploads.read_upload(self.cleaned_data["file"], read_csv=_csv_rows, read_xlsx=_xlsx_rows)
        except uploads.UploadRefused as error:
            raise forms.ValidationError(error.args[0]) from error
        return rows


HeaderError = uploads.HeaderError


def _item(row: dict) -> dict:
    """Numbers in files arrive as text: convert what looks like a number, leave the rest for the service to refuse."""
    value = row.get("value")
    if isinstance(value, str):
        try:
            number = float(value.strip())
            value = number if math.isfinite(number) else value
        except ValueError:
            pass
    day = row.get("date")
    if hasattr(day, "isoformat"):
        day = day.isoformat()[:10]
    return {"product": row.get("product"), "metric": row.get("metric"), "date": day, "value": value}


def _checked_header(rows) -> None:
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    if header[:1] and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    if header[:4] != list(UPLOAD_COLUMNS):
        raise HeaderError(_("表头必须是 product, metric, date, value"))


def _csv_rows(fileobj) -> list[dict]:
    rows = uploads.csv_rows(fileobj, max_rows=MAX_OBSERVATIONS_PER_REQUEST)
    _checked_header(rows)
    return [_item(dict(zip(UPLOAD_COLUMNS, row, strict=False))) for row in rows if any(c.strip() for c in row)]


def _xlsx_rows(fileobj) -> list[dict]:
    rows = uploads.xlsx_rows(fileobj, max_rows=MAX_OBSERVATIONS_PER_REQUEST)
    _checked_header(rows)
    # Blank rows count towards the limit (a sheet of a million empty rows is refused) but are not data.
    return [_item(dict(zip(UPLOAD_COLUMNS, row[:4], strict=False)))
            for row in rows if any(c is not None for c in row)]
