"""The VAT report for the accountant: every invoice and credit note issued in a date range,
with net and VAT per rate and gross; credit notes count negative, so the totals row is what
the shop owes for the period (`manage.py export_vat_report`)."""

import csv
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from billing.models import Document, DocumentLine

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class VatReport:
    rates: list[Decimal]  # the rates of the period's documents, highest first
    rows: list[list]  # one per document, then the totals row


def _rate_label(rate):
    return f"{rate.normalize():f}%"


def vat_report(*, start: date, end: date):
    """The documents issued from `start` to `end` (both days included, in the shop's time
    zone), in number order per kind, in three queries."""
    since = timezone.make_aware(datetime.combine(start, time.min))
    until = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    documents = list(
        Document.objects.filter(issued_at__gte=since, issued_at__lt=until)
        .select_related("invoice")
        .order_by("issued_at", "pk")
    )
    per_rate = {}
    for row in (
        DocumentLine.objects.filter(document__in=documents)
        .values("document_id", "vat_rate")
        .annotate(net=Sum("net"), vat=Sum("vat"))
    ):
        per_rate[(row["document_id"], row["vat_rate"])] = (row["net"], row["vat"])
    rates = sorted({rate for _, rate in per_rate}, reverse=True)
    rows, totals = [], [ZERO] * (2 * len(rates) + 3)
    for document in documents:
        sign = -1 if document.is_credit_note else 1
        figures = []
        for rate in rates:
            net, vat = per_rate.get((document.pk, rate), (ZERO, ZERO))
            figures += [sign * net, sign * vat]
        figures += [sign * document.net, sign * document.vat, sign * document.gross]
        totals = [total + figure for total, figure in zip(totals, figures, strict=True)]
        rows.append(
            [
                document.get_kind_display(),
                document.number,
                timezone.localtime(document.issued_at).date().isoformat(),
                document.order_number,
                document.invoice.number if document.invoice else "",
                document.buyer_name,
                str(document.vat_country or ""),
                document.currency,
                *figures,
            ]
        )
    rows.append(["Total", "", "", "", "", "", "", "", *totals])
    return VatReport(rates=rates, rows=rows)


def write_vat_report_csv(report: VatReport, out):
    writer = csv.writer(out)
    header = ["type", "number", "date", "order", "invoice", "buyer", "VAT country", "currency"]
    for rate in report.rates:
        header += [f"net {_rate_label(rate)}", f"VAT {_rate_label(rate)}"]
    writer.writerow([*header, "net", "VAT", "gross"])
    writer.writerows(report.rows)
