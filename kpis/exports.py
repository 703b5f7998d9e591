"""CSV and XLSX exports of a product's snapshot table."""
import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

HEADERS = [N_("指标"), N_("周期"), N_("数值"), N_("上期值"), N_("环比 %"), N_("去年同期值"), N_("同比 %"), N_("目标值"),
           N_("达成率 %"), N_("状态")]


def _rows(snapshots):
    for snap in snapshots:
        yield [snap.metric.code, snap.period, snap.value, snap.previous_value, snap.change_pct, snap.last_year_value,
               snap.yoy_pct, snap.target_value, snap.attainment_pct, snap.status]


def snapshots_response(snapshots, *, filename: str, fmt: str) -> HttpResponse:
    headers = [_(label) for label in HEADERS]
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(headers)
        for row in _rows(snapshots):
            sheet.append(row)
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(buffer.getvalue(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(headers)
        writer.writerows(_rows(snapshots))
        response = HttpResponse("\ufeff" + text.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
