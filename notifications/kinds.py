"""What kind each notification is, and whether it asks the reader to act: read from its message code, so that every
sender's notifications are grouped, filtered and ordered on the list without each call site saying so."""
import hashlib
import json

from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    REVIEW_REQUEST = "review_request", _("待我审批")
    REVIEW_RESULT = "review_result", _("审批进展")
    STAGE = "stage", _("阶段变更")
    WAIVER = "waiver", _("交付物豁免")
    RISK = "risk", _("风险")
    REQUIREMENT = "requirement", _("需求")
    KPI = "kpi", _("指标预警")
    EXIT = "exit", _("产品退出")
    AUDIT = "audit", _("审计")
    OTHER = "other", _("其他")


K = NotificationKind
# message code -> (kind, asks the reader to act)
KINDS = {
    "待审批：%(product)s %(process)s（%(dept)s）": (K.REVIEW_REQUEST, True),
    "审批逾期提醒：%(product)s（%(dept)s）": (K.REVIEW_REQUEST, True),
    "逾期上报：%(product)s 的%(dept)s审批已逾期": (K.REVIEW_REQUEST, True),
    "%(product)s %(process)s：%(dept)s %(decision)s": (K.REVIEW_RESULT, False),
    "%(user)s 代您审批了 %(product)s（%(decision)s）": (K.REVIEW_RESULT, False),
    "%(product)s 已进入「%(stage)s」阶段": (K.STAGE, False),
    "待批准豁免：%(product)s「%(title)s」": (K.WAIVER, True),
    "%(product)s「%(title)s」的豁免申请：%(decision)s": (K.WAIVER, False),
    "待接受剩余风险：%(product)s「%(title)s」（%(level)s）": (K.RISK, True),
    "您被指定为风险负责人：%(product)s「%(title)s」": (K.RISK, True),
    "风险待重新评估：%(product)s「%(title)s」": (K.RISK, True),
    "风险评估逾期：%(product)s「%(title)s」": (K.RISK, True),
    "剩余风险已获高管接受：%(product)s「%(title)s」": (K.RISK, False),
    "%(user)s 在需求 #%(id)s 中提到了您": (K.REQUIREMENT, False),
    "需求 #%(id)s 状态变为“%(status)s”": (K.REQUIREMENT, False),
    "指标预警：%(product)s %(metric)s（%(period)s）": (K.KPI, True),
    "善后任务逾期：%(product)s %(title)s": (K.EXIT, True),
    "审计链校验失败：第 %(id)s 条记录被改动": (K.AUDIT, True),
    "审计锚点 #%(id)s：%(count)s 条记录": (K.AUDIT, False),
}


def classify(title_code: str) -> tuple[str, bool]:
    """(kind, action required) of a message code; an unknown or empty code is "other", for information."""
    return KINDS.get(title_code, (K.OTHER, False))


def group_key(*, kind: str, url: str, params: dict, group: str = "") -> str:
    """Notifications with the same key are one line on the list: a sender's explicit group (e.g. `review:12`: every
    department's decision on one review), else the same kind about the same product (or object) and page."""
    if group:
        raw = f"{kind}|{group}"
    else:
        subject = {name: params.get(name) for name in ("product", "process", "id", "title", "metric") if name in params}
        raw = f"{kind}|{url}|{json.dumps(subject, sort_keys=True, ensure_ascii=False, default=str)}"
    return hashlib.sha1(raw.encode()).hexdigest()
