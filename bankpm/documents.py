"""Attachments: an allow-list of document types checked by content, and the one way they are served (a download).

A file is accepted only when its name's extension is on the list *and* its first bytes are that kind's signature
(an OOXML document must also hold its own main part), so `evil.html` renamed `evil.pdf` is refused. Whatever is
stored is served only by `download_response`: `Content-Disposition: attachment`, `nosniff` and a sandbox policy,
so that not even a file that slipped through could run in the site's origin.
"""
import os
import zipfile

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy Office (.doc, .xls, .ppt)
# extension: (content type, signature, OOXML main part or None)
DOCUMENT_TYPES = {
    "pdf": ("application/pdf", b"%PDF-", None),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04",
             "word/document.xml"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04", "xl/workbook.xml"),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", b"PK\x03\x04",
             "ppt/presentation.xml"),
    "doc": ("application/msword", OLE, None),
    "xls": ("application/vnd.ms-excel", OLE, None),
    "ppt": ("application/vnd.ms-powerpoint", OLE, None),
    "png": ("image/png", b"\x89PNG\r\n\x1a\n", None),
    "jpg": ("image/jpeg", b"\xff\xd8\xff", None),
    "jpeg": ("image/jpeg", b"\xff\xd8\xff", None),
}


def extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower().lstrip(".")


def _refused():
    allowed = ", ".join(f".{ext}" for ext in DOCUMENT_TYPES)
    return ValidationError({"attachment": _("只接受以下文档类型：%(types)s（按文件内容检查）。") % {"types": allowed}},
                           code="document_type")


def _holds_part(upload, part: str) -> bool:
    try:
        with zipfile.ZipFile(upload) as archive:
            return part in archive.namelist()
    except zipfile.BadZipFile:
        return False


def validate_document(upload) -> None:
    """Refuse a file that is too large or is not, by its content, one of DOCUMENT_TYPES."""
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"attachment": _("附件过大：最多 %(max)s MB。") % {"max": MAX_ATTACHMENT_BYTES // 2**20}},
                              code="too_large")
    kind = DOCUMENT_TYPES.get(extension(upload.name))
    if kind is None:
        raise _refused()
    _content_type, signature, part = kind
    upload.seek(0)
    head = upload.read(len(signature))
    try:
        if head != signature or (part and not _holds_part(upload, part)):
            raise _refused()
    finally:
        upload.seek(0)


def download_response(field_file) -> FileResponse:
    """The stored file as a download, never rendered by the browser."""
    name = os.path.basename(field_file.name)
    content_type = DOCUMENT_TYPES.get(extension(name), ("application/octet-stream",))[0]
    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
