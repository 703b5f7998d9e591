"""Forms of the KPI pages; the rules themselves are in kpis.services."""
import math

from django import forms
from django.utils.translation import gettext_lazy as _

from bankpm import uploads

from .choices import MAX_OBSERVATIONS_PER_REQUEST

UPLOAD_COLUMNS = ("product", "metric", "date", "value")
# Column titles a file may use instead of the codes (in either language).
UPLOAD_TITLES = {"product": _("产品代码"), "metric": _("指标"), "date": _("日期"), "value": _("数值"),
                 "segment": _("客群"), "channel": _("渠道"), "region": _("地区")}
# Optional breakdown columns after the four required ones, in this order (a blank cell = not broken down by it).
DIMENSION_COLUMNS = ("segment", "channel", "region")


class ObservationUploadForm(uploads.KeptUploadForm):
    file = forms.FileField(label=_("数据文件"), required=False,
                           help_text=_("CSV 或 XLSX，表头见下方的文件格式（中文或英文列名均可）。"))
    dry_run = forms.BooleanField(label=_("仅校验（试运行，不写入）"), required=False, initial=True)

    def read_rows(self, upload) -> list:
        rows = uploads.read_upload(upload, read_csv=_csv_rows, read_xlsx=_xlsx_rows)
        names = _metric_names()
        for row in rows:  # a metric may be written by its Chinese or English name
            if isinstance(row["metric"], str):
                row["metric"] = names.get(row["metric"].strip().casefold(), row["metric"].strip())
        return rows


def _metric_names() -> dict[str, str]:
    from .models import Metric

    names = {}
    for code, name, name_en in Metric.objects.values_list("code", "name", "name_en"):
        names.update({code.casefold(): code, name.strip().casefold(): code})
        if name_en:
            names[name_en.strip().casefold()] = code
    return names


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
    header = uploads.normalise_header(header, (*UPLOAD_COLUMNS, *DIMENSION_COLUMNS), UPLOAD_TITLES)
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
