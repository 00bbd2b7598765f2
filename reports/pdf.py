"""HTML to PDF with WeasyPrint. A report is laid out whole, or in parts whose PDFs are then joined
(pypdf), so that memory stays that of one part; "Page X of Y" is then stamped on the joined pages."""

import functools
import io
from base64 import b64encode

from django.conf import settings
from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from .templatetags.report_format import css_string

CONTENT_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}


def logo_data_uri(cooperative) -> str:
    """The co-op's logo inlined (no file or network access while laying out), or ''."""
    if not cooperative.logo:
        return ""
    name = cooperative.logo.name.lower()
    content_type = next((t for ext, t in CONTENT_TYPES.items() if name.endswith(ext)), None)
    try:
        with cooperative.logo.open("rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    return f"data:{content_type};base64,{b64encode(data).decode()}" if content_type else ""


@functools.cache
def _fonts() -> FontConfiguration:
    """One font configuration for every layout of the process (worker processes lay out one report
    at a time), instead of loading the fonts again for each part."""
    return FontConfiguration()


def render(template: str, context: dict) -> tuple[bytes, int]:
    """(PDF bytes, pages) of a template."""
    html = render_to_string(template, context)
    # Reports load nothing from files or the network: only inlined data: URIs (the logo).
    document = HTML(string=html, base_url=str(settings.BASE_DIR),
                    url_fetcher=URLFetcher(allowed_protocols={"data"})).render(
        font_config=_fonts())
    return document.write_pdf(), len(document.pages)


def join(parts: list[bytes]) -> tuple[bytes, int]:
    """One PDF of the parts' pages, in order."""
    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue(), len(writer.pages)


def page_count(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


STAMP = """<html><head><style>
@page {{ size: A4; margin: 22mm 16mm 20mm 16mm;
  @bottom-right {{ content: {page} " " counter(page) " " {of} " " counter(pages); font-size: 8pt; color: #666;
                  font-family: "DejaVu Sans", sans-serif; }} }}
div {{ break-after: page; }} div:last-child {{ break-after: auto; }}
</style></head><body>{pages}</body></html>"""


def stamp_page_numbers(content: bytes, *, page_word: str, of_word: str) -> bytes:
    """Each page of a joined report gets "Page X of Y" where pdf_base.html would have put it: a
    document of as many blank pages bearing only the numbers is laid out and merged onto them."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    html = STAMP.format(pages="<div></div>" * len(writer.pages), page=css_string(page_word), of=css_string(of_word))
    stamps = PdfReader(io.BytesIO(HTML(string=html).write_pdf(font_config=_fonts())))
    for page, stamp in zip(writer.pages, stamps.pages, strict=True):
        page.merge_page(stamp)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
