"""The roadmap as an XLSX workbook: one row per item (span, target date, review, version, pilot, rollout, exit
date, deliverable, open approval condition) of the products the page shows, in its grouping."""
from django.utils.translation import gettext as _

from bankpm.exports import export_response

from .presenters import grouped
from .selectors import Window


def roadmap_headers() -> list[str]:
    return [_("分组"), _("产品代码"), _("产品名称"), _("产品经理"), _("当前阶段"), _("事项"), _("名称"), _("开始日期"),
            _("结束日期"), _("计划日期"), _("实际日期"), _("偏差（天）"), _("状态"), _("审批用时（天）"), _("逾期")]


def roadmap_export_rows(items: list[dict], group: str):
    """Rows in the order of `roadmap_headers()`."""
    yes, no = _("是"), _("否")
    group_label = ""
    for row in grouped(items, group):
        if row["header"]:
            group_label = row["label"]
            continue
        item = row["item"]
        lead = [group_label, item["code"], item["name"], item["owner_name"], item["stage_label"]]
        for span in item["spans"]:
            yield [*lead, _("阶段"), span["label"], span["start"], span["end"], None, None, None, "", None, ""]
        for plan in item["plans"]:
            yield [*lead, _("计划日期"), plan["label"], None, None, plan["target"], plan["actual"], plan["slip_days"],
                   plan["status_label"], None, ""]
        for gate in item["gates"]:
            yield [*lead, _("评审"), gate["label"], gate["submitted"], gate["decided"], None, None, None,
                   gate["status_label"], gate["lead_days"], yes if gate["overdue"] else no]
        for version in item["versions"]:
            yield [*lead, _("条款版本"), f"v{version['version']}", version["date"], *[None] * 4, "", None, ""]
        for pilot in item["pilots"]:
            yield [*lead, _("试点"), pilot["summary"], pilot["start"], pilot["end"], None, None, None,
                   pilot["status_label"], None, ""]
        for rollout in item["rollouts"]:
            yield [*lead, _("全面推广"), rollout["summary"], rollout["date"], None, None, None, None, "", None, ""]
        if item["exit"]:
            yield [*lead, _("退出"), _("客户通知日 / 产品关闭日"), item["exit"]["notice"], item["exit"]["close"], None,
                   None, None, "", None, ""]
        for due in item["deliverables"]:
            yield [*lead, _("交付物"), due["title"], None, due["due"], None, None, None, "", None,
                   yes if due["overdue"] else no]
        for condition in item["conditions"]:
            yield [*lead, _("审批条件"), condition["action"], None, condition["due"], None, None, None, "", None,
                   yes if condition["overdue"] else no]


def roadmap_xlsx_response(*, items: list[dict], window: Window, group: str):
    name = f"roadmap-{window.start.isoformat()}-{window.end.isoformat()}"
    return export_response(headers=roadmap_headers(), rows=roadmap_export_rows(items, group), filename=name,
                           file_format="xlsx")
