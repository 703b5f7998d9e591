"""Date inputs hold ISO dates in every language (bankpm/formats), and read them back."""
from datetime import date

import pytest
from django import forms
from django.utils import translation


class _DayForm(forms.Form):
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_date_input_renders_its_value_in_iso(language):
    with translation.override(language):
        html = str(_DayForm(initial={"day": date(2027, 3, 7)})["day"])
    assert 'value="2027-03-07"' in html


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_date_input_reads_an_iso_date_back(language):
    with translation.override(language):
        form = _DayForm(data={"day": "2027-03-07"})
        assert form.is_valid() and form.cleaned_data["day"] == date(2027, 3, 7)
