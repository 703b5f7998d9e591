"""The review pack: a review as a PDF, read back with pdftotext, in Chinese and English."""
import datetime as dt

import pytest
from django.utils import timezone

from lifecycle import services as lifecycle_services
from tests.factories import ProductFactory, UserFactory, complete_deliverables, reviewers_by_department
from tests.helpers import api, login, pdf_first_page_png, pdf_text

pytestmark = pytest.mark.django_db
DUE = timezone.localdate() + dt.timedelta(days=30)


@pytest.fixture
def decided_review(db):
    """A planning gate of a credit card, approved by every department with a comment each; risk attaches a condition
    owned by the product's manager."""
    owner = UserFactory(username="pack_owner", role="product_manager", first_name="晓明", last_name="王")
    product = ProductFactory(owner=owner, code="PACK-1", name="白金信用卡", name_en="Platinum Card",
                             category="credit_card", risk_rating="R3")
    complete_deliverables(product)
    review = lifecycle_services.gate_review_submit(product=product, user=owner)
    reviewers = reviewers_by_department()
    for step in review.steps.order_by("position", "id"):
        extra = {"conditions": [{"action": "上线前补充压力测试报告", "owner": owner.pk, "due": DUE.isoformat()}]} \
            if step.department == "risk" else {}
        lifecycle_services.approval_step_decide(review=review, department=step.department,
                                                user=reviewers[step.department], decision="approve",
                                                comment=f"同意{step.position}{step.department[:2]}", **extra)
    review.refresh_from_db()
    return review


def test_the_pack_is_a_pdf_with_subject_submission_and_decisions(decided_review):
    response = api(decided_review.product.owner).get(f"/api/v1/reviews/{decided_review.pk}/pack.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "评审材料：PACK-1 白金信用卡" in text and "规划 → 开发" in text and "已通过" in text
    assert "提交内容（提交时快照）" in text and "交付物" in text
    assert "同意1ri" in text and "同意2se" in text
    assert "风险管理" in text and "risk_rev" in text
    assert decided_review.decided_at.astimezone().strftime("%Y-") in text
    pdf_first_page_png(response.content, "review-pack-zh")


@pytest.mark.parametrize(("language", "words"), [
    ("zh-hans", ["审批条件", "须落实事项", "负责人", "截止日期", "待落实"]),
    ("en", ["Approval conditions", "Action required", "Owner", "Due date", "Open"])])
def test_the_pack_lists_the_review_conditions_in_the_reader_language(decided_review, language, words):
    reader = UserFactory(username=f"cond_reader_{language[:2]}", role="head_of_product", language=language)
    text = pdf_text(api(reader).get(f"/api/v1/reviews/{decided_review.pk}/pack.pdf").content)
    conditions = text[text.rindex(words[0]):]  # the last section
    assert all(word in conditions for word in words), conditions
    assert "上线前补充压力测试报告" in conditions and DUE.isoformat() in conditions and "王晓明" in conditions


def test_the_pack_follows_the_reader_language_setting(decided_review):
    reader = UserFactory(username="pack_reader", role="head_of_product", language="en")
    response = api(reader).get(f"/api/v1/reviews/{decided_review.pk}/pack.pdf")
    text = pdf_text(response.content)
    assert "Platinum Card" in text and "Planning → Development" in text and "Approved" in text
    assert "Decisions" in text and "Risk" in text and "Fee (CNY)" in text
    pdf_first_page_png(response.content, "review-pack-en")


def test_the_pages_language_switch_decides_the_pack_language(client, decided_review):
    client.cookies["django_language"] = "en"
    response = login(client, decided_review.product.owner).get(f"/api/v1/reviews/{decided_review.pk}/pack.pdf")
    assert "Platinum Card" in pdf_text(response.content)


def test_an_unknown_review_is_a_404(decided_review):
    assert api(decided_review.product.owner).get("/api/v1/reviews/999999/pack.pdf").status_code == 404


def test_the_product_page_links_the_open_review_pack(client):
    owner = UserFactory(username="pack_owner2", role="product_manager")
    product = ProductFactory(owner=owner)
    complete_deliverables(product)
    review = lifecycle_services.gate_review_submit(product=product, user=owner)
    page = login(client, owner).get(product.get_absolute_url()).content.decode()
    assert f'href="/api/v1/reviews/{review.pk}/pack.pdf"' in page
    assert client.get(f"/api/v1/reviews/{review.pk}/pack.pdf").status_code == 200
