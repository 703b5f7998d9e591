"""The board remembers the product last chosen, and a card moves with the keyboard."""
import pytest

from requirements.models import Requirement

pytestmark = pytest.mark.e2e


def test_board_remembers_the_product_and_moves_a_card_with_the_keyboard(page, demo_data, login, screenshot):
    login("pm1")
    page.goto("/requirements/board/")
    with page.expect_navigation():
        page.select_option("#board-product select", label=page.locator(
            "#board-product select option", has_text="CC-001").inner_text())
    page.goto("/requirements/board/")
    page.wait_for_url("**product=*")
    assert "CC-001" in page.inner_text(".page-pretitle")
    card = page.locator("#column-analysing .board-card").first
    card_id = card.get_attribute("data-id")
    card.locator("a").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(f"#column-confirmed .board-card[data-id='{card_id}']")
    assert Requirement.objects.get(pk=card_id).status == "confirmed"
    screenshot("board-keyboard-move")
