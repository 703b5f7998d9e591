"""CSV and XLSX exports of a product's snapshot table."""
import csv
import io

from django.http import HttpResponse
from django.utils.translation import gettext as _

HEADERS = [
    ("metric", "指标"), ("period", "周期"), ("value", "数值"), ("previous_value", "上期值"), ("change_pct", "环比 %"),
    ("last_year_value", "去年同期值"), ("yoy_pct", "同比 %"), ("target_value", "目标值"),
    ("attainment_pct", "达成率 %"), ("status", "状态"),
]


def _rows(snapshots):
    for snap in snapshots:
        yield [snap.metric.code, snap.period, snap.value, snap.previous_value, snap.change_pct, snap.last_year_value,
               snap.yoy_pct, snap.target_value, snap.attainment_pct, snap.status]


def snapshots_response(snapshots, *, filename: str, fmt: str) -> HttpResponse:
    headers = [_(label) for _key, label in HEADERS]
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
