"""HTML to PDF with WeasyPrint (our own templates; CJK text in Noto Sans CJK, installed from Debian)."""
from django.conf import settings
from django.template.loader import render_to_string


def render_pdf(*, template: str, context: dict) -> bytes:
    """Render `template` with `context` and lay it out as a PDF (A4, the template's own print CSS)."""
    from weasyprint import HTML  # imported late: pango is loaded only when a PDF is made

    html = render_to_string(template, context)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
