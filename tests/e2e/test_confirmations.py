"""Approve, reject and closing a risk ask first, in a dialog; cancelling changes nothing."""
import pytest

from approvals.models import ApprovalStep
from risks.models import Risk

pytestmark = pytest.mark.e2e


def test_approving_asks_first_and_cancelling_leaves_the_step_pending(page, demo_data, login, screenshot):
    login("finance1")
    page.goto("/lifecycle/reviews/")
    card = page.locator("#my-reviews [data-step]").first
    step_id = card.get_attribute("data-step")
    card.locator("textarea[name=comment]").fill("材料齐全")
    card.locator("button[data-action=approve]").click()
    dialog = page.locator("#confirm-dialog")
    dialog.wait_for()
    assert "同意" in dialog.locator("#confirm-message").inner_text()
    screenshot("confirm-approve-dialog")
    page.click("#confirm-cancel")
    dialog.wait_for(state="detached")
    assert ApprovalStep.objects.get(pk=step_id).status == "pending"
    with page.expect_navigation():
        card.locator("button[data-action=approve]").click()
        page.click("#confirm-ok")
    assert ApprovalStep.objects.get(pk=step_id).status == "approved"


def test_closing_a_risk_asks_first(page, demo_data, login):
    risk = Risk.objects.exclude(status="closed").select_related("product__owner").order_by("id").first()
    login(risk.product.owner.username)
    page.goto(f"/risks/{risk.pk}/")
    page.click("#risk-close")
    page.locator("#confirm-dialog").wait_for()
    page.keyboard.press("Escape")  # a dialog closed with Escape is a cancel
    page.locator("#confirm-dialog").wait_for(state="detached")
    assert Risk.objects.get(pk=risk.pk).status != "closed"
