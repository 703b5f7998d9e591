"""RICE scores on the board, the list and the product page read with thousands separators."""
from decimal import Decimal

from requirements.templatetags.requirements_tags import board_cards, whole


def test_whole_rounds_down_to_a_whole_number_with_thousands_separators():
    assert whole(Decimal("64000.40")) == "64,000"
    assert whole(None) == ""


def test_board_cards_show_the_rice_score_with_thousands_separators():
    html = board_cards([{"id": 7, "title": "t", "priority": "P1", "rice": 64000, "version": None,
                         "assignee": ""}], "/requirements/")
    assert "RICE 64,000" in html
