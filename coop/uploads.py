"""Uploaded documents: the Assembly's minutes (PDF), spending receipts and shipment documents (PDF,
JPEG or PNG). Checked by their first bytes, not by what the browser claims; served only through
views that check who asks, never from MEDIA_URL."""

import os

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024

# Extension, what the file starts with, and its content type.
PDF = (".pdf", (b"%PDF-",), "application/pdf")
JPEG = (".jpg", (b"\xff\xd8\xff",), "image/jpeg")
PNG = (".png", (b"\x89PNG\r\n\x1a\n",), "image/png")
MINUTES_KINDS = (PDF,)
RECEIPT_KINDS = (PDF, JPEG, PNG)
CONTENT_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png"}


def _kind_of(upload, kinds):
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    return next((kind for kind in kinds if head.startswith(kind[1])), None)


def clean_document(upload, kinds, *, what: str):
    """The upload, renamed to a short safe name, if it is one of ``kinds`` and not too large."""
    if upload is None:
        return None
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than %(mb)s MB (this one has %(size)s MB).") % {
            "mb": number_format(MAX_BYTES // (1024 * 1024)), "size": number_format(upload.size / (1024 * 1024), 1)})
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    kind = _kind_of(upload, kinds)
    if kind is None:
        raise ValidationError(what)
    stem = slugify(os.path.splitext(os.path.basename(upload.name or ""))[0])[:50] or "document"
    upload.name = f"{stem}{kind[0]}"
    return upload


def clean_minutes(upload):
    return clean_document(upload, MINUTES_KINDS, what=_("The minutes must be a PDF file."))


def clean_receipt(upload):
    return clean_document(upload, RECEIPT_KINDS, what=_("The receipt must be a PDF, JPEG or PNG file."))


def serve(field_file) -> FileResponse:
    """The stored file as a download; 404 when there is none."""
    if not field_file:
        raise Http404
    extension = os.path.splitext(field_file.name)[1].lower()
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=os.path.basename(field_file.name),
                            content_type=CONTENT_TYPES.get(extension, "application/octet-stream"))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def clean_shipment_document(upload):
    return clean_document(upload, RECEIPT_KINDS, what=_("The document must be a PDF, JPEG or PNG file."))


def clean_logo(upload):
    return clean_document(upload, (PNG, JPEG), what=_("The logo must be a PNG or JPEG image."))
