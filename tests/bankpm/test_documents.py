"""The attachment allow-list: by extension and by content."""
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from bankpm.documents import validate_document


def docx_bytes(main_part="word/document.xml"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content"), [
    ("report.pdf", b"%PDF-1.7 body"),
    ("design.docx", docx_bytes()),
    ("chart.PNG", b"\x89PNG\r\n\x1a\n...."),
    ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1...."),
], ids=["pdf", "docx", "png", "xls"])
def test_allow_listed_documents_are_accepted(name, content):
    validate_document(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(("name", "content"), [
    ("evil.html", b"<script>alert(document.cookie)</script>"),
    ("evil.svg", b"<svg onload=alert(1)>"),
    ("evil.pdf", b"<script>alert(document.cookie)</script>"),
    ("evil.docx", docx_bytes(main_part="index.html")),
    ("noext", b"%PDF-1.7"),
], ids=["html", "svg", "script-as-pdf", "html-in-a-zip-as-docx", "no-extension"])
def test_other_types_and_disguised_files_are_refused(name, content):
    with pytest.raises(ValidationError) as error:
        validate_document(SimpleUploadedFile(name, content))
    assert "attachment" in error.value.message_dict


def test_a_file_over_the_size_limit_is_refused():
    upload = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError, match="附件过大"):
        validate_document(upload)
