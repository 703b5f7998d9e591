"""A reviewer's day: several steps decided at once, and a substitute deciding for an absent colleague."""
import datetime as dt

import pytest
from django.utils import timezone

from approvals import delegations
from approvals.models import ApprovalStep
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_finance_reviewer_approves_two_steps_with_one_comment(page, demo_data, login, screenshot):
    login("finance1")
    page.goto("/lifecycle/reviews/")
    cards = page.locator("#my-reviews [data-step]")
    ids = [cards.nth(i).get_attribute("data-step") for i in range(cards.count())]
    assert len(ids) >= 2
    for card_id in ids[:2]:
        page.check(f"[data-step='{card_id}'] input.bulk-select")
    page.fill("#bulk-comment", "材料齐全，同意")
    screenshot("reviewer-bulk-selected")
    with page.expect_navigation():
        page.click("button[data-action=bulk-approve]")
        page.click("#confirm-ok")
    assert "已记录 2 项审批决定" in page.inner_text(".alert-success")
    decided = ApprovalStep.objects.filter(pk__in=ids[:2])
    assert {(s.status, s.comment) for s in decided} == {("approved", "材料齐全，同意")}
    screenshot("reviewer-bulk-decided")


def test_substitute_decides_for_the_absent_reviewer(page, demo_data, login, screenshot):
    from django.contrib.auth import get_user_model

    finance1 = get_user_model().objects.get(username="finance1")
    UserFactory(username="finance2", first_name="敏", last_name="周", role="reviewer", departments=["finance"],
                password="bankpm-demo")
    substitute = get_user_model().objects.get(username="finance2")
    today = timezone.localdate()
    delegations.delegation_create(user=finance1, delegate=substitute, starts_on=today,
                                  ends_on=today + dt.timedelta(days=7))
    login("finance2")
    page.goto("/lifecycle/reviews/")
    card = page.locator("#my-reviews [data-step]").first
    assert "代 陈强 审批" in card.locator(".acting-for").inner_text()
    screenshot("reviewer-delegated-queue")
    step_id = card.get_attribute("data-step")
    card.locator("textarea[name=comment]").fill("代为同意")
    card.locator(".acting-for input[name=on_behalf_of]").check()  # acting for the delegator is an explicit choice
    with page.expect_navigation():
        card.locator("button[data-action=approve]").click()
        page.click("#confirm-ok")
    step = ApprovalStep.objects.get(pk=step_id)
    assert (step.decided_by, step.on_behalf_of) == (substitute, finance1)
