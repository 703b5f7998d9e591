"""Forms of the KPI pages; the rules themselves are in kpis.services."""
import math

from django import forms
from django.utils.translation import gettext_lazy as _

from bankpm import uploads

from .choices import MAX_OBSERVATIONS_PER_REQUEST

UPLOAD_COLUMNS = ("product", "metric", "date", "value")
# Optional breakdown columns after the four required ones, in this order (a blank cell = not broken down by it).
DIMENSION_COLUMNS = ("segment", "channel", "region")


class ObservationUploadForm(forms.Form):
    file = forms.FileField(label=_("数据文件"), help_text=_("CSV 或 XLSX，表头：product, metric, date, value，"
                                                       "可选分维度列 segment, channel, region"))
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
    item = {"product": row.get("product"), "metric": row.get("metric"), "date": day, "value": value}
    for name in DIMENSION_COLUMNS:
        cell = row.get(name)
        if cell not in (None, ""):
            item[name] = cell.strip() if isinstance(cell, str) else cell
    return item


def _checked_header(rows) -> tuple[str, ...]:
    """The columns of the file: the four required ones, then any of the breakdown columns in their order."""
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    if header[:1] and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    while header and not header[-1]:
        header.pop()
    extra = header[4:]
    if header[:4] != list(UPLOAD_COLUMNS) or extra != list(DIMENSION_COLUMNS[:len(extra)]):
        raise HeaderError(_("表头必须是 product, metric, date, value（可选 segment, channel, region）"))
    return tuple(header)


def _csv_rows(fileobj) -> list[dict]:
    rows = uploads.csv_rows(fileobj, max_rows=MAX_OBSERVATIONS_PER_REQUEST)
    columns = _checked_header(rows)
    return [_item(dict(zip(columns, row, strict=False))) for row in rows if any(c.strip() for c in row)]


def _xlsx_rows(fileobj) -> list[dict]:
    rows = uploads.xlsx_rows(fileobj, max_rows=MAX_OBSERVATIONS_PER_REQUEST)
    columns = _checked_header(rows)
    # Blank rows count towards the limit (a sheet of a million empty rows is refused) but are not data.
    return [_item(dict(zip(columns, row[:len(columns)], strict=False)))
            for row in rows if any(c is not None for c in row)]
