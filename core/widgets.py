"""Form widgets every app shares."""
from django import forms


class IsoDateInput(forms.DateInput):
    """A browser date picker: its value must be ISO (YYYY-MM-DD) in every language, or the browser shows it empty
    and the next save loses the date."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
