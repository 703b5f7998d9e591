"""Building, keeping and sending portfolio packs. A pack is a record: built once per kind, period and language
(append-only; a second build of the same period returns the kept one), then announced to its subscribers through
the notification outbox."""
import hashlib
import io
from datetime import date, timedelta

import openpyxl
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.choices import DepartmentCode
from approvals.engine import process_choices
from changes.choices import ChangeStatus
from notifications.services import notify
from products.choices import LifecycleStage
from risks.choices import RiskLevel, RiskStatus

from .charts import bar_chart_svg
from .choices import PackKind
from .figures import portfolio_figures
from .models import PackSubscription, PortfolioPack
from .pdf import render_pdf


def closed_period(*, kind: str, today: date) -> tuple[date, date]:
    """The last month or quarter that ended before `today`."""
    first_of_month = today.replace(day=1)
    if kind == PackKind.MONTH:
        end = first_of_month - timedelta(days=1)
        return end.replace(day=1), end
    quarter_start = first_of_month.replace(month=(today.month - 1) // 3 * 3 + 1)
    end = quarter_start - timedelta(days=1)
    return end.replace(month=(end.month - 1) // 3 * 3 + 1, day=1), end


def portfolio_pack_build(*, kind: str, start: date, end: date, language: str) -> tuple[PortfolioPack, bool]:
    """The pack of [start, end] in `language`: the kept one when it exists, else built, stored and announced.
    Returns (pack, created)."""
    kept = PortfolioPack.objects.filter(kind=kind, period_start=start, language=language).first()
    if kept:
        return kept, False
    with translation.override(language):
        figures = portfolio_figures(start=start, end=end)
        context = pack_context(kind=kind, figures=figures)
        pdf = render_pdf(template="reports/portfolio_pack.html", context=context)
        xlsx = pack_xlsx(context)
    try:
        with transaction.atomic():
            pack = PortfolioPack.objects.create(
                kind=kind, period_start=start, period_end=end, language=language, figures=figures, pdf=pdf,
                xlsx=xlsx, sha256=hashlib.sha256(pdf).hexdigest(), built_at=timezone.now())
            _announce(pack)
    except IntegrityError:  # a concurrent run built it first: theirs is the record
        return PortfolioPack.objects.get(kind=kind, period_start=start, language=language), False
    return pack, True


def _announce(pack: PortfolioPack) -> None:
    users = [s.user for s in PackSubscription.objects.filter(kind=pack.kind, language=pack.language).select_related(
        "user") if s.user.is_active]
    if users:
        notify(recipients=users, title_code=gettext_noop("组合报告已生成：%(period)s"),
               params={"period": f"{pack.period_start:%Y-%m-%d} – {pack.period_end:%Y-%m-%d}"},
               url=reverse("reports:pack_file", args=[pack.pk, "pdf"]))


def portfolio_packs_build_closed(*, today: date | None = None) -> int:
    """The beat task's work: every kind's last closed period in every language, where not built yet."""
    from django.conf import settings

    today = today or timezone.localdate()
    built = 0
    for kind in PackKind.values:
        start, end = closed_period(kind=kind, today=today)
        for language, _name in settings.LANGUAGES:
            built += portfolio_pack_build(kind=kind, start=start, end=end, language=language)[1]
    return built


def pack_context(*, kind: str, figures: dict) -> dict:
    """Figures named in the active language, and the stage chart."""
    stages, levels, risk_states = dict(LifecycleStage.choices), dict(RiskLevel.choices), dict(RiskStatus.choices)
    change_states, processes = dict(ChangeStatus.choices), dict(process_choices())
    departments = dict(DepartmentCode.choices)
    english = (translation.get_language() or "").startswith("en")
    counts = [(str(label), figures["stages"].get(code, 0)) for code, label in LifecycleStage.choices]
    return {
        "kind_label": str(dict(PackKind.choices)[kind]), "figures": figures, "english": english,
        "start": figures["period"][0], "end": figures["period"][1], "stage_counts": counts,
        "stage_chart": bar_chart_svg(bars=counts),
        "stage_changes": [{**c, "from": str(stages.get(c["from"], c["from"])), "to": str(stages.get(c["to"], c["to"]))}
                          for c in figures["stage_changes"]],
        "risks": [{**r, "level": str(levels.get(r["level"], r["level"])),
                   "status": str(risk_states.get(r["status"], r["status"]))} for r in figures["risks"]],
        "changes": [{**c, "status": str(change_states.get(c["status"], c["status"]))} for c in figures["changes"]],
        "overdue_conditions": [{**c, "department": str(departments.get(c["department"], c["department"]))}
                               for c in figures.get("overdue_conditions", [])],
        "lead_times": [{**r, "process": processes.get(r["process"], r["process"])} for r in figures["lead_times"]],
        "title": _("产品组合报告"),
    }


def pack_xlsx(context: dict) -> bytes:
    """The pack's figures as a workbook: one sheet per section, headers in the pack's language."""
    figures, book = context["figures"], openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("摘要")[:31]
    sheet.append([context["title"], context["kind_label"], context["start"], context["end"]])
    sheet.append([_("生命周期阶段"), _("产品数")])
    for label, count in context["stage_counts"]:
        sheet.append([label, count])
    sections = [
        (_("阶段变化"), [_("产品代码"), _("产品名称"), _("原阶段"), _("新阶段"), _("日期")],
         [[c["code"], c["name"], c["from"], c["to"], c["day"]] for c in context["stage_changes"]]),
        (_("审批用时"), [_("流程"), _("评审数"), _("平均用时（天）"), _("最长用时（天）")],
         [[r["process"], r["count"], r["avg_days"], r["max_days"]] for r in context["lead_times"]]),
        (_("未关闭预警"), [_("产品代码"), _("指标"), _("周期"), _("触发值")],
         [[a["code"], a["metric_en"] if context["english"] else a["metric"], a["period"], a["value"]]
          for a in figures["open_alerts"]]),
        (_("高风险"), [_("产品代码"), _("风险名称"), _("剩余风险等级"), _("状态")],
         [[r["code"], r["title"], r["level"], r["status"]] for r in context["risks"]]),
        (_("条款变更与试点"), [_("产品代码"), _("变更概述"), _("状态"), _("试点开始日"), _("试点结束日")],
         [[c["code"], c["summary"], c["status"], c["pilot_start"], c["pilot_end"]] for c in context["changes"]]),
        (_("退出中的产品"), [_("产品代码"), _("客户通知日"), _("产品关闭日"), _("客户数"), _("剩余客户")],
         [[e["code"], e["notice"], e["close"], e["customers"], e["remaining"]] for e in figures["exits"]]),
        (_("逾期审批条件"), [_("产品代码"), _("须落实事项"), _("审批部门"), _("负责人"), _("截止日期")],
         [[c["code"], c["action"], c["department"], c["owner"], c["due"]] for c in context["overdue_conditions"]]),
    ]
    for title, headers, rows in sections:
        page = book.create_sheet(title[:31])
        page.append(headers)
        for row in rows:
            page.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
