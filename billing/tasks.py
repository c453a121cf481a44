"""Celery tasks of the billing app. Tasks take ids and re-read the rows they work on."""

from celery import shared_task

from billing.services import store_pdf


@shared_task
def render_document_pdf(document_id):
    """Render and store an invoice's or credit note's PDF, once (a repeat finds it stored).
    A failure is not retried here: the first download renders the PDF instead."""
    store_pdf(document_id)
