"""Portfolio packs: content read back from the PDF (pdftotext) and the XLSX in both languages, kept immutable,
built by the beat task for the period just closed, announced to subscribers through the outbox."""
import datetime as dt
import io

import openpyxl
import pytest
from django.db import ProgrammingError, connection, transaction

from core.models import AuditImmutable
from exits.models import ExitPlan, ExitSegment
from lifecycle.models import ApprovalStep, Condition
from notifications.models import Notification
from reports import packs
from reports.models import PackSubscription, PortfolioPack
from risks.models import Risk
from tests.factories import ProductFactory, UserFactory, make_risk, reviewers_by_department, walked_product
from tests.helpers import login, pdf_first_page_png, pdf_text

pytestmark = pytest.mark.django_db
D = dt.date.fromisoformat


@pytest.fixture
def portfolio(db):
    owner = UserFactory(username="pp_owner", role="product_manager", departments=["product"])
    reviewers = reviewers_by_department()
    gated = walked_product(owner, reviewers, "development", ["2026-09-01", "2026-11-12"], code="PK-GATE",
                           name="积分卡", name_en="Points Card")
    _conditions(gated, owner)
    retiring = ProductFactory(owner=owner, code="PK-EXIT", stage="retirement")
    plan = ExitPlan.objects.create(product=retiring, notice_date=D("2026-11-01"), close_date=D("2026-12-15"),
                                   created_by=owner)
    ExitSegment.objects.create(plan=plan, name="全部客户", customers=40)
    risky = ProductFactory(owner=owner, code="PK-RISK", stage="operation", category="loan")
    make_risk(risky, title="集中度风险", likelihood=5, impact=5, residual_likelihood=5, residual_impact=5)
    return owner


def _conditions(product, owner):
    """Open and due in the period (overdue), open but due after it, and done in the period: only the first counts."""
    step = ApprovalStep.objects.filter(review__product=product).order_by("id").first()
    for action, due, status in [("补充压力测试报告", "2026-11-20", "open"), ("复核定价", "2026-12-10", "open"),
                                ("完善客户告知书", "2026-11-05", "done")]:
        condition = Condition.objects.create(review=step.review, step=step, product=product, department="risk",
                                             action=action, owner=owner, due=D(due))
        Condition.objects.filter(pk=condition.pk).update(status=status)


def build(language):
    return packs.portfolio_pack_build(kind="month", start=D("2026-11-01"), end=D("2026-11-30"), language=language)[0]


def test_the_chinese_pack_reads_the_period_in_its_pdf(portfolio):
    text = pdf_text(bytes(build("zh-hans").pdf))
    assert "产品组合报告 · 月报" in text and "2026-11-01 至 2026-11-30" in text
    assert "PK-GATE" in text and "规划" in text and "开发" in text and "2026-11-12" in text
    assert "PK-EXIT" in text and "40" in text and "PK-RISK" in text and "集中度风险" in text
    assert Risk.objects.get(title="集中度风险").residual_level in ("high", "critical")
    overdue = text[text.index("逾期审批条件"):]
    assert "仍未落实的逾期条件：1 项" in overdue and "补充压力测试报告" in overdue and "2026-11-20" in overdue
    assert "风险管理" in overdue and "复核定价" not in text and "完善客户告知书" not in text
    pdf_first_page_png(bytes(PortfolioPack.objects.get(language="zh-hans").pdf), "portfolio-pack-zh")


def test_the_english_pack_names_everything_in_english(portfolio):
    text = pdf_text(bytes(build("en").pdf))
    assert "Portfolio pack · Monthly" in text and "Planning" in text and "Development" in text
    assert "Stage changes" in text and "Review lead times" in text and "Average (days)" in text
    assert "PK-EXIT" in text and "Pending acceptance" in text
    overdue = text[text.index("Overdue approval conditions"):]
    assert "still open when the pack was built: 1" in overdue and "补充压力测试报告" in overdue and "Risk" in overdue
    pdf_first_page_png(bytes(PortfolioPack.objects.get(language="en").pdf), "portfolio-pack-en")


@pytest.mark.parametrize(("language", "sheet", "stage", "exits"),
                         [("zh-hans", "阶段变化", "开发", "退出中的产品"),
                          ("en", "Stage changes", "Development", "Products in exit")])
def test_the_xlsx_has_the_same_figures_in_the_pack_language(portfolio, language, sheet, stage, exits):
    book = openpyxl.load_workbook(io.BytesIO(bytes(build(language).xlsx)))
    changes = list(book[sheet].iter_rows(values_only=True))
    assert changes[1][0] == "PK-GATE" and changes[1][3] == stage and changes[1][4] == "2026-11-12"
    rows = list(book[exits].iter_rows(values_only=True))
    assert rows[1][0] == "PK-EXIT" and rows[1][3:] == (40, 40)
    overdue = list(book.worksheets[-1].iter_rows(values_only=True))
    assert [(r[0], r[1], r[4]) for r in overdue[1:]] == [("PK-GATE", "补充压力测试报告", "2026-11-20")]


def test_a_second_build_returns_the_kept_pack_unchanged(portfolio):
    first = build("zh-hans")
    ProductFactory(code="PK-LATE", stage="planning")
    again, created = packs.portfolio_pack_build(kind="month", start=D("2026-11-01"), end=D("2026-11-30"),
                                                language="zh-hans")
    assert (created, again.pk, again.sha256, bytes(again.pdf)) == (False, first.pk, first.sha256, bytes(first.pdf))
    assert PortfolioPack.objects.count() == 1


def test_a_kept_pack_cannot_be_changed_or_deleted(portfolio):
    pack = build("zh-hans")
    pack.figures = {}
    with pytest.raises(AuditImmutable):
        pack.save()
    with pytest.raises(AuditImmutable):
        PortfolioPack.objects.filter(pk=pack.pk).update(pdf=b"")
    with pytest.raises(AuditImmutable):
        PortfolioPack.objects.filter(pk=pack.pk).delete()
    assert PortfolioPack.objects.get(pk=pack.pk).figures["period"] == ["2026-11-01", "2026-11-30"]


def test_the_database_refuses_to_change_a_kept_pack(portfolio):
    pack = build("zh-hans")
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE reports_portfoliopack SET sha256 = 'x' WHERE id = %s", [pack.pk])
    assert PortfolioPack.objects.get(pk=pack.pk).sha256 == pack.sha256


def test_the_beat_task_builds_the_closed_month_and_quarter_in_both_languages_once(portfolio):
    assert packs.portfolio_packs_build_closed(today=D("2026-12-07")) == 4
    assert packs.portfolio_packs_build_closed(today=D("2026-12-08")) == 0
    assert sorted(PortfolioPack.objects.values_list("kind", "period_start", "period_end", "language")) == [
        ("month", D("2026-11-01"), D("2026-11-30"), "en"), ("month", D("2026-11-01"), D("2026-11-30"), "zh-hans"),
        ("quarter", D("2026-07-01"), D("2026-09-30"), "en"), ("quarter", D("2026-07-01"), D("2026-09-30"), "zh-hans")]


def test_subscribers_of_a_pack_and_language_are_notified_once(portfolio):
    head = UserFactory(username="pp_head", role="head_of_product", language="en")
    other = UserFactory(username="pp_other", role="head_of_product")
    PackSubscription.objects.create(kind="month", language="en", user=head)
    PackSubscription.objects.create(kind="quarter", language="zh-hans", user=other)
    pack = build("en")
    build("en")
    notes = Notification.objects.filter(recipient=head)
    assert notes.count() == 1 and notes.get().url == f"/reports/packs/{pack.pk}.pdf"
    assert not Notification.objects.filter(recipient=other).exists()


def test_the_reports_page_lists_packs_and_serves_their_files(client, portfolio):
    pack = build("zh-hans")
    client = login(client, portfolio)
    page = client.get("/reports/").content.decode()
    assert f'data-pack="{pack.pk}"' in page and "2026-11-01 – 2026-11-30" in page
    pdf = client.get(f"/reports/packs/{pack.pk}.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content == bytes(pack.pdf)
    assert client.get(f"/reports/packs/{pack.pk}.xlsx").content == bytes(pack.xlsx)
