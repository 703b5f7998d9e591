"""The upload form: file errors in the user's language."""
from django.core.files.uploadedfile import SimpleUploadedFile


def test_file_errors_of_the_upload_form_are_translated():
    from django.utils import translation

    from kpis.forms import ObservationUploadForm

    form = ObservationUploadForm(data={}, files={"file": SimpleUploadedFile("data.csv", "é".encode("latin-1"))})
    assert not form.is_valid()
    with translation.override("en"):
        assert form.errors["file"] == ["Cannot read the file: a CSV file must be encoded in UTF-8."]
