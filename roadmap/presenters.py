"""Shaping the selector's items for the page: rows grouped with headers, and the compact chart data."""
from datetime import date
from itertools import groupby

import orjson
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from products.choices import STAGE_ORDER

from .choices import GroupBy
from .selectors import Window

GROUP_KEYS = {GroupBy.CATEGORY: ("category", "category_label"), GroupBy.OWNER: ("owner", "owner_name"),
              GroupBy.STAGE: ("stage", "stage_label")}
STAGE_RANK = {stage: index for index, stage in enumerate([*STAGE_ORDER, "cancelled"])}


def grouped(items: list[dict], group: str) -> list[dict]:
    """Rows in display order: a header per group (its label and size), then its products by code."""
    key, label = GROUP_KEYS.get(group, GROUP_KEYS[GroupBy.CATEGORY])
    order = (lambda i: (STAGE_RANK.get(i["stage"], 99), i["code"])) if group == GroupBy.STAGE else (
        lambda i: (i[label], i["code"]))
    rows = []
    for _key, members in groupby(sorted(items, key=order), key=lambda i: i[key]):
        members = list(members)
        rows.append({"header": True, "label": members[0][label], "count": len(members)})
        rows.extend({"header": False, "item": item} for item in members)
    return rows


def chart_payload(*, rows: list[dict], window: Window, zoom: str, today: date) -> dict:
    """Arrays indexed by row for the ECharts custom series (compact: a thousand products fit in a page)."""
    data = {"from": window.start, "to": window.end, "today": today, "zoom": zoom, "rows": [], "headers": [],
            "links": [], "spans": [], "plans": [], "gates": [], "pilots": [], "marks": []}
    for index, row in enumerate(rows):
        if row["header"]:
            data["rows"].append(f"{row['label']} ({row['count']})")
            data["headers"].append(index)
            data["links"].append(None)
            continue
        item = row["item"]
        data["rows"].append(f"{item['code']} {item['name']}")
        data["links"].append(item["id"])
        _add_item(data, index, item)
    data["legend"] = {"plan": _("计划日期"), "gate": _("阶段评审"), "overdue": _("逾期"), "version": _("条款版本"),
                      "pilot": _("试点"), "rollout": _("全面推广"), "notice": _("客户通知日"), "close": _("产品关闭日"),
                      "deliverable": _("交付物截止"), "condition": _("审批条件截止"), "today": _("今天"),
                      "lead": _("审批用时（天）"), "slip": _("偏差（天）"), "save": _("保存为图片")}
    return data


def _add_item(data: dict, row: int, item: dict) -> None:
    for span in item["spans"]:
        data["spans"].append([row, span["start"], span["end"], span["stage"], span["label"]])
    for plan in item["plans"]:
        data["plans"].append([row, plan["target"], plan["actual"], plan["status"], plan["label"], plan["slip_days"]])
    for gate in item["gates"]:
        data["gates"].append([row, gate["submitted"], gate["decided"], gate["overdue"], gate["label"],
                              gate["lead_days"], gate["status_label"], gate["status"]])
    for pilot in item["pilots"]:
        data["pilots"].append([row, pilot["start"], pilot["end"] or pilot["start"], pilot["summary"]])
    marks = data["marks"]
    marks.extend([row, v["date"], "version", f"v{v['version']}"] for v in item["versions"])
    marks.extend([row, r["date"], "rollout", r["summary"]] for r in item["rollouts"])
    if item["exit"]:
        marks.extend([row, item["exit"][k], k, ""] for k in ("notice", "close") if item["exit"][k])
    marks.extend([row, d["due"], "overdue_deliverable" if d["overdue"] else "deliverable", d["title"]]
                 for d in item["deliverables"])
    marks.extend([row, c["due"], "overdue_condition" if c["overdue"] else "condition", c["action"]]
                 for c in item["conditions"])


def json_for_script(data) -> str:
    """JSON safe inside <script type="application/json"> (orjson: a thousand products serialise in milliseconds)."""
    text = orjson.dumps(data).decode()
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))  # noqa: S308
