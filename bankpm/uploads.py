"""Bounded reading of uploaded spreadsheets, shared by every import and upload.

A file is refused before its rows are read when it is too large, or when an XLSX archive's parts would unpack to
more than a bound (the sizes are read from the zip directory, and zipfile never inflates a member past its declared
size). An XLSX file's XML parts are then scanned (expat, streaming, stopping at the first excess) before openpyxl
sees them: no DTD or entity anywhere (billion laughs), a bounded shared-strings part (size and count), bounded
sheets (size, `<row>` count and numbers, the `<dimension>`). Rows are then streamed (openpyxl read-only mode,
csv.reader) and counted, blank rows included, and reading stops at the first row past the limit.
"""
import base64
import binascii
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.utils.exceptions import InvalidFileException

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 32 * 1024 * 1024
# An XLSX file's parts: shared strings and each sheet are parsed by openpyxl into Python objects, so their size and
# element counts are bounded well below what a worker can hold and parse within a second or two.
MAX_SHARED_STRINGS_BYTES = 8 * 1024 * 1024
MAX_SHARED_STRINGS = 100_000
MAX_SHEET_BYTES = 16 * 1024 * 1024
MAX_COLUMNS = 200
_SCAN_CHUNK = 64 * 1024


class UploadRefused(ValueError):
    """The file is refused as a whole; the message says why, for the form."""


class HeaderError(UploadRefused):
    """The first row is not the expected header."""


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def check_upload_size(size: int) -> None:
    if size > MAX_UPLOAD_BYTES:
        raise UploadRefused(_("文件过大：最多 %(max)s。") % {"max": _megabytes(MAX_UPLOAD_BYTES)})


def check_xlsx_archive(fileobj) -> None:
    """Refuse an archive whose parts would unpack to more than MAX_UNCOMPRESSED_BYTES (a zip bomb)."""
    try:
        with zipfile.ZipFile(fileobj) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile as error:
        raise UploadRefused(_("无法读取文件：请确认是有效的 XLSX 文件。")) from error
    finally:
        fileobj.seek(0)
    if unpacked > MAX_UNCOMPRESSED_BYTES:
        raise UploadRefused(_("文件解压后过大：最多 %(max)s。") % {"max": _megabytes(MAX_UNCOMPRESSED_BYTES)})


class _Scan:
    """One streaming pass of expat over an XML part: refuses any DTD (entities, billion laughs), and with `limits`
    counts elements by local name, refusing the part at the first one past its limit."""

    def __init__(self, *, limits: dict[str, tuple[int, UploadRefused]] | None = None, max_rows: int = 0):
        self.limits, self.counts, self.max_rows = limits or {}, {}, max_rows
        self.parser = expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        if self.limits or max_rows:
            self.parser.StartElementHandler = self._element

    def _doctype(self, *args):
        raise UploadRefused(_("无法读取文件：XLSX 文件中不能包含 DTD 或实体声明。"))

    def _element(self, name, attributes):
        local = name.rpartition(":")[2]
        if local in self.limits:
            self.counts[local] = count = self.counts.get(local, 0) + 1
            if count > self.limits[local][0]:
                raise self.limits[local][1]
        if local == "row" and self.max_rows:
            number = attributes.get("r", "")
            if number.isdigit() and int(number) > self.max_rows + 1:
                raise _too_many_rows(self.max_rows)
        elif local == "dimension":
            _check_dimension(attributes.get("ref", ""), self.max_rows)

    def feed(self, part) -> None:
        while chunk := part.read(_SCAN_CHUNK):
            self.parser.Parse(chunk, False)
        self.parser.Parse(b"", True)


def _check_dimension(ref: str, max_rows: int) -> None:
    """`A1:XFD1048576` would make openpyxl pad every row to 16,384 cells and walk a million rows."""
    from openpyxl.utils.cell import range_boundaries

    try:
        _min_col, _min_row, max_col, max_row = range_boundaries(ref.upper())
    except (ValueError, TypeError):
        return  # openpyxl ignores a dimension it cannot read; the row and size bounds still apply
    if (max_col or 0) > MAX_COLUMNS:
        raise UploadRefused(_("表格列数过多：最多 %(max)s 列。") % {"max": MAX_COLUMNS})
    if max_rows and (max_row or 0) > max_rows + 1:
        raise _too_many_rows(max_rows)


def check_xlsx_parts(fileobj, *, max_rows: int) -> None:
    """Scan every XML part of an XLSX archive before openpyxl parses it (see the module docstring)."""
    too_many_strings = UploadRefused(_("文件中的文本过多：最多 %(max)s 个不同的文本。")
                                     % {"max": f"{MAX_SHARED_STRINGS:,}"})
    too_many_rows = _too_many_rows(max_rows)
    try:
        with zipfile.ZipFile(fileobj) as archive:
            for member in archive.infolist():
                name = member.filename.lower()
                if not name.endswith((".xml", ".rels")):
                    continue
                if name.endswith("sharedstrings.xml"):
                    _check_part_size(member, MAX_SHARED_STRINGS_BYTES)
                    scan = _Scan(limits={"si": (MAX_SHARED_STRINGS, too_many_strings)})
                elif name.startswith("xl/worksheets/"):
                    _check_part_size(member, MAX_SHEET_BYTES)
                    scan = _Scan(limits={"row": (max_rows + 1, too_many_rows)}, max_rows=max_rows)
                else:
                    scan = _Scan()
                with archive.open(member) as part:
                    scan.feed(part)
    except expat.ExpatError as error:
        raise UploadRefused(_("无法读取文件：XLSX 文件中的 XML 已损坏。")) from error
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as error:
        raise UploadRefused(_("无法读取文件：请确认是有效的 XLSX 文件。")) from error
    finally:
        fileobj.seek(0)


def _check_part_size(member: zipfile.ZipInfo, limit: int) -> None:
    if member.file_size > limit:
        raise UploadRefused(_("文件中的工作表或文本部分过大：每部分最多 %(max)s。") % {"max": _megabytes(limit)})


def _too_many_rows(max_rows: int) -> UploadRefused:
    return UploadRefused(_("每个文件最多 %(max)s 行数据（空行也计算在内）；请拆分后分批导入。")
                         % {"max": f"{max_rows:,}"})


def counted(rows: Iterator, *, max_rows: int) -> Iterator:
    """Yield the header and at most `max_rows` rows after it; refuse the file at the first row past the limit."""
    for number, row in enumerate(rows):
        if number > max_rows:
            raise _too_many_rows(max_rows)
        yield row


def xlsx_rows(fileobj, *, max_rows: int) -> Iterator[tuple]:
    """The active sheet's rows as tuples of values (the header first), streamed and counted."""
    from openpyxl import load_workbook

    check_xlsx_archive(fileobj)
    check_xlsx_parts(fileobj, max_rows=max_rows)
    book = load_workbook(fileobj, read_only=True, data_only=True)
    try:
        yield from counted(book.active.iter_rows(values_only=True), max_rows=max_rows)
    finally:
        book.close()


def csv_rows(fileobj, *, max_rows: int) -> Iterator[list[str]]:
    """A UTF-8 CSV file's rows (the header first), decoded while streaming and counted."""
    fileobj.seek(0)
    text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="")
    try:
        yield from counted(csv.reader(text), max_rows=max_rows)
    finally:
        if not text.closed:  # a reader left unfinished may be collected after the upload was closed
            text.detach()


def open_upload(upload):
    """A seekable binary file for an uploaded file, refused at once when it is too large."""
    check_upload_size(upload.size)
    upload.seek(0)
    return upload.file if hasattr(upload, "file") else upload


def read_upload(upload, *, read_csv: Callable, read_xlsx: Callable) -> list:
    """An uploaded CSV or XLSX read by the caller's row reader, bounded first; every failure is an UploadRefused
    whose message tells the user what to fix (the forms show it on the file field, in the reader's language: the
    fixed messages stay lazy)."""
    name = upload.name.lower()
    if not name.endswith((".csv", ".xlsx")):
        raise UploadRefused(gettext_lazy("只支持 .csv 或 .xlsx 文件。"))
    fileobj = open_upload(upload)
    try:
        return read_csv(fileobj) if name.endswith(".csv") else read_xlsx(fileobj)
    except UnicodeDecodeError as error:
        raise UploadRefused(gettext_lazy("无法读取文件：CSV 须为 UTF-8 编码。")) from error
    except UploadRefused:
        raise
    except (csv.Error, ValueError, KeyError, OSError, zipfile.BadZipFile, InvalidFileException, ParseError,
            SyntaxError, TypeError, AttributeError, IndexError, expat.ExpatError) as error:
        # openpyxl (and defusedxml under it) raise many kinds of errors on a damaged workbook; none helps the user.
        raise UploadRefused(gettext_lazy("无法读取文件：请确认是有效的 CSV 或 XLSX 文件。")) from error


def header_aliases(columns, titles: dict) -> dict[str, str]:
    """Each column's code and its title in every language (compared without case), all naming the column: a file
    may head its columns "product", "产品代码" or "Product code"."""
    from django.conf import settings
    from django.utils import translation

    aliases = {code.casefold(): code for code in columns}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            aliases.update({str(title).strip().casefold(): code for code, title in titles.items()})
    return aliases


def normalise_header(header: list[str], columns, titles: dict) -> list[str]:
    """The header with every known title replaced by its column code (unknown names kept as typed)."""
    aliases = header_aliases(columns, titles)
    return [aliases.get(str(name).strip().casefold(), str(name).strip()) for name in header]


class KeptUploadForm(forms.Form):
    """An upload with a dry run whose file is kept for the real import: the page re-posts it (base64, bounded by
    MAX_UPLOAD_BYTES before it is decoded), so that nobody picks the file again after a dry run. Subclasses declare
    `file` (not required) and `dry_run`, and `read_rows(upload)` which returns the rows or raises UploadRefused."""

    content = forms.CharField(widget=forms.HiddenInput, required=False)
    filename = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def read_rows(self, upload) -> list:
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        try:
            upload = data.get("file") or self._kept(data)
            if upload is None:
                raise UploadRefused(_("请选择要导入的文件。"))
            check_upload_size(upload.size)
            upload.seek(0)
            content = upload.read()
            data["kept"] = {"content": base64.b64encode(content).decode(), "filename": upload.name}
            data["file"] = self.read_rows(SimpleUploadedFile(upload.name, content))
        except UploadRefused as error:
            self.add_error("file", error.args[0])
        return data

    @staticmethod
    def _kept(data):
        raw = data.get("content") or ""
        if not raw:
            return None
        if len(raw) > (MAX_UPLOAD_BYTES + 2) // 3 * 4:
            check_upload_size(MAX_UPLOAD_BYTES + 1)  # refused before decoding
        try:
            content = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError) as error:
            raise UploadRefused(_("请重新选择文件。")) from error
        return SimpleUploadedFile(data.get("filename") or "upload.csv", content)


def column_titled(errors: dict, titles: dict) -> dict:
    """A row's errors keyed by the column's title in the reader's language with its code ("数值 (value)"), as the
    person reading the page named the column, rather than by the bare field code."""
    return {(f"{titles[name]} ({name})" if name in titles else name): problems for name, problems in errors.items()}
