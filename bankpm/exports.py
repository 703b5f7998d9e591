"""CSV / XLSX downloads of what a list page shows (its current filters applied)."""
import tablib
from django.http import HttpResponse

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_response(*, headers, rows, filename, file_format):
    """Rows are tuples in the order of headers; CSV carries a BOM so that Excel opens Chinese text correctly."""
    dataset = tablib.Dataset(*rows, headers=[str(h) for h in headers])
    if file_format == "xlsx":
        payload = dataset.export("xlsx")
    else:
        payload = "\ufeff" + dataset.export("csv")
    response = HttpResponse(payload, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    return response
