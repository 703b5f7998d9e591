"""Hostile spreadsheets generated for the upload bounds tests, and a peak-memory probe for a view."""
import contextlib
import io
import time
import tracemalloc
import zipfile
from unittest import mock

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    '<Relationship Id="rId2" Target="sharedStrings.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
    "</Relationships>"
)
_SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
_SHEET_TAIL = "</sheetData></worksheet>"
_SST_HEAD = '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _inline_row(number: int, values: list[str]) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def _archive(write_sheet, shared_strings=lambda part: part.write(f"{_SST_HEAD}</sst>".encode())) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            write_sheet(part)
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            shared_strings(part)
    return buffer.getvalue()


def xlsx_with_rows(header: list[str], rows: list[list[str]], *, last_row: int | None = None) -> bytes:
    """A workbook with the header, the rows, and (with `last_row`) one more cell that far down: a sheet of that
    many rows which is only a few hundred bytes, all rows in between being empty."""

    def write(part):
        part.write(_SHEET_HEAD.encode())
        for number, values in enumerate([header, *rows], start=1):
            part.write(_inline_row(number, values).encode())
        if last_row:
            part.write(_inline_row(last_row, ["x"]).encode())
        part.write(_SHEET_TAIL.encode())

    return _archive(write)


def xlsx_shared_string_bomb(header: list[str], *, megabytes: int = 300) -> bytes:
    """A few hundred kilobytes whose shared strings unpack to one string of `megabytes` MB."""

    def sheet(part):
        part.write((_SHEET_HEAD + _inline_row(1, header)
                    + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>' + _SHEET_TAIL).encode())

    def strings(part):
        part.write(f'{_SST_HEAD}<si><t>'.encode())
        chunk = b"A" * (1024 * 1024)
        for _ in range(megabytes):
            part.write(chunk)
        part.write(b"</t></si></sst>")

    return _archive(sheet, strings)


@contextlib.contextmanager
def measured(view_class, method: str = "post"):
    """Measure one call of the view's handler (multipart parsing and all): yields a dict with `peak` bytes of
    Python allocations and `seconds`, filled in when the block ends."""
    probe = {}
    original = getattr(view_class, method)

    def handler(self, *args, **kwargs):
        tracemalloc.start()
        started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            probe["seconds"] = time.perf_counter() - started
            probe["peak"] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()

    with mock.patch.object(view_class, method, handler):
        yield probe
