"""Numbers on pages in their unit's format: thousands separators, rates at their precision, money with its unit."""
from decimal import Decimal

from bankpm.templatetags.bankpm import grouped, money, rate


def test_grouped_puts_thousands_separators_in_whole_numbers():
    assert grouped(64000) == "64,000"
    assert grouped(1200) == "1,200"


def test_grouped_keeps_the_values_own_precision_without_trailing_zeros():
    assert grouped(Decimal("1234.50")) == "1,234.5"
    assert grouped(Decimal("2.00")) == "2"


def test_grouped_with_digits_rounds_to_them():
    assert grouped(Decimal("64000.4"), 0) == "64,000"


def test_grouped_shows_a_dash_for_missing_and_leaves_text_alone():
    assert grouped(None) == "—"
    assert grouped("n/a") == "n/a"


def test_rate_is_shown_at_its_precision_with_at_least_two_decimals():
    assert rate(Decimal("18.2500")) == "18.25%"
    assert rate(Decimal("0.2000")) == "0.20%"
    assert rate(Decimal("2.3550")) == "2.355%"
    assert rate(None) == "—"


def test_money_has_separators_two_decimals_and_its_unit():
    assert money(Decimal("2000"), "元") == "2,000.00 元"
    assert money(None, "元") == "—"
