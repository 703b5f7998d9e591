"""The product page checklist: the gate card follows it, Enter waives, focus stays in the row."""
import pytest

from lifecycle.models import Deliverable
from products.models import Product

pytestmark = pytest.mark.e2e


def test_gate_card_enables_submit_once_the_last_required_item_is_ticked(page, demo_data, login, screenshot):
    product = Product.objects.get(code="CC-005")
    login("pm1")
    page.goto(f"/products/{product.pk}/")
    assert page.locator("#gate-review .alert-warning").count() == 1
    assert page.locator("#submit-gate").is_disabled()
    for row in page.locator("#deliverables tr[data-status=open]").all():
        row.locator("button[data-action=done]").click()
    page.wait_for_selector("#deliverables tr[data-status=open]", state="detached")
    page.wait_for_selector("#submit-gate:not([disabled])")
    assert page.locator("#gate-review .alert-warning").count() == 0
    screenshot("lifecycle-gate-card-follows-checklist")


def test_enter_in_the_waiver_reason_asks_for_the_waiver_of_a_required_item(page, demo_data, login, screenshot):
    product = Product.objects.get(code="CC-005")
    login("pm1")
    page.goto(f"/products/{product.pk}/")
    row = page.locator('#deliverables tr[data-status=open][data-required="1"]').first
    row_id = row.get_attribute("id")
    row.locator("input[name=reason]").fill("沿用上一版本的调研报告")
    row.locator("input[name=reason]").press("Enter")
    page.wait_for_selector(f"#{row_id}[data-status=waiver_requested]")
    item = Deliverable.objects.get(pk=row_id.split("-")[1])
    assert item.status == "waiver_requested" and item.waiver_reason == "沿用上一版本的调研报告"
    screenshot("lifecycle-enter-asks-waiver")


def test_focus_stays_in_the_row_after_an_action(page, demo_data, login):
    product = Product.objects.get(code="CC-005")
    login("pm1")
    page.goto(f"/products/{product.pk}/")
    row_id = page.locator("#deliverables tr[data-status=open]").first.get_attribute("id")
    page.locator(f"#{row_id} button[data-action=done]").click()
    page.wait_for_selector(f"#{row_id}[data-status=done]")
    page.wait_for_function(f"document.activeElement.closest('#{row_id}') !== null")
    assert page.evaluate("document.activeElement.tagName") != "BODY"
