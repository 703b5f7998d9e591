"""CSV and XLSX exports of a product's snapshot table, through the project's shared export_response."""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from bankpm.exports import export_response

HEADERS = [N_("指标"), N_("周期"), N_("数值"), N_("上期值"), N_("环比 %"), N_("去年同期值"), N_("同比 %"), N_("目标值"),
           N_("达成率 %"), N_("状态")]


def _rows(snapshots):
    for snap in snapshots:
        figure = _by_kind(snap.metric)
        yield (snap.metric.code, snap.period, figure(snap.value), figure(snap.previous_value), _round(snap.change_pct),
               figure(snap.last_year_value), _round(snap.yoy_pct), figure(snap.target_value),
               _round(snap.attainment_pct), snap.status)


def _round(value, digits=2):
    return None if value is None else round(value, digits)


def _by_kind(metric):
    """Counts leave as integers, every other kind with two decimals, as on the pages."""
    if metric.decimals == 0:
        return lambda value: None if value is None else int(round(value))
    return _round


def snapshots_response(snapshots, *, filename: str, fmt: str):
    return export_response(headers=[_(label) for label in HEADERS], rows=list(_rows(snapshots)), filename=filename,
                           file_format=fmt)


BREAKDOWN_HEADERS = [N_("指标"), N_("周期"), N_("维度"), N_("维度取值"), N_("数值"), N_("上期值"), N_("环比 %")]


def breakdown_response(snapshots, *, dimension: str, filename: str, fmt: str):
    """The breakdown table of one dimension for the latest month (codes, as the API names them)."""
    rows = [(s.metric.code, s.period, dimension, s.member, _by_kind(s.metric)(s.value),
             _by_kind(s.metric)(s.previous_value), _round(s.change_pct)) for s in snapshots]
    return export_response(headers=[_(label) for label in BREAKDOWN_HEADERS], rows=rows, filename=filename,
                           file_format=fmt)
