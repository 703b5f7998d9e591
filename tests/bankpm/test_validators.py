"""The shared validators: links that cannot run script, single-line text that cannot spoof."""
import pytest
from django.core.exceptions import ValidationError

from bankpm.apps import single_line_fields
from bankpm.validators import validate_link, validate_single_line


@pytest.mark.parametrize("link", ["", "https://wiki.bank.example/r", "http://intranet.bank.example/x?y=1",
                                  "/products/3/", "/kpis/alerts/?product=2"])
def test_web_addresses_and_own_paths_are_accepted(link):
    validate_link(link)


@pytest.mark.parametrize("link", ["javascript:alert(document.cookie)", "JavaScript:alert(1)", " javascript:alert(1)",
                                  "data:text/html,<script>alert(1)</script>", "vbscript:x", "//evil.example/",
                                  "/\\evil.example/", "ftp://files.example/x", "evil.example"])
def test_script_and_other_links_are_refused(link):
    with pytest.raises(ValidationError):
        validate_link(link)


@pytest.mark.parametrize("text", ["白金信用卡", "Platinum Card", "储蓄 · 2026", "👨‍👩‍👧 家庭卡"])
def test_ordinary_text_is_accepted(text):
    validate_single_line(text)


@pytest.mark.parametrize("text", ["gpj.exe\u202e", "abc\u2066def", "\u200fname", "\x1b[31mred\x1b[0m", "a\x00b",
                                  "two\nlines", "tab\there", "zero\u200bwidth"])
def test_bidi_controls_and_control_characters_are_refused(text):
    with pytest.raises(ValidationError):
        validate_single_line(text)


def test_every_single_line_field_of_every_app_carries_the_validator():
    fields = list(single_line_fields())
    assert {f.model._meta.app_label for f in fields} >= {"accounts", "products", "lifecycle", "requirements", "kpis",
                                                         "notifications"}
    assert all(validate_single_line in f.validators for f in fields)
