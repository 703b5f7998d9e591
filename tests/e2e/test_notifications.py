"""Notifications read in the reader's language; opening one marks it read and lands on the comment."""
import pytest

from notifications.models import Notification

pytestmark = pytest.mark.e2e


def test_english_reader_opens_a_mention_and_lands_on_the_comment(page, demo_data, login, screenshot):
    login("compliance1")
    page.goto("/notifications/?kind=requirement")  # what asks to act (reviews to decide) is listed first otherwise
    with page.expect_navigation():
        page.select_option("#language-switcher select", "en")
    item = page.locator("#notifications [data-read=no]", has_text="mentioned you on requirement").first
    assert item.count() == 1
    screenshot("notifications-en")
    note_id = item.get_attribute("id").split("-")[1]
    with page.expect_navigation():
        item.locator("button.notification-open").click()
    assert "#comment-" in page.url
    anchor = page.url.split("#")[1]
    assert page.locator(f"#{anchor}").is_visible()
    assert Notification.objects.get(pk=note_id).read_at is not None
    screenshot("notifications-mention-comment")
