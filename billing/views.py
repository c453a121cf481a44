"""Serving an invoice or credit note as PDF; the order pages and the admin decide who may."""

from django.http import FileResponse

from billing.services import document_pdf


def pdf_response(document):
    """The document's PDF, shown in the browser (rendered now if the worker has not yet)."""
    return FileResponse(
        document_pdf(document), filename=document.filename, content_type="application/pdf"
    )
