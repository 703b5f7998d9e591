"""core.widgets.IsoDateInput: a date input holds ISO in every language, whatever the locale's input formats."""
import datetime as dt
import subprocess
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import translation

from core.widgets import IsoDateInput

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@override_settings(FORMAT_MODULE_PATH=None)  # without the project's format modules, zh-hans would give 2027/03/07
def test_a_date_input_holds_an_iso_date_in_every_language(language):
    with translation.override(language):
        html = IsoDateInput().render("due", dt.date(2027, 3, 7))
    assert 'type="date"' in html and 'value="2027-03-07"' in html


def test_no_form_declares_a_date_input_of_its_own():
    """Every browser date picker of the apps is the ISO widget (a plain DateInput shows the localized date)."""
    found = subprocess.run(["git", "grep", "-n", "forms.DateInput(", "--", "*.py", ":!tests", ":!core/widgets.py"],
                           cwd=ROOT, capture_output=True, text=True).stdout
    assert found == ""
