"""HTML → PDF with WeasyPrint: Chinese A4 with the Noto CJK fonts of the operating system embedded.

Templates under templates/reports/pdf/ extend `pdf/base.html`, which links the print stylesheet
(page numbers in the margin boxes, repeated table headers, the table of contents filled in with
`target-counter`). Nothing is fetched from the network: the only URLs WeasyPrint may resolve are our
own static files and `data:` URIs (the SVG charts).
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation


def _url_fetcher(url: str, timeout: int = 10, ssl_context=None):
    from weasyprint.urls import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
    prefix = "opsdesk-static:"
    if url.startswith(prefix):
        found = finders.find(url[len(prefix):].lstrip("/"))
        if found:
            return {"file_obj": Path(found).open("rb"), "mime_type": _mime(found)}
    raise ValueError(f"PDF rendering refuses to fetch {url!r}")


def _mime(path: str) -> str:
    if path.endswith(".css"):
        return "text/css"
    if path.endswith(".svg"):
        return "image/svg+xml"
    return "application/octet-stream"


def render_html(template: str, context: dict) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, context)


def render_pdf(template: str, context: dict) -> bytes:
    """Render `template` with `context` to PDF bytes. Text in the context is escaped by the template
    engine as on any page."""
    from weasyprint import HTML

    html = render_html(template, context)
    return HTML(string=html, base_url="opsdesk-static:/", url_fetcher=_url_fetcher).write_pdf(
        pdf_variant=None, uncompressed_pdf=False, optimize_images=False
    )
