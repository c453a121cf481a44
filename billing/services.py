"""Issuing invoices and credit notes, and rendering them as PDF.

Numbers: each kind has its own series per calendar year, `2026-000123` for invoices and
`CN-2026-000007` for credit notes, taken from a `NumberSeries` row locked in the transaction
that issues the document. Call `issue_document` inside the transaction that makes the document
due (an order marked paid, a refund recorded): if it rolls back, the number goes back too, so
numbers have no gaps; two transactions issuing at once queue on the row, so there are no
duplicates. The row is locked last, after every other row the caller locks, and held only
until that transaction commits, so paid orders queue on it for a moment, not for a payment.

PDFs: rendered after commit by a Celery task (`billing.tasks.render_document_pdf`), stored in
the default storage (local media or S3), and rendered on demand by `document_pdf` when a
download finds none yet (the broker was down, the worker is behind). Each file name holds a
random part: on storage served publicly (nginx's /media/, a public bucket) a name cannot be
guessed from the number.
"""

import logging
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from billing.models import Document, DocumentLine, NumberSeries

logger = logging.getLogger(__name__)

NUMBER_FORMATS = {
    Document.Kind.INVOICE: "{year}-{sequence:06d}",
    Document.Kind.CREDIT_NOTE: "CN-{year}-{sequence:06d}",
}


@dataclass(frozen=True)
class LineData:
    """One line of a document to issue: amounts as the order (or the refund) has them."""

    description: str
    unit_price: Decimal
    vat_rate: Decimal
    net: Decimal
    vat: Decimal
    quantity: int = 1
    sku: str = ""
    discount: Decimal = Decimal("0.00")

    @property
    def gross(self):
        return self.net + self.vat


@dataclass(frozen=True)
class Buyer:
    """Who the document is made out to: the order's billing address and email."""

    name: str
    address_lines: tuple[str, ...]
    email: str


def next_number(*, kind, year):
    """Take the next number of `kind`'s series for `year`: (sequence, formatted number).

    Creates the year's row if needed (an insert that ignores a concurrent one), then locks it
    until the caller's transaction ends."""
    NumberSeries.objects.bulk_create([NumberSeries(series=kind, year=year)], ignore_conflicts=True)
    series = NumberSeries.objects.select_for_update().get(series=kind, year=year)
    series.last_number += 1
    series.save(update_fields=["last_number"])
    number = NUMBER_FORMATS[kind].format(year=year, sequence=series.last_number)
    return series.last_number, number


def seller_address_lines():
    return [part.strip() for part in settings.SHOP_SELLER_ADDRESS.split(",") if part.strip()]


def issue_document(
    *,
    kind,
    order_id,
    order_number,
    currency,
    buyer: Buyer,
    lines: list[LineData],
    vat_country="",
    invoice=None,
    discount=Decimal("0.00"),
    discount_label="",
    reason="",
    refund_reference="",
    created_by=None,
):
    """Issue an invoice or (with `invoice`) a credit note with the next number of its series,
    dated now, the seller taken from the settings; its PDF is rendered after commit.

    Must run inside the caller's transaction (see the module docstring for the numbering)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Documents are issued inside the transaction that makes them due.")
    issued_at = timezone.now()
    sequence, number = next_number(kind=kind, year=issued_at.year)
    document = Document.objects.create(
        kind=kind,
        number=number,
        year=issued_at.year,
        sequence=sequence,
        issued_at=issued_at,
        invoice=invoice,
        order_id=order_id,
        order_number=order_number,
        currency=currency,
        seller_name=settings.SHOP_SELLER_NAME,
        seller_address="\n".join(seller_address_lines()),
        seller_vat_id=settings.SHOP_SELLER_VAT_ID,
        buyer_name=buyer.name,
        buyer_address="\n".join(line for line in buyer.address_lines if line),
        buyer_email=buyer.email,
        vat_country=vat_country,
        net=sum((line.net for line in lines), Decimal("0.00")),
        vat=sum((line.vat for line in lines), Decimal("0.00")),
        gross=sum((line.gross for line in lines), Decimal("0.00")),
        discount=discount,
        discount_label=discount_label,
        reason=reason[:200],
        refund_reference=refund_reference,
        created_by=created_by,
    )
    DocumentLine.objects.bulk_create(
        DocumentLine(
            document=document,
            description=line.description[:300],
            sku=line.sku,
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount=line.discount,
            vat_rate=line.vat_rate,
            net=line.net,
            vat=line.vat,
            gross=line.gross,
        )
        for line in lines
    )
    transaction.on_commit(lambda: enqueue_pdf(document.pk), robust=True)
    return document


def enqueue_pdf(document_id):
    """Have a worker render the PDF; if the broker is down, the first download renders it."""
    from billing.tasks import render_document_pdf

    try:
        render_document_pdf.delay(document_id)
    except Exception as error:
        logger.warning("Could not enqueue the PDF of document %s: %s", document_id, error)


def render_pdf(document):
    """The document as PDF bytes (WeasyPrint, from templates/billing/document.html)."""
    from django.template.loader import render_to_string
    from weasyprint import HTML

    html = render_to_string(
        "billing/document.html",
        {
            "document": document,
            "lines": list(document.lines.all()),
            "vat_by_rate": document.vat_by_rate,
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def store_pdf(document_id):
    """Render and store a document's PDF unless it has one; returns the stored file name.

    Two renderers at once (the task and a download) both render; the first to record its file
    wins with a conditional UPDATE and the other deletes its copy, so a document keeps one
    file and never changes it once recorded."""
    document = Document.objects.get(pk=document_id)
    if document.pdf:
        return document.pdf.name
    name = default_storage.save(
        f"billing/{document.year}/{document.number}-{secrets.token_urlsafe(16)}.pdf",
        ContentFile(render_pdf(document)),
    )
    if Document.objects.filter(pk=document_id, pdf="").update(pdf=name):
        return name
    default_storage.delete(name)
    return Document.objects.values_list("pdf", flat=True).get(pk=document_id)


def document_pdf(document):
    """An open file of the document's PDF, rendering it first if it has none yet."""
    name = document.pdf.name if document.pdf else store_pdf(document.pk)
    return default_storage.open(name, "rb")
