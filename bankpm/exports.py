"""CSV / XLSX downloads of what a list page shows (its current filters applied)."""
import tablib
from django.http import HttpResponse

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """Text typed by users must not run as a spreadsheet formula when the file is opened (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_response(*, headers, rows, filename, file_format):
    """Rows are tuples in the order of headers; CSV carries a BOM so that Excel opens Chinese text correctly."""
    dataset = tablib.Dataset(*(tuple(_cell(v) for v in row) for row in rows), headers=[str(h) for h in headers])
    if file_format == "xlsx":
        payload = dataset.export("xlsx")
    else:
        payload = "\ufeff" + dataset.export("csv")
    response = HttpResponse(payload, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response
