"""Hostile spreadsheets generated for the upload bounds tests, and a peak-memory probe for a view."""
import contextlib
import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable
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


def _header_sheet(header: list[str], extra: str = "", *, head: str = _SHEET_HEAD) -> Callable:
    def sheet(part):
        part.write((head + _inline_row(1, header) + extra + _SHEET_TAIL).encode())
    return sheet


def xlsx_many_shared_strings(header: list[str], *, megabytes: int = 31) -> bytes:
    """Tens of kilobytes whose shared strings hold `megabytes` MB of one-character strings (about 1.9 million of
    them for 31 MB): under the archive's total bound, but each one a Python object for openpyxl."""

    def strings(part):
        part.write(_SST_HEAD.encode())
        item = b"<si><t>A</t></si>"
        chunk = item * (1024 * 1024 // len(item))
        for _ in range(megabytes):
            part.write(chunk)
        part.write(b"</sst>")

    return _archive(_header_sheet(header, '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'), strings)


def xlsx_empty_rows_without_dimension(header: list[str], *, rows: int = 3_000_000) -> bytes:
    """`rows` bare `<row/>` elements (no numbers, no `<dimension>`): a few tens of kilobytes."""

    def sheet(part):
        part.write((_SHEET_HEAD + _inline_row(1, header)).encode())
        chunk = b"<row/>" * 100_000
        for _ in range(rows // 100_000):
            part.write(chunk)
        part.write(_SHEET_TAIL.encode())

    return _archive(sheet)


def xlsx_with_dimension(header: list[str], ref: str = "A1:XFD1048576") -> bytes:
    """A two-row sheet that declares itself `ref` large."""
    head = _SHEET_HEAD.replace("<sheetData>", f'<dimension ref="{ref}"/><sheetData>')
    return _archive(_header_sheet(header, _inline_row(2, ["x"] * len(header)), head=head))


def xlsx_billion_laughs(header: list[str]) -> bytes:
    """Shared strings whose one string is an entity expanding to 10^9 "lol"s."""
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    bomb = (f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>')
    return _archive(_header_sheet(header, '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'),
                    lambda part: part.write(bomb.encode()))


# The hostile files of the upload bounds tests, each with the refusal it must get (a form error, never a 500).
HOSTILE_XLSX = {
    "shared-strings": (xlsx_many_shared_strings, "文件中的工作表或文本部分过大"),
    # 3,000,000 rows are 18 MB of sheet XML (over the part bound); a million, 6 MB, are counted and stopped.
    "rows-without-dimension": (xlsx_empty_rows_without_dimension, "文件中的工作表或文本部分过大"),
    "million-rows-without-dimension": (lambda header: xlsx_empty_rows_without_dimension(header, rows=1_000_000),
                                       "行数据"),
    "dimension": (xlsx_with_dimension, "表格列数过多"),
    "billion-laughs": (xlsx_billion_laughs, "不能包含 DTD"),
}


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
