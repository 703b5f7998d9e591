"""CSV and XLSX exports of a product's snapshot table, through the project's shared export_response."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from bankpm.exports import export_response

HEADERS = [N_("指标"), N_("周期"), N_("数值"), N_("上期值"), N_("环比 %"), N_("去年同期值"), N_("同比 %"), N_("目标值"),
           N_("达成率 %"), N_("状态")]


def _rows(snapshots):
    for snap in snapshots:
        yield (snap.metric.code, snap.period, snap.value, snap.previous_value, snap.change_pct, snap.last_year_value,
               snap.yoy_pct, snap.target_value, snap.attainment_pct, snap.status)


def snapshots_response(snapshots, *, filename: str, fmt: str):
    return export_response(headers=[_(label) for label in HEADERS], rows=list(_rows(snapshots)), filename=filename,
                           file_format=fmt)
